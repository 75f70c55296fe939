"""Assessments: one interview each, addressed by the hash of a secret token.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kb_version", sa.String(32), nullable=False),
        sa.Column("state_json", sa.Text(), nullable=False),
        sa.Column("consent_to_store", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("revision", sa.Integer(), nullable=False, server_default="0"),
    )
    op.create_index("ix_assessments_token_hash", "assessments", ["token_hash"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_assessments_token_hash", table_name="assessments")
    op.drop_table("assessments")
