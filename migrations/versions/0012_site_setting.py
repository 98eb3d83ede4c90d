"""site setting: settings administrators change in the portal (first, who may sign in with a password)

Revision ID: 0012_site_setting
Revises: 0011_throttle_counter
Create Date: 2026-12-04 07:30:00

A new table; with no row, password sign-in stays open to everyone, as before.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012_site_setting"
down_revision = "0011_throttle_counter"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "site_setting",
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["changed_by_id"], ["user_account.id"], name=op.f("fk_site_setting_changed_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_site_setting")),
    )


def downgrade():
    op.drop_table("site_setting")
