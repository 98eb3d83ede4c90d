"""scale: precomputed readiness facts, and indexes for a large trust's pages

Revision ID: 0005_scale
Revises: 0004_recruitment
Create Date: 2026-12-01 06:45:00

Indexes: evidence by (owner, state) for queues and portfolios, training records by (person, subject,
date) for the latest completion, and a covering index for the organisation view's counts. The
readiness facts of every person already in the database are computed here, so the
organisation view is right from the first request after the upgrade.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0005_scale"
down_revision = "0004_recruitment"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "readiness_fact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("framework_slug", sa.String(length=80), nullable=False),
        sa.Column("item_code", sa.String(length=40), nullable=False),
        sa.Column("met_forever", sa.Boolean(), nullable=False),
        sa.Column("met_until", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_readiness_fact_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_readiness_fact")),
        sa.UniqueConstraint(
            "user_id", "framework_slug", "item_code", name=op.f("uq_readiness_fact_user_id_framework_slug_item_code")
        ),
    )
    with op.batch_alter_table("readiness_fact", schema=None) as batch_op:
        batch_op.create_index(
            "ix_readiness_fact_user_id_met",
            ["user_id", "met_forever", "met_until", "framework_slug", "item_code"],
            unique=False,
        )
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.create_index("ix_evidence_owner_id_state", ["owner_id", "state"], unique=False)
        batch_op.drop_index("ix_evidence_owner_id")
    with op.batch_alter_table("training_record", schema=None) as batch_op:
        batch_op.create_index(
            "ix_training_record_user_id_subject_id", ["user_id", "subject_id", "completed_on"], unique=False
        )
        batch_op.drop_index("ix_training_record_user_id")
    _compute_facts()


def _compute_facts():
    from sqlalchemy.orm import Session

    from competency_portal.readiness import rollup

    session = Session(bind=op.get_bind())
    rollup.refresh(session, None)
    session.flush()


def downgrade():
    with op.batch_alter_table("training_record", schema=None) as batch_op:
        batch_op.create_index("ix_training_record_user_id", ["user_id"], unique=False)
        batch_op.drop_index("ix_training_record_user_id_subject_id")
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.create_index("ix_evidence_owner_id", ["owner_id"], unique=False)
        batch_op.drop_index("ix_evidence_owner_id_state")
    op.drop_table("readiness_fact")
