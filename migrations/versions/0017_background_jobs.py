"""background jobs: slow work (email, imports, the readiness recompute) done by a worker, with its outbox

Revision ID: 0017_background_jobs
Revises: 0016_api_clients
Create Date: 2026-12-04 21:30:00

One new table; nothing existing changes.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0017_background_jobs"
down_revision = "0016_api_clients"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "background_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column(
            "state",
            sa.Enum("queued", "running", "retrying", "done", "failed", name="jobstate", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("progress_done", sa.Integer(), nullable=False),
        sa.Column("progress_total", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["started_by_id"], ["user_account.id"], name=op.f("fk_background_job_started_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_background_job")),
    )
    with op.batch_alter_table("background_job", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_background_job_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_background_job_started_by_id"), ["started_by_id"], unique=False)
        batch_op.create_index("ix_background_job_state_due", ["state", "next_attempt_at"], unique=False)


def downgrade():
    with op.batch_alter_table("background_job", schema=None) as batch_op:
        batch_op.drop_index("ix_background_job_state_due")
        batch_op.drop_index(batch_op.f("ix_background_job_started_by_id"))
        batch_op.drop_index(batch_op.f("ix_background_job_kind"))
    op.drop_table("background_job")
