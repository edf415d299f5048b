"""Every message of the pages and the domain has an English translation."""

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
