"""Each kind of audit event as a sentence in the reader's language, with people's names.

The log stores codes (`certificate.revoked`) and ids; people read "Maria Lopez revoked
the certificate HTX-2026-000012 of Ana Ruiz: reason “left the company”". Every kind the
code writes has an entry in `KINDS` (a test finds the kinds in the source and fails on a
kind without one); an unknown kind (from an older version) still gets a plain sentence.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_babel.speaklater import LazyString

from trainer.core.vocabulary import ROLE_LABELS


@dataclass(frozen=True)
class EventFacts:
    """What a sentence needs: names looked up for one event, and its stored details."""

    action: str
    actor: str | None = None
    person: str | None = None
    holder: str | None = None
    organization: str | None = None
    subject_id: str = ""
    training: str | None = None
    module: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    def who(self) -> str:
        """The actor's name, or who acts when no person does."""
        return self.actor or _("The system")

    def whom(self) -> str:
        """The person the event is about."""
        return self.person or _("a person no longer on record")

    def org(self) -> str:
        """The organization's name."""
        return self.organization or _("an organization")

    def cert_holder(self) -> str:
        """The certificate holder's name."""
        return self.holder or _("a person no longer on record")


Sentence = Callable[[EventFacts], str]


@dataclass(frozen=True)
class Kind:
    """One kind of event: its label (for the filter) and how it reads."""

    code: str
    label: LazyString
    sentence: Sentence


KINDS: dict[str, Kind] = {}


def kind(code: str, label: LazyString) -> Callable[[Sentence], Sentence]:
    """Register the sentence of an event kind."""

    def register(sentence: Sentence) -> Sentence:
        KINDS[code] = Kind(code, label, sentence)
        return sentence

    return register


def sentence_for(facts: EventFacts) -> str:
    """The event as a sentence (a generic one for a kind this version does not know)."""
    known = KINDS.get(facts.action)
    if known is None:
        return _("%(actor)s recorded an event of another kind.", actor=facts.who())
    return known.sentence(facts)


def kind_label(code: str) -> str:
    """The translated name of an event kind."""
    known = KINDS.get(code)
    return str(known.label) if known else _("Another kind of event")


def _count(details: Mapping[str, Any], key: str) -> int:
    value = details.get(key)
    return value if isinstance(value, int) else 0


_FIELD_LABELS = {
    "name": _l("name"),
    "address": _l("address"),
    "kind": _l("kind"),
    "jurisdiction": _l("jurisdiction"),
    "permit_number": _l("permit number"),
    "department": _l("department"),
    "rooms": _l("number of guest rooms"),
    "first_name": _l("first name"),
    "last_name": _l("last name"),
    "email": _l("email"),
    "job_role": _l("job role"),
    "hire_date": _l("hire date"),
    "language": _l("language"),
    "extra_time_percent": _l("extra time"),
    "employment": _l("employment"),
    "under_16_at_hire": _l("age at hire"),
    "active": _l("active"),
}


def _fields(details: Mapping[str, Any]) -> str:
    names = details.get("fields") or []
    labels = [str(_FIELD_LABELS.get(str(n), _l("other details"))) for n in names]
    return ", ".join(dict.fromkeys(labels)) or _("nothing")


# --- sign-in and accounts ----------------------------------------------------------------


@kind("login.succeeded", _l("Signed in"))
def _login_succeeded(f: EventFacts) -> str:
    if f.details.get("method") == "access_code":
        return _("%(person)s signed in with an access code.", person=f.whom())
    return _("%(person)s signed in with a password.", person=f.whom())


@kind("login.failed", _l("Failed sign-in"))
def _login_failed(f: EventFacts) -> str:
    if f.person and f.details.get("inactive"):
        return _(
            "A sign-in as %(person)s was refused: the account is deactivated.", person=f.person
        )
    if f.person:
        return _("A sign-in as %(person)s failed: wrong password.", person=f.person)
    if f.details.get("method") == "access_code":
        return _("A sign-in with an unknown access code failed.")
    return _("A sign-in with an address that has no account failed.")


@kind("logout", _l("Signed out"))
def _logout(f: EventFacts) -> str:
    return _("%(person)s signed out.", person=f.whom())


@kind("password.changed", _l("Password changed"))
def _password_changed(f: EventFacts) -> str:
    return _("%(person)s changed their password.", person=f.whom())


@kind("password.change_failed", _l("Failed password change"))
def _password_change_failed(f: EventFacts) -> str:
    return _(
        "%(person)s tried to change their password but the current password was wrong.",
        person=f.whom(),
    )


@kind("access_code.issued", _l("Access code issued"))
def _code_issued(f: EventFacts) -> str:
    return _("%(actor)s gave %(person)s a new access code.", actor=f.who(), person=f.whom())


@kind("access_code.revoked", _l("Access code cancelled"))
def _code_revoked(f: EventFacts) -> str:
    return _("%(actor)s cancelled the access code of %(person)s.", actor=f.who(), person=f.whom())


@kind("user.role_changed", _l("Role changed"))
def _role_changed(f: EventFacts) -> str:
    old, new = str(f.details.get("from", "")), str(f.details.get("to", ""))
    return _(
        "%(actor)s changed the role of %(person)s from %(old)s to %(new)s.",
        actor=f.who(),
        person=f.whom(),
        old=str(ROLE_LABELS.get(old, _("another role"))),
        new=str(ROLE_LABELS.get(new, _("another role"))),
    )


# --- organizations and staff ---------------------------------------------------------------


@kind("org.created", _l("Organization created"))
def _org_created(f: EventFacts) -> str:
    return _("%(actor)s created the organization %(org)s.", actor=f.who(), org=f.org())


@kind("org.updated", _l("Organization changed"))
def _org_updated(f: EventFacts) -> str:
    return _(
        "%(actor)s changed the %(fields)s of %(org)s.",
        actor=f.who(),
        fields=_fields(f.details),
        org=f.org(),
    )


@kind("org.contact_added", _l("Workplace contact added"))
def _contact_added(f: EventFacts) -> str:
    return _(
        "%(actor)s added the contact “%(label)s” (%(phone)s) for the staff of %(org)s.",
        actor=f.who(),
        label=str(f.details.get("label", "")),
        phone=str(f.details.get("phone", "")),
        org=f.org(),
    )


@kind("org.contact_updated", _l("Workplace contact changed"))
def _contact_updated(f: EventFacts) -> str:
    after = f.details.get("after") or {}
    return _(
        "%(actor)s changed the contact “%(label)s” of %(org)s.",
        actor=f.who(),
        label=str(after.get("label", "")) if isinstance(after, dict) else "",
        org=f.org(),
    )


@kind("org.contact_removed", _l("Workplace contact removed"))
def _contact_removed(f: EventFacts) -> str:
    return _(
        "%(actor)s removed the contact “%(label)s” of %(org)s.",
        actor=f.who(),
        label=str(f.details.get("label", "")),
        org=f.org(),
    )


@kind("staff.added", _l("Staff member added"))
def _staff_added(f: EventFacts) -> str:
    return _(
        "%(actor)s added %(person)s to the staff of %(org)s.",
        actor=f.who(),
        person=f.whom(),
        org=f.org(),
    )


@kind("staff.updated", _l("Staff member changed"))
def _staff_updated(f: EventFacts) -> str:
    return _(
        "%(actor)s changed the %(fields)s of %(person)s.",
        actor=f.who(),
        fields=_fields(f.details),
        person=f.whom(),
    )


@kind("staff.invited", _l("Staff member invited"))
def _staff_invited(f: EventFacts) -> str:
    return _("%(actor)s sent %(person)s an invitation by email.", actor=f.who(), person=f.whom())


@kind("staff.deactivated", _l("Staff member deactivated"))
def _staff_deactivated(f: EventFacts) -> str:
    return _("%(actor)s deactivated the account of %(person)s.", actor=f.who(), person=f.whom())


@kind("staff.reactivated", _l("Staff member reactivated"))
def _staff_reactivated(f: EventFacts) -> str:
    return _("%(actor)s reactivated the account of %(person)s.", actor=f.who(), person=f.whom())


@kind("staff.imported", _l("Staff imported"))
def _staff_imported(f: EventFacts) -> str:
    return ngettext(
        "%(actor)s imported %(num)d staff member into %(org)s.",
        "%(actor)s imported %(num)d staff members into %(org)s.",
        _count(f.details, "rows"),
        actor=f.who(),
        org=f.org(),
    )


# --- training ------------------------------------------------------------------------------


@kind("enrollment.created", _l("Enrolled in a training"))
def _enrolled(f: EventFacts) -> str:
    return _(
        "%(person)s was enrolled in the training “%(training)s”.",
        person=f.whom(),
        training=f.training or _("a training no longer offered"),
    )


@kind("module.attested", _l("Module attested"))
def _attested(f: EventFacts) -> str:
    return _(
        "%(person)s attested to having completed the module “%(module)s”.",
        person=f.whom(),
        module=f.module or _("a module"),
    )


@kind("module.extra_round", _l("Extra test attempts granted"))
def _extra_round(f: EventFacts) -> str:
    return _(
        "%(actor)s gave %(person)s another round of post-test attempts on “%(module)s”.",
        actor=f.who(),
        person=f.whom(),
        module=f.module or _("a module"),
    )


# --- certificates --------------------------------------------------------------------------


@kind("certificate.issued", _l("Certificate issued"))
def _cert_issued(f: EventFacts) -> str:
    return _(
        "%(holder)s earned the certificate %(serial)s.",
        holder=f.cert_holder(),
        serial=f.subject_id,
    )


@kind("certificate.rendered", _l("Certificate PDF stored"))
def _cert_rendered(f: EventFacts) -> str:
    return _(
        "The PDF of the certificate %(serial)s was produced and stored (fingerprint %(sha)s).",
        serial=f.subject_id,
        sha=str(f.details.get("sha256", ""))[:16],
    )


@kind("certificate.reissued", _l("Certificate re-issued"))
def _cert_reissued(f: EventFacts) -> str:
    return _(
        "%(actor)s re-issued the certificate of %(holder)s as %(serial)s, replacing %(old)s.",
        actor=f.who(),
        holder=f.cert_holder(),
        serial=f.subject_id,
        old=str(f.details.get("supersedes") or "—"),
    )


@kind("certificate.revoked", _l("Certificate revoked"))
def _cert_revoked(f: EventFacts) -> str:
    return _(
        "%(actor)s revoked the certificate %(serial)s of %(holder)s: reason “%(reason)s”.",
        actor=f.who(),
        serial=f.subject_id,
        holder=f.cert_holder(),
        reason=str(f.details.get("reason", "")),
    )


@kind("certificate.downloaded", _l("Certificate downloaded"))
def _cert_downloaded(f: EventFacts) -> str:
    return _(
        "%(actor)s downloaded the certificate %(serial)s of %(holder)s.",
        actor=f.who(),
        serial=f.subject_id,
        holder=f.cert_holder(),
    )


# --- compliance ----------------------------------------------------------------------------


@kind("compliance.annual_report_filed", _l("Annual certification filed"))
def _annual_filed(f: EventFacts) -> str:
    return _(
        "%(actor)s filed the %(year)s annual certification of %(org)s: "
        "%(trained)d of %(covered)d covered staff trained.",
        actor=f.who(),
        year=str(f.details.get("year", "")),
        org=f.org(),
        trained=_count(f.details, "trained"),
        covered=_count(f.details, "covered"),
    )


@kind("compliance.records_exported", _l("Training records exported"))
def _records_exported(f: EventFacts) -> str:
    people = ngettext("%(num)d person", "%(num)d people", _count(f.details, "people"))
    certificates = ngettext(
        "%(num)d certificate", "%(num)d certificates", _count(f.details, "certificates")
    )
    return _(
        "%(actor)s exported the training records of %(org)s (%(people)s, %(certificates)s).",
        actor=f.who(),
        org=f.org(),
        people=people,
        certificates=certificates,
    )


# --- the platform --------------------------------------------------------------------------


@kind("demo.generated", _l("Demonstration data created"))
def _demo(f: EventFacts) -> str:
    hotels = ngettext("%(num)d hotel", "%(num)d hotels", _count(f.details, "hotels"))
    staff = ngettext("%(num)d staff member", "%(num)d staff members", _count(f.details, "staff"))
    return _("Demonstration data was created: %(hotels)s, %(staff)s.", hotels=hotels, staff=staff)


@kind("audit.verified", _l("Audit log verified"))
def _verified(f: EventFacts) -> str:
    count = _count(f.details, "count")
    if f.details.get("ok"):
        return ngettext(
            "%(actor)s verified the audit log: %(num)d event, none altered.",
            "%(actor)s verified the audit log: %(num)d events, none altered.",
            count,
            actor=f.who(),
        )
    return _(
        "%(actor)s verified the audit log and found it altered at event %(seq)d.",
        actor=f.who(),
        seq=_count(f.details, "first_broken_seq"),
    )
