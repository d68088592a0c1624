"""The rule file checker's part that reads whom a rule covers.

Organization kinds, related rules, job roles, kinds of employment and exemptions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trainer.compliance.duedates import (
    Exemption,
)
from trainer.compliance.ruleformat import (
    APPLIES_FIELDS,
    EMPLOYMENT_TYPES,
    EXEMPTION_FIELDS,
    INVALID,
    JOB_ROLES,
    ORG_KINDS,
    FileChecker,
    Invalid,
)
from trainer.core.yamlsrc import LineDict, LineList


class CoverageChecks(FileChecker):
    """The parts of a rule file that say whom the rule covers."""

    def applies_to(
        self,
    ) -> tuple[tuple[str, ...] | None, Mapping[str, str] | None, int | None]:
        """Check `applies_to`: its organization kinds, scope description and room threshold."""
        data = self.data
        if "applies_to" not in data:
            return None, None, None
        value = data["applies_to"]
        if not isinstance(value, LineDict):
            self.problem(data.line_of("applies_to"), "applies_to: must be a mapping")
            return None, None, None
        self.fields(value, "applies_to", APPLIES_FIELDS, ("org_kinds",))
        scope = None
        if "description" in value:
            scope = self.text(
                value["description"], value.line_of("description"), "applies_to.description"
            )
        rooms = None
        if "rooms_more_than" in value:
            rooms = self.positive_int(
                value["rooms_more_than"],
                value.line_of("rooms_more_than"),
                "applies_to.rooms_more_than",
                nullable=False,
            )
        if "org_kinds" not in value:
            return None, scope, rooms
        kinds = value["org_kinds"]
        line = value.line_of("org_kinds")
        if not isinstance(kinds, LineList) or not kinds:
            self.problem(line, "applies_to.org_kinds: must be a non-empty list")
            return None, scope, rooms
        result: list[str] = []
        for index, kind in enumerate(kinds):
            if kind not in ORG_KINDS:
                self.problem(
                    kinds.line_of(index),
                    f"applies_to.org_kinds: unknown organization kind '{kind}'"
                    f" (known: {', '.join(ORG_KINDS)})",
                )
            elif kind in result:
                self.problem(kinds.line_of(index), f"applies_to.org_kinds: '{kind}' is repeated")
            else:
                result.append(kind)
        return tuple(result), scope, rooms

    def also(self) -> tuple[str, ...]:
        """Check `also`: a list of other rule ids that exist, not this rule itself."""
        data = self.data
        if "also" not in data:
            return ()
        value = data["also"]
        if not isinstance(value, LineList):
            self.problem(data.line_of("also"), "also: must be a list of rule ids")
            return ()
        result: list[str] = []
        for index, other in enumerate(value):
            line = value.line_of(index)
            if not isinstance(other, str):
                self.problem(line, "also: must be a list of rule ids")
            elif other == self.stem:
                self.problem(line, f"also: rule '{other}' names itself")
            elif other not in self.known_ids:
                self.problem(line, f"also: unknown rule '{other}'")
            elif other in result:
                self.problem(line, f"also: '{other}' is repeated")
            else:
                result.append(other)
        return tuple(result)

    def covered_roles(self) -> tuple[str, ...] | Invalid | None:
        """Check `covered_roles`: `all` (None) or job role ids; INVALID when unusable."""
        data = self.data
        if "covered_roles" not in data:
            return INVALID
        value = data["covered_roles"]
        line = data.line_of("covered_roles")
        if value == "all":
            return None
        if not isinstance(value, LineList) or not value:
            self.problem(line, "covered_roles: must be 'all' or a non-empty list of job roles")
            return INVALID
        result: list[str] = []
        for index, role in enumerate(value):
            if role not in JOB_ROLES:
                self.problem(
                    value.line_of(index),
                    f"covered_roles: unknown job role '{role}' (known: {', '.join(JOB_ROLES)})",
                )
            elif role in result:
                self.problem(value.line_of(index), f"covered_roles: '{role}' is repeated")
            else:
                result.append(role)
        return tuple(result) if result else INVALID

    def role_list(self, value: Any, line: int, where: str) -> tuple[str, ...] | None:
        """Check a non-empty list of known job roles, each once; None when unusable."""
        if not isinstance(value, LineList) or not value:
            self.problem(line, f"{where}: must be a non-empty list of job roles")
            return None
        result: list[str] = []
        good = True
        for index, role in enumerate(value):
            if role not in JOB_ROLES:
                self.problem(
                    value.line_of(index),
                    f"{where}: unknown job role '{role}' (known: {', '.join(JOB_ROLES)})",
                )
                good = False
            elif role in result:
                self.problem(value.line_of(index), f"{where}: '{role}' is repeated")
                good = False
            else:
                result.append(role)
        return tuple(result) if good else None

    def covered_employment(self) -> tuple[str, ...] | Invalid | None:
        """Check `covered_employment`: a list of employment types; absent covers everyone."""
        data = self.data
        if "covered_employment" not in data:
            return None
        value = data["covered_employment"]
        line = data.line_of("covered_employment")
        known = ", ".join(EMPLOYMENT_TYPES)
        if not isinstance(value, LineList) or not value:
            self.problem(
                line, f"covered_employment: must be a non-empty list of employment types ({known})"
            )
            return INVALID
        result: list[str] = []
        for index, kind in enumerate(value):
            if kind not in EMPLOYMENT_TYPES:
                self.problem(
                    value.line_of(index),
                    f"covered_employment: unknown employment type '{kind}' (known: {known})",
                )
                return INVALID
            if kind in result:
                self.problem(value.line_of(index), f"covered_employment: '{kind}' is repeated")
                return INVALID
            result.append(kind)
        return tuple(result)

    def exemptions(self) -> tuple[Exemption, ...]:
        """Check `exemptions`: a list of {job_roles, under_16_at_hire, unless_job_roles, reason}."""
        data = self.data
        if "exemptions" not in data:
            return ()
        value = data["exemptions"]
        if not isinstance(value, LineList):
            self.problem(data.line_of("exemptions"), "exemptions: must be a list")
            return ()
        result: list[Exemption] = []
        for index, item in enumerate(value):
            line = value.line_of(index)
            if not isinstance(item, LineDict):
                self.problem(line, "exemptions: each item must be a mapping")
                continue
            self.fields(item, "exemptions", EXEMPTION_FIELDS, ("reason",))
            good = True
            roles = None
            if "job_roles" in item:
                roles = self.role_list(
                    item["job_roles"], item.line_of("job_roles"), "exemptions.job_roles"
                )
                good = good and roles is not None
            young = item.get("under_16_at_hire", False)
            if "under_16_at_hire" in item and young is not True:
                self.problem(
                    item.line_of("under_16_at_hire"),
                    "exemptions.under_16_at_hire: must be true (leave it out otherwise)",
                )
                good = False
            unless: tuple[str, ...] | None = ()
            if "unless_job_roles" in item:
                unless = self.role_list(
                    item["unless_job_roles"],
                    item.line_of("unless_job_roles"),
                    "exemptions.unless_job_roles",
                )
                good = good and unless is not None
            if "job_roles" not in item and "under_16_at_hire" not in item:
                self.problem(
                    line, "exemptions: an exemption needs job_roles, under_16_at_hire or both"
                )
                good = False
            reason = None
            if "reason" in item:
                reason = self.text(item["reason"], item.line_of("reason"), "exemptions.reason")
            if good and reason is not None and unless is not None:
                result.append(Exemption(reason, roles, young is True, unless))
        return tuple(result)
