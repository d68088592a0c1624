"""user names folded for searching

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 20:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

from trainer.core.folding import fold


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

_BATCH = 1000


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_name', sa.String(length=201), server_default='', nullable=False))
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite's batch copy of user_account leaves out the expression index: put it back
        op.execute('CREATE UNIQUE INDEX IF NOT EXISTS uq_user_email_lower ON user_account (lower(email))')

    # back-fill: the folding (accents, case) is Python's, the same the application uses
    bind = op.get_bind()
    users = sa.table(
        'user_account',
        sa.column('id', sa.Integer),
        sa.column('first_name', sa.String),
        sa.column('last_name', sa.String),
        sa.column('search_name', sa.String),
    )
    last_id = 0
    while True:
        rows = bind.execute(
            sa.select(users.c.id, users.c.first_name, users.c.last_name)
            .where(users.c.id > last_id)
            .order_by(users.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            break
        for row in rows:
            bind.execute(
                users.update()
                .where(users.c.id == row.id)
                .values(search_name=fold(f"{row.first_name or ''} {row.last_name or ''}"))
            )
        last_id = rows[-1].id


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('search_name')
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('CREATE UNIQUE INDEX IF NOT EXISTS uq_user_email_lower ON user_account (lower(email))')
