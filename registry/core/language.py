"""The registry's words outside a web request (e-mail, the command line): Vietnamese
message ids translated with the compiled catalogue of translations/, as the pages do
through Flask-Babel."""

from functools import lru_cache

LANGUAGES = ("vi", "en")


@lru_cache(maxsize=8)
def _translations(language: str):
    from babel.support import NullTranslations, Translations

    from registry.core.paths import resource

    if language == "vi":
        return NullTranslations()
    return Translations.load(str(resource("translations")), [language])


def gettext_for(language: str):
    """The gettext of ``language``: Vietnamese ids stay as they are."""
    return _translations(language).gettext
