"""security hardening: session stamps, keyed audit chain head, one open attempt;
the case-insensitive e-mail index and module's current-version key that 0001 missed

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 17:00:00

"""
import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('security_stamp', sa.String(length=32), nullable=True))
    users = sa.table('user_account', sa.column('id', sa.Integer), sa.column('security_stamp', sa.String))
    conn = op.get_bind()
    for (user_id,) in conn.execute(sa.select(users.c.id)).all():
        conn.execute(users.update().where(users.c.id == user_id).values(security_stamp=secrets.token_hex(16)))
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.alter_column('security_stamp', existing_type=sa.String(length=32), nullable=False)

    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('key_id', sa.String(length=16), nullable=True))

    head = op.create_table('audit_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_head'))
    )
    events = sa.table('audit_event', sa.column('seq', sa.Integer), sa.column('hash', sa.String))
    last = conn.execute(sa.select(events.c.seq, events.c.hash).order_by(events.c.seq.desc()).limit(1)).first()
    conn.execute(head.insert().values(id=1, seq=last.seq if last else 0, hash=last.hash if last else '0' * 64))

    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.create_index('uq_attempt_open', ['module_progress_id', 'kind'], unique=True, sqlite_where=sa.text('submitted_at IS NULL'), postgresql_where=sa.text('submitted_at IS NULL'))

    # one account per e-mail address, whatever its case (the models always said so)
    op.create_index('uq_user_email_lower', 'user_account', [sa.text('lower(email)')], unique=True)
    if conn.dialect.name == 'postgresql':
        # 0001's create_table left out this use_alter key on PostgreSQL
        op.create_foreign_key('fk_module_current_version', 'module', 'module_version', ['current_version_id'], ['id'])


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_constraint('fk_module_current_version', 'module', type_='foreignkey')
    op.drop_index('uq_user_email_lower', table_name='user_account')
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_index('uq_attempt_open', sqlite_where=sa.text('submitted_at IS NULL'), postgresql_where=sa.text('submitted_at IS NULL'))
    op.drop_table('audit_head')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_column('key_id')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('security_stamp')
