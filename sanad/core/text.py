"""Text normalisation for matching people's names, phones and document numbers.

Arabic script: diacritics and tatweel removed, hamza forms of alef unified, alef
maqsura → yeh, taa marbuta → heh, Persian/Kurdish yeh and keheh folded, the article
"ال" dropped from the start of a word, "عبد ال…" joined into one token.
Latin: case-folded, accents removed, apostrophes dropped, "al-"/"el-" articles dropped,
"abdul"/"abd al" joined, doubled letters reduced.

No cross-script transliteration here: that belongs to deduplication (dedup).
"""

from __future__ import annotations

import re
import unicodedata

_ARABIC_STRIP = dict.fromkeys([*range(0x064B, 0x0660), 0x0670, 0x0640, 0x06E1, 0x06ED])
_ARABIC_FOLD = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ٲ": "ا",
        "ٳ": "ا",
        "ى": "ي",
        "ی": "ي",
        "ې": "ي",
        "ێ": "ي",
        "ة": "ه",
        "ۀ": "ه",
        "ە": "ه",
        "ھ": "ه",
        "ک": "ك",
        "ؤ": "و",
        "ۆ": "و",
        "ئ": "ي",
    }
)
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_APOSTROPHES = re.compile(r"['’‘`ʿʾ´]")
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—_.,/()]+")
_LATIN_ARTICLES = {"al", "el", "ul"}
_DOUBLED = re.compile(r"(.)\1+")


def _is_arabic(word: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f" for ch in word)


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(
        ch for ch in decomposed if unicodedata.category(ch) != "Mn" or "\u0600" <= ch <= "\u06ff"
    )
    return unicodedata.normalize("NFC", kept)


def name_tokens(text: str) -> list[str]:
    """Normalised tokens of a name in Arabic or Latin script, in order."""
    text = (
        _strip_accents(text or "")
        .translate(_ARABIC_STRIP)
        .translate(_ARABIC_FOLD)
        .translate(_DIGITS)
    )
    text = _APOSTROPHES.sub("", text.casefold())
    words = [w for w in _SEPARATORS.split(text) if w]
    tokens: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if _is_arabic(word):
            # "عبد الرحمن" / "عبدالرحمن" → one token "عبدرحمن"; the article goes.
            if word == "عبد" and i + 1 < len(words):
                nxt = words[i + 1]
                nxt = nxt[2:] if nxt.startswith("ال") and len(nxt) > 3 else nxt
                tokens.append("عبد" + nxt)
                i += 2
                continue
            if word.startswith("عبدال") and len(word) > 6:
                word = "عبد" + word[5:]
            elif word.startswith("ال") and len(word) > 3:
                word = word[2:]
            tokens.append(word)
        else:
            if word in _LATIN_ARTICLES:
                i += 1
                continue
            if word in {"abd", "abdul", "abdel", "abdal"} and i + 1 < len(words):
                nxt = words[i + 1]
                if nxt in _LATIN_ARTICLES and i + 2 < len(words):
                    nxt = words[i + 2]
                    i += 1
                tokens.append(_DOUBLED.sub(r"\1", "abd" + nxt))
                i += 2
                continue
            for prefix in ("abdul", "abdel", "abdal"):
                if word.startswith(prefix) and len(word) > len(prefix) + 1:
                    word = "abd" + word[len(prefix) :]
                    break
            word = _DOUBLED.sub(r"\1", word)
            tokens.append(word)
        i += 1
    return tokens


def name_key(*parts: str) -> str:
    """Space-separated normalised tokens of all the given name parts."""
    return " ".join(tok for part in parts for tok in name_tokens(part))


IRAQ_MOBILE = re.compile(r"^\+9647\d{9}$")


def normalise_phone(value: str) -> str:
    """An Iraqi mobile number as +9647XXXXXXXXX. Accepts 07XX…, 7XX…, 9647…, 009647…,
    +964 7XX…, with spaces, dashes and Arabic-Indic digits. Raises ValueError otherwise."""
    digits = re.sub(r"\D", "", (value or "").translate(_DIGITS))
    if digits.startswith("00964"):
        digits = digits[5:]
    elif digits.startswith("964"):
        digits = digits[3:]
    if digits.startswith("0"):
        digits = digits[1:]
    number = "+964" + digits
    if not IRAQ_MOBILE.match(number):
        raise ValueError(value)
    return number


def document_key(value: str) -> str:
    """A document number without spaces, dashes or slashes, upper case, ASCII digits."""
    return re.sub(r"[\s\-/.]", "", (value or "").translate(_DIGITS)).upper()
