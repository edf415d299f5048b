"""Fill English translations into translations/en from a JSON object {msgid: msgstr}.

    make messages
    .venv/bin/python tools/translate.py new.json   # then: make translations

Prints the msgids still untranslated, so that none is forgotten.
"""

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parent.parent / "translations/en/LC_MESSAGES/messages.po"


def main(argv: list[str]) -> int:
    translations = json.loads(Path(argv[1]).read_text(encoding="utf-8")) if len(argv) > 1 else {}
    with PO.open("rb") as f:
        catalogue = read_po(f)
    for message in catalogue:
        if message.id in translations:
            message.string = translations[message.id]
            message.flags.discard("fuzzy")
    with PO.open("wb") as f:
        write_po(f, catalogue, width=120, omit_header=False)
    missing = [m.id for m in catalogue if m.id and not m.string]
    for msgid in missing:
        print(json.dumps(msgid, ensure_ascii=False))
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
