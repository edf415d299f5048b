"""Made-up data, apart from the registry's own code: the Điện Biên demonstration set
(``registry demo``) and the synthetic national-scale registry (``registry synth``).

``shows_sample_data`` is what every page asks to put up the demonstration banner;
it is here, light, so that asking does not import the data sets.
"""

from sqlmodel import Session, select

from registry.core import generations
from registry.core.memo import TokenMemo
from registry.models import AuditEvent

LOADED = ("demo.load", "synth.load")
_answers = TokenMemo(64)  # database → whether it holds made-up data, per generation


def recorded(session: Session, *actions: str) -> bool:
    return session.exec(select(AuditEvent.id).where(AuditEvent.action.in_(actions)).limit(1)).first() is not None


def shows_sample_data(session: Session) -> bool:
    """Whether the registry shows made-up data (either set): the pages then say so. Loading
    a set writes agencies and services, which starts a new generation; so the answer is
    kept per generation, and asking costs no query on a page that reads the tokens anyway."""
    found = generations.tokens(session, "verified")
    if found is None or generations.written(session):
        return recorded(session, *LOADED)
    key, token = str(session.get_bind().url), found[generations.EVERY_PERIOD]
    answer = _answers.get(key, token)
    if answer is None:
        answer = recorded(session, *LOADED)
        _answers.put(key, token, answer)
    return answer
