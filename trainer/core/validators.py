"""Form validators shared by several features."""

from __future__ import annotations

from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError


def check_email(address: str) -> str:
    """Return the normalized address, or raise EmailNotValidError.

    Special-use domains such as `.test` (the demo accounts') are accepted unless the
    configuration turns EMAIL_ALLOW_TEST_DOMAINS off, as production does.
    """
    result = validate_email(
        address,
        check_deliverability=False,
        test_environment=bool(current_app.config.get("EMAIL_ALLOW_TEST_DOMAINS", False)),
    )
    return result.normalized


class EmailAddress:
    """WTForms validator for an email address (empty values are left to Optional)."""

    def __init__(self, message: Any = None) -> None:
        self.message = message or _l("Enter a valid email address.")

    def __call__(self, form: Any, field: Any) -> None:
        if not field.data:
            return
        try:
            check_email(field.data)
        except EmailNotValidError:
            raise ValidationError(self.message) from None
