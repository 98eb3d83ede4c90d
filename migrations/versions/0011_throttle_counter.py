"""throttle counter: sign-in throttling shared by every server (in the database when there is no Redis)

Revision ID: 0011_throttle_counter
Revises: 0010_second_factor
Create Date: 2026-12-04 07:00:00

Failed sign-ins and codes were counted on the person's row (failed_sign_ins, locked_until), which
two servers could both read as 4 and both write as 5, and which could not count attempts at an
email address with no account. They are counted per account, per address and overall in
throttle_counter (or Redis) instead, so the two columns go. Nobody is locked out by the change.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011_throttle_counter"
down_revision = "0010_second_factor"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "throttle_counter",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_throttle_counter")),
    )
    with op.batch_alter_table("throttle_counter", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_throttle_counter_expires_at"), ["expires_at"], unique=False)
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("locked_until")
        batch_op.drop_column("failed_sign_ins")


def downgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failed_sign_ins", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("throttle_counter", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_throttle_counter_expires_at"))
    op.drop_table("throttle_counter")
