"""Get a generated database ready for a load run; writes the accounts the run uses.

Generated staff have no password and no access code (the command leaves sign-in to the
access sheets a manager prints), so this step issues access codes, through the real
service (audited), to learners who have not started their training. To let them finish a
track within a short run, it also opens every lesson of their track two days in the past:
the server's pacing then lets each lesson complete as soon as the learner reaches it. The
other steps (pre-test, lessons in order, post-test, certificate) go through the app.

It also lists generated managers (password as for the demo), verification codes of
generated certificates, and the answer key of the track's current module versions, so
simulated learners pass their post-tests. Usage (normally called by run.py):

    .venv/bin/python bench/load/prepare.py --learners 600 --out bench/results/accounts.json
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from benchapp import app  # noqa: E402
from sqlalchemy import and_, exists, insert, select  # noqa: E402

from trainer.assessments import scoring  # noqa: E402
from trainer.auth import services as auth  # noqa: E402
from trainer.auth.models import Role, User  # noqa: E402
from trainer.catalog.models import ModuleVersion, Track  # noqa: E402
from trainer.certificates.models import Certificate  # noqa: E402
from trainer.demo.generate import NAME_PREFIX, TRACK_SLUG  # noqa: E402
from trainer.demo.services import DEMO_PASSWORD  # noqa: E402
from trainer.extensions import db  # noqa: E402
from trainer.learning.models import Enrollment, LessonProgress, ModuleProgress  # noqa: E402
from trainer.orgs.models import Organization  # noqa: E402
from trainer.timeutil import utcnow  # noqa: E402


def _answer_values(question: dict[str, Any]) -> list[str]:
    if question["type"] == "true_false":
        return ["true" if question["correct"] else "false"]
    if question["type"] == "single":
        return [str(question["correct"])]
    return [str(value) for value in question["correct"]]


def answer_key(versions: list[ModuleVersion]) -> dict[str, list[str]]:
    """Question key -> the values a correct answer posts, for every module version given."""
    key: dict[str, list[str]] = {}
    for version in versions:
        for item in version.items:
            for question_key, question in scoring.questions_of(item):
                key[question_key] = _answer_values(question)
    return key


def prepare(learners: int) -> dict[str, Any]:
    track = db.session.scalar(select(Track).where(Track.slug == TRACK_SLUG))
    if track is None:
        raise SystemExit(f"track {TRACK_SLUG} missing: run `flask content sync`")
    versions = {step.module_id: step.module.current_version for step in track.steps}
    started = exists().where(
        ModuleProgress.enrollment_id == Enrollment.id, ModuleProgress.started_at.is_not(None)
    )
    rows = db.session.execute(
        select(User, Enrollment.id)
        .join(Organization, Organization.id == User.organization_id)
        .join(Enrollment, and_(Enrollment.user_id == User.id, Enrollment.track_id == track.id))
        .where(
            Organization.name.like(f"{NAME_PREFIX}%"),
            Organization.jurisdiction == "houston-tx",
            User.role == Role.LEARNER.value,
            User.active.is_(True),
            User.access_code_digest.is_(None),
            Enrollment.completed_at.is_(None),
            ~started,
        )
        .order_by(User.id)
        .limit(learners)
    ).all()
    if len(rows) < learners:
        print(f"prepare: only {len(rows)} fresh learners left (asked for {learners})")
    managers = {
        org_id: manager
        for org_id, manager in db.session.execute(
            select(User.organization_id, User).where(
                User.role == Role.MANAGER.value, User.email.like("manager@hotel%.generated.test")
            )
        )
    }
    opened = utcnow() - timedelta(days=2)
    accounts = []
    lesson_rows = []
    for user, enrollment_id in rows:
        code = auth.issue_access_code(user, actor=managers[user.organization_id])
        modules = []
        progress_rows = db.session.scalars(
            select(ModuleProgress)
            .where(ModuleProgress.enrollment_id == enrollment_id)
            .order_by(ModuleProgress.position)
        ).all()
        for progress in progress_rows:
            version = versions[progress.module_id]
            lessons = [lesson["id"] for lesson in version.lessons]
            lesson_rows += [
                {"module_progress_id": progress.id, "lesson_id": lid, "opened_at": opened}
                for lid in lessons
            ]
            modules.append(
                {
                    "progress_id": progress.id,
                    "lessons": lessons,
                    "attest": bool(version.attestation),
                }
            )
        accounts.append({"code": code, "enrollment_id": enrollment_id, "modules": modules})
    if lesson_rows:
        db.session.execute(insert(LessonProgress), lesson_rows)
    manager_emails = db.session.scalars(
        select(User.email)
        .join(Organization, Organization.id == User.organization_id)
        .where(
            User.email.like("manager@hotel%.generated.test"),
            Organization.jurisdiction == "houston-tx",
        )
        .order_by(User.id)
        .limit(200)
    ).all()
    codes = db.session.scalars(
        select(Certificate.verification_code).order_by(Certificate.id.desc()).limit(1000)
    ).all()
    db.session.commit()
    return {
        "learners": accounts,
        "managers": list(manager_emails),
        "password": DEMO_PASSWORD,
        "verification_codes": list(codes),
        "answers": answer_key([v for v in versions.values() if v is not None]),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=600)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    with app.app_context():
        data = prepare(args.learners)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data))
    print(
        f"prepare: {len(data['learners'])} learners with access codes, "
        f"{len(data['managers'])} managers, {len(data['verification_codes'])} certificates"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
