"""Import every feature's models so metadata (and migrations) see all tables."""

from trainer.assessments.models import Attempt, Response
from trainer.audit.models import AuditEvent, AuditHead
from trainer.auth.models import User
from trainer.catalog.models import Module, ModuleVersion, Track, TrackModule
from trainer.certificates.models import Certificate, CertificateFile, SerialCounter
from trainer.compliance.models import AnnualReport, ReminderDelivery
from trainer.jobs.models import JobRun
from trainer.learning.models import Enrollment, LessonProgress, ModuleProgress
from trainer.mail.models import OutboxMail
from trainer.orgs.models import Organization, OrganizationContact
from trainer.outcomes.models import OutcomeSnapshot

__all__ = [
    "AnnualReport",
    "Attempt",
    "AuditEvent",
    "AuditHead",
    "Certificate",
    "CertificateFile",
    "Enrollment",
    "JobRun",
    "LessonProgress",
    "Module",
    "ModuleProgress",
    "ModuleVersion",
    "Organization",
    "OrganizationContact",
    "OutboxMail",
    "OutcomeSnapshot",
    "ReminderDelivery",
    "Response",
    "SerialCounter",
    "Track",
    "TrackModule",
    "User",
]
