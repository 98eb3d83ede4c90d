"""case identifiers: every framework version, domain and item gets a CASE identifier (a UUID) for ever

Revision ID: 0013_case_identifiers
Revises: 0012_site_setting
Create Date: 2026-12-04 12:00:00

Frameworks are published as CASE 1.1 packages, where each document and item is named by a UUID
that must never change and must not collide with another publisher's. Rows loaded before this
revision are given random UUIDs here; new rows get theirs when they are written.
"""

import uuid

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013_case_identifiers"
down_revision = "0012_site_setting"
branch_labels = None
depends_on = None

TABLES = ("framework_version", "domain", "item")


def upgrade():
    bind = op.get_bind()
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("case_identifier", sa.String(length=36), nullable=True))
        rows = sa.table(table, sa.column("id", sa.Integer), sa.column("case_identifier", sa.String))
        ids = [row.id for row in bind.execute(sa.select(rows.c.id))]
        if ids:
            bind.execute(
                rows.update().where(rows.c.id == sa.bindparam("row_id")).values(case_identifier=sa.bindparam("uid")),
                [{"row_id": row_id, "uid": str(uuid.uuid4())} for row_id in ids],
            )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("case_identifier", existing_type=sa.String(length=36), nullable=False)
            batch_op.create_unique_constraint(batch_op.f(f"uq_{table}_case_identifier"), ["case_identifier"])


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"uq_{table}_case_identifier"), type_="unique")
            batch_op.drop_column("case_identifier")
