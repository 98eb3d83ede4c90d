"""api clients: reporting tools registered for the API's client credentials grant, and their access tokens

Revision ID: 0016_api_clients
Revises: 0015_api_tokens
Create Date: 2026-12-04 19:00:00

Two new tables; nothing existing changes. Secrets and tokens are stored as hashes.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016_api_clients"
down_revision = "0015_api_tokens"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "api_client",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("client_id", sa.String(length=40), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user_account.id"], name=op.f("fk_api_client_created_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_client")),
        sa.UniqueConstraint("client_id", name=op.f("uq_api_client_client_id")),
    )
    with op.batch_alter_table("api_client", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_client_created_by_id"), ["created_by_id"], unique=False)

    op.create_table(
        "api_client_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["api_client.id"], name=op.f("fk_api_client_token_client_id_api_client")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_client_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_client_token_token_hash")),
    )
    with op.batch_alter_table("api_client_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_client_token_client_id"), ["client_id"], unique=False)


def downgrade():
    with op.batch_alter_table("api_client_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_client_token_client_id"))

    op.drop_table("api_client_token")
    with op.batch_alter_table("api_client", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_client_created_by_id"))

    op.drop_table("api_client")
