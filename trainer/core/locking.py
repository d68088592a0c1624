"""Serialize concurrent requests on one row, the same way on PostgreSQL and SQLite."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from trainer.extensions import db


def lock_row(model: Any, row_id: int) -> None:
    """Hold `model` row `row_id` until the transaction ends; then forget what was read.

    PostgreSQL: `SELECT ... FOR UPDATE` locks the row. SQLite has no row locks: a no-op
    update takes the database's write lock, which other writers wait for. Either way,
    once this returns, no other transaction can change the row until this one commits,
    and every object read before is expired so the caller's checks see the current state.
    """
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(model.id).where(model.id == row_id).with_for_update())
    else:
        session.execute(
            update(model)
            .where(model.id == row_id)
            .values(id=model.id)
            .execution_options(synchronize_session=False)
        )
    session.expire_all()
