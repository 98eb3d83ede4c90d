"""credentials: Open Badges 3.0 credentials issued here, the sign-offs they rest on, and those brought in

Revision ID: 0014_credentials
Revises: 0013_case_identifiers
Create Date: 2026-12-04 17:47:44

Three new tables; nothing existing changes.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014_credentials"
down_revision = "0013_case_identifiers"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "issued_credential",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=36), nullable=False),
        sa.Column("holder_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("item", "domain", "role", name="credentialkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("subject_ref", sa.String(length=80), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("status_index", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column(
            "state", sa.Enum("active", "revoked", name="credentialstate", native_enum=False, length=32), nullable=False
        ),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoke_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["holder_id"], ["user_account.id"], name=op.f("fk_issued_credential_holder_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issued_credential")),
        sa.UniqueConstraint("public_id", name=op.f("uq_issued_credential_public_id")),
        sa.UniqueConstraint("status_index", name=op.f("uq_issued_credential_status_index")),
    )
    with op.batch_alter_table("issued_credential", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_issued_credential_holder_id"), ["holder_id"], unique=False)

    op.create_table(
        "received_credential",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=False),
        sa.Column("issuer_id", sa.String(length=500), nullable=False),
        sa.Column("issuer_name", sa.String(length=300), nullable=False),
        sa.Column("credential_id", sa.String(length=500), nullable=False),
        sa.Column("achievement", sa.String(length=500), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["evidence_id"], ["evidence.id"], name=op.f("fk_received_credential_evidence_id_evidence")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["user_account.id"], name=op.f("fk_received_credential_owner_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_received_credential")),
        sa.UniqueConstraint(
            "owner_id",
            "issuer_id",
            "credential_id",
            name=op.f("uq_received_credential_owner_id_issuer_id_credential_id"),
        ),
    )
    with op.batch_alter_table("received_credential", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_received_credential_evidence_id"), ["evidence_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_received_credential_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "credential_basis",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("credential_id", sa.Integer(), nullable=False),
        sa.Column("sign_off_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["issued_credential.id"],
            name=op.f("fk_credential_basis_credential_id_issued_credential"),
        ),
        sa.ForeignKeyConstraint(
            ["sign_off_id"], ["sign_off.id"], name=op.f("fk_credential_basis_sign_off_id_sign_off")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credential_basis")),
        sa.UniqueConstraint("credential_id", "sign_off_id", name=op.f("uq_credential_basis_credential_id_sign_off_id")),
    )
    with op.batch_alter_table("credential_basis", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credential_basis_credential_id"), ["credential_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_credential_basis_sign_off_id"), ["sign_off_id"], unique=False)


def downgrade():
    with op.batch_alter_table("credential_basis", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credential_basis_sign_off_id"))
        batch_op.drop_index(batch_op.f("ix_credential_basis_credential_id"))

    op.drop_table("credential_basis")
    with op.batch_alter_table("received_credential", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_received_credential_owner_id"))
        batch_op.drop_index(batch_op.f("ix_received_credential_evidence_id"))

    op.drop_table("received_credential")
    with op.batch_alter_table("issued_credential", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_issued_credential_holder_id"))

    op.drop_table("issued_credential")
