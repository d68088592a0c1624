"""Makes organizations and people with sensible defaults."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from trainer import timeutil
from trainer.extensions import db

PASSWORD = "correct horse battery"


class Factory:
    """Makes organizations and people with sensible defaults (flushes, then commits)."""

    def __init__(self) -> None:
        self.count = 0

    def org(self, **kw: Any) -> Any:
        from trainer.orgs.models import Organization

        self.count += 1
        values = {
            "kind": "hotel",
            "name": f"Hotel {self.count}",
            "address": f"{self.count} Main St, Houston, TX",
            "jurisdiction": "houston-tx",
            "permit_number": f"P-{self.count}",
        }
        values.update(kw)
        org = Organization(**values)
        db.session.add(org)
        db.session.commit()
        return org

    def user(self, org: Any = None, role: str = "learner", **kw: Any) -> Any:
        from trainer.auth.models import User
        from trainer.auth.services import hash_password
        from trainer.orgs import services as org_services

        self.count += 1
        values = {
            "email": f"person{self.count}@example.test",
            "first_name": f"Person{self.count}",
            "last_name": "Test",
            "role": role,
            "organization_id": org.id if org is not None else None,
            "job_role": "front_desk" if org is not None else None,
            "hire_date": timeutil.today() - timedelta(days=5) if org is not None else None,
            "password_hash": hash_password(PASSWORD),
            "jurisdiction": "houston-tx" if role == "auditor" else None,
        }
        values.update(kw)
        user = User(**values)
        user.organization = org
        db.session.add(user)
        db.session.flush()
        if role == "learner" and org is not None:
            org_services.STAFF_ADDED.emit(user)
        db.session.commit()
        return user
