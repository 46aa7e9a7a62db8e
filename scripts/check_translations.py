"""Check the translation catalogues: every string of the code is translated into Arabic
and Kurdish (Sorani), no fuzzy entries, placeholders kept, and the compiled .mo files
match the .po files."""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "sanad" / "locale"
LANGS = ("ar", "ckb")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|\{(\w*)\}|%[sd]")


def placeholders(text: str) -> list[str]:
    return sorted(m.group(0) for m in PLACEHOLDER.finditer(text))


def main() -> int:
    problems: list[str] = []
    for lang in LANGS:
        po_path = LOCALE / lang / "LC_MESSAGES" / "django.po"
        if not po_path.exists():
            problems.append(f"{lang}: {po_path} is missing")
            continue
        po = polib.pofile(str(po_path))
        for entry in po:
            if entry.obsolete:
                continue
            where = f"{lang}: {entry.msgid[:60]!r}"
            if "fuzzy" in entry.flags:
                problems.append(f"{where} is marked fuzzy")
            if entry.msgid_plural:
                if not entry.msgstr_plural or not all(entry.msgstr_plural.values()):
                    problems.append(f"{where} has untranslated plural forms")
                    continue
                texts = list(entry.msgstr_plural.values())
            else:
                if not entry.msgstr:
                    problems.append(f"{where} is not translated")
                    continue
                texts = [entry.msgstr]
            expected = set(placeholders(entry.msgid)) | set(placeholders(entry.msgid_plural or ""))
            for text in texts:
                if not set(placeholders(text)) <= expected or (
                    "python-format" in entry.flags
                    and set(placeholders(text)) != set(placeholders(entry.msgid))
                    and not entry.msgid_plural
                ):
                    problems.append(
                        f"{where}: placeholders differ ({placeholders(text)} vs {sorted(expected)})"
                    )
        mo_path = po_path.with_suffix(".mo")
        with tempfile.NamedTemporaryFile(suffix=".mo") as tmp:
            po.save_as_mofile(tmp.name)
            if not mo_path.exists() or Path(tmp.name).read_bytes() != mo_path.read_bytes():
                problems.append(
                    f"{lang}: {mo_path.name} is out of date; run `make messages` "
                    "or `python scripts/compile_messages.py`"
                )
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} translation problem(s).")
        return 1
    print("Translations complete for: " + ", ".join(LANGS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
