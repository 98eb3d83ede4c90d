"""external identity: provider accounts linked to portal accounts, and the employee number

Revision ID: 0009_external_identity
Revises: 0008_framework_drafts
Create Date: 2026-12-03 20:45:00

A new table (a provider's subject identifier for each person who has signed in with it) and a new
nullable, unique column on user_account (the trust's employee number, which a provider may send).
Nothing existing changes.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009_external_identity"
down_revision = "0008_framework_drafts"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "external_identity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_sign_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_external_identity_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_external_identity")),
        sa.UniqueConstraint("provider", "subject", name=op.f("uq_external_identity_provider_subject")),
        sa.UniqueConstraint("provider", "user_id", name=op.f("uq_external_identity_provider_user_id")),
    )
    with op.batch_alter_table("external_identity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_external_identity_user_id"), ["user_id"], unique=False)
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("employee_number", sa.String(length=40), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_user_account_employee_number"), ["employee_number"])


def downgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_user_account_employee_number"), type_="unique")
        batch_op.drop_column("employee_number")
    with op.batch_alter_table("external_identity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_external_identity_user_id"))
    op.drop_table("external_identity")
