"""framework drafts: a document's draft frameworks, or uploaded files, while they are reviewed

Revision ID: 0008_framework_drafts
Revises: 0007_notification_targets
Create Date: 2026-12-03 16:45:45

A new table only; nothing existing changes.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008_framework_drafts"
down_revision = "0007_notification_targets"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "framework_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum("document", "files", name="draftkind", native_enum=False, length=16), nullable=False),
        sa.Column(
            "state",
            sa.Enum("editing", "loaded", "discarded", name="draftstate", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("filename", sa.String(length=300), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("source", sa.JSON(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("loaded_as", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user_account.id"], name=op.f("fk_framework_draft_created_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["user_account.id"], name=op.f("fk_framework_draft_updated_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_framework_draft")),
    )
    with op.batch_alter_table("framework_draft", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_framework_draft_state"), ["state"], unique=False)


def downgrade():
    with op.batch_alter_table("framework_draft", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_framework_draft_state"))

    op.drop_table("framework_draft")
