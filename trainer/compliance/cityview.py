"""The city auditor's headline: the compliance rate and what needs attention.

The overview's numbers come from `services.org_summaries`; this module only judges them.
A city reads "every organization has filed" as good news, so that sentence is shown as a
success only when the compliance rate also reaches `COMPLIANCE_TARGET` and nobody is late;
otherwise the page states the facts in a neutral box and lists what needs attention.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from trainer.compliance.services import OrgSummary

#: Share of covered staff (percent) holding a current certificate at or above which the
#: city's rate counts as good. Below it the headline never shows success.
COMPLIANCE_TARGET = 90.0


class Tone(StrEnum):
    """How the headline box is shown (the words always carry the meaning)."""

    SUCCESS = "success"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Headline:
    """What the auditor reads first on the city view."""

    organizations: int
    covered: int
    trained: int
    late_staff: int
    orgs_with_late: int
    required: int
    missing: int
    target: float = COMPLIANCE_TARGET

    @property
    def rate(self) -> float | None:
        """Share of covered staff holding a current certificate, in percent."""
        return round(100 * self.trained / self.covered, 1) if self.covered else None

    @property
    def below_target(self) -> bool:
        """True when there is a rate and it is under the target."""
        return self.rate is not None and self.rate < self.target

    @property
    def needs_attention(self) -> bool:
        """True when some organization has late staff or has not filed."""
        return bool(self.orgs_with_late or self.missing)

    @property
    def all_filed(self) -> bool:
        """True when every organization that must file its certification has filed."""
        return self.required > 0 and self.missing == 0

    @property
    def tone(self) -> Tone:
        """Success only with the rate at target and nothing to attend to."""
        if self.needs_attention:
            return Tone.WARNING
        if self.rate is not None and not self.below_target:
            return Tone.SUCCESS
        return Tone.INFO


def headline(summaries: Sequence[OrgSummary], target: float = COMPLIANCE_TARGET) -> Headline:
    """Add up the organizations' numbers into the auditor's headline."""
    return Headline(
        organizations=len(summaries),
        covered=sum(s.covered for s in summaries),
        trained=sum(s.trained for s in summaries),
        late_staff=sum(s.late for s in summaries),
        orgs_with_late=sum(1 for s in summaries if s.late),
        required=sum(1 for s in summaries if s.certification_required),
        missing=sum(1 for s in summaries if s.missing_certification),
        target=target,
    )
