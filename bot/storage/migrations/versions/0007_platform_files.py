"""platform files: a file kept by the platform it came from (Telegram file_id), its bytes fetched when needed

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 09:20:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("files", schema=None) as batch_op:
        batch_op.add_column(sa.Column("platform", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("platform_handle", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("platform_unique_id", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("caption", sa.String(length=1024), server_default="", nullable=False))
        batch_op.alter_column("content", existing_type=sa.LargeBinary(), nullable=True)
        batch_op.alter_column("sha256", existing_type=sa.String(length=64), nullable=True)
        batch_op.create_index("ix_files_platform_unique", ["platform", "platform_unique_id"], unique=False)


def downgrade() -> None:
    op.execute("DELETE FROM files WHERE content IS NULL")
    with op.batch_alter_table("files", schema=None) as batch_op:
        batch_op.drop_index("ix_files_platform_unique")
        batch_op.alter_column("sha256", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("content", existing_type=sa.LargeBinary(), nullable=False)
        batch_op.drop_column("caption")
        batch_op.drop_column("platform_unique_id")
        batch_op.drop_column("platform_handle")
        batch_op.drop_column("platform")
