"""Errors the domain raises, each with a status for the web doors and a message.

Messages are Vietnamese message ids (the registry's default language) with
%(name)s parameters; the doors translate them with Flask-Babel for the user's
language, the CLI prints them as they are.
"""


def N_(message: str) -> str:
    """Mark a message for extraction without translating it here."""
    return message


class Msg(str):
    """A Vietnamese message with its parameters filled in, that still knows its
    template and parameters so that a door can translate it."""

    def __new__(cls, template: str, **params):
        text = super().__new__(cls, template % params if params else template)
        text.template = template
        text.params = params
        return text


def translate(message: str, gettext) -> str:
    """``message`` in the language ``gettext`` translates to; parameters that are
    messages themselves (a state's name, an action's) are translated too."""
    if isinstance(message, Msg):
        translated = gettext(message.template)
        if not message.params:
            return translated
        return translated % {k: translate(v, gettext) if isinstance(v, Msg) else v for k, v in message.params.items()}
    return gettext(message)


class DomainError(Exception):
    status = 422
    code = "invalid"

    def __init__(self, message: str, fields: dict[str, str] | None = None, extra: dict | None = None, **params):
        self.message = message if isinstance(message, Msg) and not params else Msg(message, **params)
        self.fields = fields or {}
        self.extra = extra or {}  # more for the API's error body (the conflicting fields of a save)
        super().__init__(self.message)


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class ValidationFailed(DomainError):
    status = 422
    code = "validation_failed"


class TooManyAttempts(DomainError):
    status = 429
    code = "too_many_attempts"
