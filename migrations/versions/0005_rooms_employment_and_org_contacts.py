"""rooms, employment, age at hire and organization contacts

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 16:23:50.802742

"""
from alembic import op
import sqlalchemy as sa

import trainer.timeutil  # noqa: F401 - custom column types used below


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('organization_contact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', trainer.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_organization_contact_organization_id_organization')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organization_contact'))
    )
    with op.batch_alter_table('organization_contact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organization_contact_organization_id'), ['organization_id'], unique=False)

    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rooms', sa.Integer(), nullable=True))

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('employment', sa.String(length=16), server_default='direct', nullable=False))
        batch_op.add_column(sa.Column('under_16_at_hire', sa.Boolean(), server_default=sa.false(), nullable=False))
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite's batch copy of user_account leaves out the expression index: put it back
        op.execute('CREATE UNIQUE INDEX IF NOT EXISTS uq_user_email_lower ON user_account (lower(email))')


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('under_16_at_hire')
        batch_op.drop_column('employment')
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('CREATE UNIQUE INDEX IF NOT EXISTS uq_user_email_lower ON user_account (lower(email))')

    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.drop_column('rooms')

    with op.batch_alter_table('organization_contact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organization_contact_organization_id'))

    op.drop_table('organization_contact')
