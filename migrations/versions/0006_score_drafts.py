"""score drafts: a panel member's draft may hold a reason without a score yet

Revision ID: 0006_score_drafts
Revises: 0005_scale
Create Date: 2026-12-03 08:00:00

"Save and come back" keeps everything typed on a score sheet, so a draft row may have a reason
and no score (or a score and no reason yet). Submission still needs both for every criterion, so
every submitted score has a value. Downgrading deletes the drafts that have no score.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0006_score_drafts"
down_revision = "0005_scale"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("score", schema=None) as batch_op:
        batch_op.alter_column("value", existing_type=sa.Integer(), nullable=True)


def downgrade():
    op.execute("DELETE FROM score WHERE value IS NULL")
    with op.batch_alter_table("score", schema=None) as batch_op:
        batch_op.alter_column("value", existing_type=sa.Integer(), nullable=False)
