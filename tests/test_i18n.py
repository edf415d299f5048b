"""Every message of the pages and the domain has an English translation."""

import re
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
METHODS = [("registry/**.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None, "_l": None}


def source_messages() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(str(ROOT), METHODS, keywords=KEYWORDS):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_english_catalogue_is_complete():
    with open(ROOT / "translations/en/LC_MESSAGES/messages.po", "rb") as f:
        catalogue = read_po(f)
    translated = {m.id for m in catalogue if m.id and m.string and not m.fuzzy}
    messages = source_messages()
    assert len(messages) > 50
    assert sorted(messages - translated) == []


def test_english_pages_use_the_catalogue(client):
    page = client.get("/?lang=en").get_data(as_text=True)
    assert "Information technology targets" in page
    assert "Chỉ tiêu ứng dụng công nghệ thông tin" not in page


TEMPLATE_DIR = ROOT / "templates"
JINJA = re.compile(r"{#.*?#}|{%.*?%}|{{.*?}}", re.S)
TAG = re.compile(r"<[^>]*>", re.S)
# Text that may stand untranslated in a template: punctuation, numbers and symbols,
# and the few proper names and codes that read the same in both languages.
ALLOWED_WORDS = {"English", "Tiếng", "Việt", "API", "JSON", "CSV", "XLSX", "OpenAPI", "Bearer", "Authorization"}


SHOWN_ATTRIBUTES = re.compile(r'\b(?:alt|title|aria-label|placeholder)="([^"]*)"')


def untranslated_text(source: str) -> list[str]:
    """Words a reader would see that are not inside a translation call."""
    bare = JINJA.sub(" ", source)
    text = TAG.sub(" ", bare) + " " + " ".join(SHOWN_ATTRIBUTES.findall(bare))
    words = re.findall(r"[^\W\d_]+", text)
    return [w for w in words if w not in ALLOWED_WORDS]


def test_templates_have_no_untranslated_text():
    found = {}
    for path in TEMPLATE_DIR.rglob("*.html"):
        words = untranslated_text(path.read_text(encoding="utf-8"))
        if words:
            found[str(path.relative_to(ROOT))] = words[:10]
    assert found == {}


def test_the_template_check_can_fail():
    assert untranslated_text("<p>{{ _('Xin chào') }}</p>") == []
    assert untranslated_text("<p>Xin chào {{ name }}</p>") == ["Xin", "chào"]
    assert untranslated_text('<a title="Trang chủ" href="/">{{ _("x") }}</a>') == ["Trang", "chủ"]
