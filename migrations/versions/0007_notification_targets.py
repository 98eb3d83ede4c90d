"""notification targets: a notification names what it is about, not a URL

Revision ID: 0007_notification_targets
Revises: 0006_score_drafts
Create Date: 2026-12-10 08:00:00

A notification held the path it linked to (`link`), written by the services. It now names what it
is about - `target` (a kind: evidence, review, queue, sharing, appraisal) and `target_id` - and the
web layer builds the link. Upgrading reads each stored path as its target; a path no version of
the portal wrote is dropped (the message stays, without a link). Downgrading writes the paths back.
"""

import re

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0007_notification_targets"
down_revision = "0006_score_drafts"
branch_labels = None
depends_on = None

# Every path the services wrote, as (pattern, target, whether it ends in the target's id);
# downgrading writes them back from the same table.
PATHS = (
    ("/portfolio/evidence/", "evidence", True),
    ("/supervision/evidence/", "review", True),
    ("/supervision/", "queue", False),
    ("/portfolio/sharing", "sharing", False),
    ("/appraisals/", "appraisal", True),
)

notification = sa.table(
    "notification",
    sa.column("id", sa.Integer),
    sa.column("link", sa.String),
    sa.column("target", sa.String),
    sa.column("target_id", sa.Integer),
)


def _target(link: str) -> tuple[str, int | None] | None:
    for path, target, with_id in PATHS:
        if with_id:
            found = re.fullmatch(re.escape(path) + r"([0-9]{1,9})", link)
            if found:
                return target, int(found.group(1))
        elif link == path:
            return target, None
    return None


def upgrade():
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.add_column(sa.Column("target", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("target_id", sa.Integer(), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.select(notification.c.id, notification.c.link).where(notification.c.link.is_not(None)))
    found = [(row_id, _target(link)) for row_id, link in rows]
    updates = [{"row_id": row_id, "t": t[0], "t_id": t[1]} for row_id, t in found if t is not None]
    if updates:
        bind.execute(
            notification.update()
            .where(notification.c.id == sa.bindparam("row_id"))
            .values(target=sa.bindparam("t"), target_id=sa.bindparam("t_id")),
            updates,
        )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_column("link")


def downgrade():
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.add_column(sa.Column("link", sa.String(length=300), nullable=True))
    for path, target, with_id in PATHS:
        link = sa.literal(path) + sa.cast(notification.c.target_id, sa.String) if with_id else sa.literal(path)
        op.execute(notification.update().where(notification.c.target == target).values(link=link))
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_column("target_id")
        batch_op.drop_column("target")
