"""Names as the matching engine compares them: normalised in their own script, and as a
cross-script consonant *skeleton* so that محمد, Mohammed, Muhammad and Mohamed, or
عبد الرحمن, Abdul Rahman and Abdurrahman, get the same key.

Normalisation (same script, for the "exact" level)
--------------------------------------------------
Arabic script: diacritics (harakat, shadda, sukun, superscript alef) and tatweel removed;
hamza forms unified (أ إ آ ٱ → ا, ؤ → و, ئ → ي, ء dropped), alef maqsura ى → ي,
taa marbuta ة → ه; the Kurdish and Persian letters folded onto the Arabic keyboard's
(ک → ك, ی ێ → ي, ە → ه, ۆ → و, ڕ → ر, ڵ → ل, ڤ → ف, پ → ب, چ → ج, ژ → ز, گ → ك),
as a second enumerator types them; Arabic-Indic digits → ASCII. "عبد ال…" becomes one
word without the article (عبد الرحمن → عبدرحمن); "أبو X" one word; "بن"/"ابن"/"بنت"
between names dropped. The article "ال" is dropped from family names (and from any word
but the first of a name) — `keep_article=True` keeps it.

Latin script: case-folded; Hawar (Kurdish) ş → sh, ç → ch, other accents removed;
apostrophes and ʿ ʾ dropped; the articles al-/el-/ul- (and the assimilated ad-/ar-/as-/
ash-/at-/az-/an- before a hyphen) dropped; Abd al-X / Abdul X / Abdel X / Abdur-X /
Abdulx → abdx; Abu X → abux; bin/ibn/bint between names dropped; glued "Al" of a family
name (Aljubouri) dropped; doubled letters reduced.

Skeleton (cross-script, for the "transliterated" and "same skeleton" levels)
-----------------------------------------------------------------------------
Both scripts map to the same consonant classes; vowels, ع and hamza are dropped; و/w and
ي/y are kept only at the start of a word; a final h (ه, ة, ح, Latin h) is dropped;
doubled classes collapse:

    B  ب پ b p           T  ت ط t             S  س ص ث s th        Z  ز ذ ظ z dh
    D  د ض d             J  ج چ ژ j ch zh dj  H  ح ه h              X  خ kh x
    K  ق ك ک گ k q g c ck G  غ gh             C  ش sh ş            F  ف ڤ f v ph
    L  ل ڵ l   M  م m    N  ن n               R  ر ڕ r             W/Y  word-initial و/ي w/y

The Kurdish vowel ە is a vowel in the skeleton (حەسەن = Hassan); typed on an Arabic
keyboard it becomes ه, which the *alternative* skeleton (`alt`) also drops in the middle
of a word, so that حهسهن still meets Hassan.

Known collisions, accepted (the exact level and the other fields separate them):
Hassan/Hussein (HSN), Omar/Ammar (MR), Saad/Said (SD).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "NamePart",
    "name_part",
    "normalise",
    "script",
    "skeleton",
    "split_full_name",
]

# --- Arabic script -------------------------------------------------------------------------

# Harakat, Quranic marks, superscript alef, tatweel, small high marks.
_AR_STRIP = dict.fromkeys(
    [
        *range(0x0610, 0x061B),
        *range(0x064B, 0x0660),
        0x0670,
        0x0640,
        *range(0x06D6, 0x06DD),
        *range(0x06DF, 0x06E5),
        0x06E7,
        0x06E8,
        *range(0x06EA, 0x06EE),
    ]
)
# Folding for the normalised (same-script) form.
_AR_FOLD = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ٲ": "ا",
        "ٳ": "ا",
        "ؤ": "و",
        "ئ": "ي",
        "ء": "",
        "ى": "ي",
        "ی": "ي",
        "ې": "ي",
        "ێ": "ي",
        "ة": "ه",
        "ۀ": "ه",
        "ە": "ه",
        "ھ": "ه",
        "ہ": "ه",
        "ک": "ك",
        "ڪ": "ك",
        "گ": "ك",
        "ڭ": "ك",
        "ۆ": "و",
        "ۇ": "و",
        "ۊ": "و",
        "ڕ": "ر",
        "ڵ": "ل",
        "ڤ": "ف",
        "ڥ": "ف",
        "پ": "ب",
        "چ": "ج",
        "ژ": "ز",
    }
)
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")

# Skeleton classes of Arabic-script letters (before folding: ە is a vowel here).
_AR_CLASS: dict[str, str] = {}
for _letters, _cls in (
    ("بپ", "B"),
    ("تط", "T"),
    ("ثسص", "S"),
    ("جچژ", "J"),
    ("ح", "H"),
    ("هھہ", "h"),  # h: an ambiguous heh (consonant, or the vowel ە typed on an Arabic keyboard)
    ("خ", "X"),
    ("دض", "D"),
    ("ذظز", "Z"),
    ("رڕ", "R"),
    ("ش", "C"),
    ("غ", "G"),
    ("فڤڥ", "F"),
    ("قكکگڭڪ", "K"),
    ("لڵ", "L"),
    ("م", "M"),
    ("ن", "N"),
    ("وۆۇۊ", "w"),  # w: W at the start of a word, else a vowel
    ("يیێېى", "y"),  # y: Y at the start of a word, else a vowel
    ("ةۀ", "t"),  # taa marbuta: dropped (it ends a word)
):
    for _ch in _letters:
        _AR_CLASS[_ch] = _cls
# Everything else in the Arabic block (alef and hamza forms, ع, ە, digits…) is dropped.

# Words that start with "ال" without it being the article.
_AR_NOT_ARTICLE = {
    "الياس",
    "اليسع",
    "الهام",
    "الاء",
    "الفت",
    "الماس",
    "اليسا",
    "الين",
    "الان",
    "الند",
}
_AR_ABD = "عبد"
_AR_ABU = {"ابو", "أبو", "ابوو"}
_AR_BIN = {"بن", "ابن", "إبن", "بنت"}

# --- Latin script --------------------------------------------------------------------------

_APOSTROPHES = re.compile(r"['’‘`ʿʾ´ʼ]")
_LATIN_ARTICLES = {"al", "el", "ul", "il"}
# Before a hyphen, the article may be assimilated to a sun letter (ad-Din, ar-Rahman).
_LATIN_ARTICLES_HYPHEN = _LATIN_ARTICLES | {
    "ad",
    "ar",
    "as",
    "ash",
    "at",
    "az",
    "an",
    "ud",
    "ur",
    "us",
    "ed",
    "er",
    "es",
    "ez",
    "et",
    "en",
    "adh",
    "ath",
}
_LATIN_ABD = {"abd", "abdul", "abdel", "abdal", "abdil", "abdol", "abdu", "abdi", "abdou"}
_LATIN_ABU = {"abu", "abo", "abou", "aboo"}
_LATIN_BIN = {"bin", "ibn", "bint", "ben", "bn"}
_VOWELS = set("aeiou")
_LATIN_DIGRAPHS = {
    "kh": "X",
    "gh": "G",
    "sh": "C",
    "ch": "J",
    "zh": "J",
    "dj": "J",
    "th": "S",
    "dh": "Z",
    "ph": "F",
    "ck": "K",
}
_LATIN_CLASS = {
    "b": "B",
    "p": "B",
    "t": "T",
    "d": "D",
    "s": "S",
    "z": "Z",
    "c": "K",
    "k": "K",
    "q": "K",
    "g": "K",
    "j": "J",
    "f": "F",
    "v": "F",
    "h": "h",
    "x": "X",
    "l": "L",
    "m": "M",
    "n": "N",
    "r": "R",
    "w": "w",
    "y": "y",
}
_DOUBLED = re.compile(r"(.)\1+")
_WORDS = re.compile(r"[^\s,;/()\[\]{}|.+&_\"]+")


def _is_arabic_char(ch: str) -> bool:
    return "\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f" or "\ufb50" <= ch <= "\ufefc"


def script(text: str) -> str:
    """'ar' when the text is mostly Arabic-script letters, 'latin' when mostly Latin
    letters, '' when it has no letters."""
    ar = latin = 0
    for ch in text or "":
        if _is_arabic_char(ch):
            if ch.isalpha():
                ar += 1
        elif ch.isalpha():
            latin += 1
    if not ar and not latin:
        return ""
    return "ar" if ar >= latin else "latin"


def _latin_clean(word: str) -> str:
    word = word.casefold().replace("ş", "sh").replace("ç", "ch").replace("ß", "ss")
    word = unicodedata.normalize("NFKD", word)
    word = "".join(ch for ch in word if unicodedata.category(ch) != "Mn")
    word = _APOSTROPHES.sub("", word)
    return "".join(ch for ch in word if ch.isalnum() or ch == "-")


def _arabic_clean(word: str) -> str:
    """Diacritics, tatweel and punctuation removed; letters not yet folded."""
    word = unicodedata.normalize("NFC", word).translate(_AR_STRIP).translate(_DIGITS)
    return "".join(ch for ch in word if ch.isalnum())


@dataclass(frozen=True, slots=True)
class _Token:
    text: str  # cleaned word (Arabic: not folded; Latin: lower case, not de-doubled)
    arabic: bool
    article: bool = False  # the word carried the article "ال" / "al-"


def _strip_latin_abd(word: str) -> str:
    """abdulrahman → abdrahman, abdurrahman → abdrahman, abdallah → abdlah."""
    rest = word[3:]
    if len(rest) >= 3 and rest[0] in _VOWELS:
        if (rest[1] == "l" and len(rest) > 3) or (
            rest[1] not in _VOWELS and len(rest) > 2 and rest[1] == rest[2]
        ):
            rest = rest[2:]
        elif rest[1] not in _VOWELS:
            rest = rest[1:]
    return "abd" + rest


def _latin_drop_article(word: str) -> str:
    """The article glued to the next word of an Abd- compound: allah → lah, arrahman → rahman."""
    if len(word) > 3 and word[0] in "aeu" and word[1] == "l":
        return word[2:]
    return word


def _tokens(text: str, *, family: bool = False, keep_article: bool = False) -> list[_Token]:
    """Cleaned words of a name with compounds joined and articles, ibn/bin dropped."""
    raw: list[tuple[str, bool, bool]] = []  # (word, arabic, hyphen_article)
    for chunk in _WORDS.findall(unicodedata.normalize("NFC", text or "")):
        if any(_is_arabic_char(ch) for ch in chunk):
            for piece in re.split(r"[-‐‑‒–—]+", chunk):
                word = _arabic_clean(piece)
                if word:
                    raw.append((word, True, False))
            continue
        pieces = [p for p in re.split(r"[-‐‑‒–—]+", _latin_clean(chunk)) if p]
        for i, piece in enumerate(pieces):
            hyphen_article = i + 1 < len(pieces) and piece in _LATIN_ARTICLES_HYPHEN
            raw.append((piece, False, hyphen_article))

    tokens: list[_Token] = []
    i = 0
    n = len(raw)
    pending_article = False
    while i < n:
        word, arabic, hyphen_article = raw[i]
        last = i == n - 1
        if arabic:
            if word == _AR_ABD and not last:
                nxt = raw[i + 1][0]
                if nxt.startswith("ال") and len(nxt) > 3:
                    nxt = nxt[2:]
                tokens.append(_Token(_AR_ABD + nxt, True))
                i += 2
                continue
            if word in _AR_ABU and not last:
                tokens.append(_Token("ابو" + raw[i + 1][0], True))
                i += 2
                continue
            if word in _AR_BIN and tokens and not last:
                i += 1
                continue
            if word.startswith("عبدال") and len(word) > 6:
                word = _AR_ABD + word[5:]
            article = False
            if (
                word.startswith(("ال", "ٱل"))
                and len(word) > 4
                and word not in _AR_NOT_ARTICLE
                and (tokens or family or (last and n > 1))
            ):
                article = True
                if not keep_article:
                    word = word[2:]
            tokens.append(_Token(word, True, article or pending_article))
            pending_article = False
            i += 1
            continue
        # Latin
        if (hyphen_article or word in _LATIN_ARTICLES) and not last:
            pending_article = True
            i += 1
            continue
        if word in _LATIN_ABD and not last:
            nxt = raw[i + 1][0]
            j = i + 1
            if (nxt in _LATIN_ARTICLES or raw[j][2]) and j + 1 < n:
                j += 1
                nxt = raw[j][0]
            else:
                nxt = _latin_drop_article(nxt)
            tokens.append(_Token("abd" + nxt, False))
            i = j + 1
            pending_article = False
            continue
        if word in _LATIN_ABU and not last:
            tokens.append(_Token("abu" + raw[i + 1][0], False))
            i += 2
            continue
        if word in _LATIN_BIN and tokens and not last:
            i += 1
            continue
        if word.startswith("abd") and len(word) >= 6:
            word = _strip_latin_abd(word)
        article = pending_article
        if family and not article and word.startswith("al") and len(word) >= 5:
            # A glued article: Aljubouri, Alshammari, Elhassan.
            word = word[2:]
            article = True
        tokens.append(_Token(word, False, article))
        pending_article = False
        i += 1
    return tokens


def _norm_token(tok: _Token) -> str:
    if tok.arabic:
        return tok.text.translate(_AR_FOLD)
    return _DOUBLED.sub(r"\1", tok.text)


def normalise(text: str, *, family: bool = False, keep_article: bool = False) -> str:
    """`text` normalised in its own script(s), words separated by one space."""
    return " ".join(
        t
        for t in (
            _norm_token(tok) for tok in _tokens(text, family=family, keep_article=keep_article)
        )
        if t
    )


# Vowels between two consonants, as sets of what they may stand for in Arabic script:
# "" an unwritten short vowel, A alef, I yeh, U waw, E the Kurdish ە / ێ. None: no
# information (no vowel written, a hamza or ع, a glide, or a long run).
_LATIN_RUNS: dict[str, frozenset[str]] = {
    "a": frozenset({"", "A", "E"}),
    "aa": frozenset({"A"}),
    "e": frozenset({"", "E", "I", "A"}),
    "i": frozenset({"", "I", "E"}),
    "o": frozenset({"", "U"}),
    "u": frozenset({"", "U"}),
}
for _run in ("ee", "ii", "ei", "ie", "ai", "ey"):
    _LATIN_RUNS[_run] = frozenset({"I"})
for _run in ("oo", "ou", "uu", "au", "ao", "ow"):
    _LATIN_RUNS[_run] = frozenset({"U"})
_AR_VOWEL: dict[str, frozenset[str] | None] = {
    "ا": frozenset({"A"}),
    "و": frozenset({"U"}),
    "ۆ": frozenset({"U"}),
    "ۇ": frozenset({"U"}),
    "ي": frozenset({"I"}),
    "ی": frozenset({"I"}),
    "ى": frozenset({"I"}),
    "ې": frozenset({"I"}),
    "ێ": frozenset({"I", "E"}),
    "ە": frozenset({"", "E"}),
}
for _ch in "عءأإآٱئؤ":
    _AR_VOWEL[_ch] = None
_ANY = "*"


def _latin_classes(word: str, out: list[str], vowels: list[object]) -> None:
    """Consonant classes of a Latin word into `out`; `vowels[k]` is the vowel run
    written before out[k]."""
    i = 0
    n = len(word)
    run = ""
    while i < n:
        two = word[i : i + 2]
        if two in _LATIN_DIGRAPHS:
            out.append(_LATIN_DIGRAPHS[two])
            vowels.append(run)
            run = ""
            i += 2
            continue
        ch = word[i]
        cls = _LATIN_CLASS.get(ch)
        if ch in _VOWELS:
            run += ch
        elif cls == "w" or cls == "y":
            if i == 0:
                out.append(cls.upper())
                vowels.append("")
            else:
                run += ch
        elif cls is not None:
            out.append("h" if cls == "h" and i < n - 1 else ("e" if cls == "h" else cls))
            vowels.append(run)
            run = ""
        i += 1
    out.append("|")  # end of a word: the vowels after the last consonant do not count
    vowels.append(run)


def _arabic_classes(word: str, out: list[str], vowels: list[object]) -> None:
    n = len(word)
    slot: set[str] = set()
    wild = False
    for i, ch in enumerate(word):
        cls = _AR_CLASS.get(ch)
        if cls == "t" and i > 0 and word[i - 1] in "اآ":
            cls = "T"  # after a long a, taa marbuta is heard: حياة Hayat, نجاة Najat
        if cls is None or cls == "t" or (cls in ("w", "y") and i > 0):
            v = _AR_VOWEL.get(ch, frozenset())
            if v is None:
                wild = True
            else:
                slot |= v
            continue
        if cls == "w":
            cls = "W"
        elif cls == "y":
            cls = "Y"
        elif cls == "h":
            cls = "h" if i == 0 else ("e" if i == n - 1 else "k")  # k: a medial heh
        elif cls == "H" and i == n - 1:
            cls = "e"
        out.append(cls)
        vowels.append(_ANY if wild else frozenset(slot or {""}))
        slot = set()
        wild = False
    out.append("|")
    vowels.append(_ANY)


def _vowel_set(v: object) -> frozenset[str] | None:
    if v == _ANY or v == "":
        return None
    if isinstance(v, frozenset):
        return v
    return _LATIN_RUNS.get(str(v))


def _finish(classes: list[str], vowels: list[object], *, alt: bool) -> tuple[str, str]:
    """The skeleton of a whole name, and its vowel signature: a final h dropped, the
    'h'-variants resolved, doubled classes collapsed."""
    items = [(c, v) for c, v in zip(classes, vowels, strict=True)]
    while items and items[-1][0] in ("e", "|"):
        items.pop()
    out: list[str] = []
    sig: list[str] = []
    pending: frozenset[str] | str | None = _ANY  # vowels since the last consonant
    for cls, v in items:
        if cls == "|":
            pending = _ANY  # a word boundary: nothing known about the vowel
            continue
        if cls in ("h", "e"):
            cls = "H"
        elif cls == "k":
            if alt:
                continue
            cls = "H"
        vs = _vowel_set(v)
        if vs is not None and len(out) == 1 and isinstance(v, str):
            # The first vowel of a Latin spelling: "ou"/"ee" often stand for a short
            # vowel there (Moustafa, Boutros, Ameena).
            vs = vs | {""}
        if out and out[-1] == cls:
            pending = _merge(pending, vs)
            continue
        if out:
            both = _merge(pending, vs)
            sig.append(
                "*" if both == _ANY or both is None else "".join(sorted(x or "0" for x in both))  # type: ignore[union-attr]
            )
        out.append(cls)
        pending = None
    return "".join(out), ".".join(sig)


def _merge(a: object, b: frozenset[str] | None) -> frozenset[str] | str | None:
    if a == _ANY:
        return _ANY
    if a is None:
        return b
    if b is None:
        return a  # type: ignore[return-value]
    return frozenset(a) | b  # type: ignore[call-overload]


def vowels_compatible(a: str, b: str) -> bool:
    """Whether two vowel signatures of the same skeleton can be the same name:
    Hassan/حسين or Mohammed/محمود are not (a written long vowel against another)."""
    if not a or not b:
        return True
    sa, sb = a.split("."), b.split(".")
    if len(sa) != len(sb):
        return True
    for x, y in zip(sa, sb, strict=True):
        if x == "*" or y == "*":
            continue
        if not set(x) & set(y):
            return False
    return True


@dataclass(frozen=True, slots=True)
class NamePart:
    """One name (given, father's, …) as the engine compares it."""

    norm: str  # normalised, words joined without spaces ("" when empty)
    skel: str  # cross-script skeleton
    alt: str  # alternative skeleton (a medial ه dropped); = skel for Latin
    script: str  # "ar" | "latin" | ""
    vowels: str = ""  # vowel signature between the skeleton's consonants


@lru_cache(maxsize=200_000)
def name_part(text: str, family: bool = False) -> NamePart:
    """Normalised form and skeletons of one name part (memoised: names repeat a lot)."""
    toks = _tokens(text, family=family)
    if not toks:
        return NamePart("", "", "", "")
    norm = "".join(_norm_token(t) for t in toks)
    classes: list[str] = []
    vowels: list[object] = []
    arabic = False
    for tok in toks:
        if tok.arabic:
            arabic = True
            _arabic_classes(tok.text, classes, vowels)
        else:
            _latin_classes(tok.text, classes, vowels)
    skel, sig = _finish(classes, vowels, alt=False)
    alt = _finish(classes, vowels, alt=True)[0] if arabic else skel
    return NamePart(norm, skel, alt, script(text), sig)


def skeleton(text: str, *, family: bool = False) -> str:
    """The cross-script consonant skeleton of a name (one part: given, father's, …)."""
    return name_part(text or "", family).skel


# --- full names ----------------------------------------------------------------------------


def _units(text: str) -> list[tuple[str, bool]]:
    """The raw words of a full name grouped into name units (compounds kept together),
    each with whether it carries the article."""
    units: list[list[str]] = []
    articles: list[bool] = []
    words = [w for w in re.split(r"\s+", (text or "").strip()) if w]
    i = 0
    n = len(words)
    pending: list[str] = []
    while i < n:
        word = words[i]
        arabic = any(_is_arabic_char(ch) for ch in word)
        plain = _arabic_clean(word) if arabic else _latin_clean(word)
        last = i == n - 1
        # A free-standing article or a hyphenated one ("al-Jubouri" stays one word).
        if not arabic and plain in _LATIN_ARTICLES and not last:
            pending.append(word)
            i += 1
            continue
        if not last and (
            (arabic and (plain == _AR_ABD or plain in _AR_ABU))
            or (not arabic and (plain in _LATIN_ABD or plain in _LATIN_ABU))
        ):
            group = [*pending, word]
            j = i + 1
            # Abd al Rahman: the article word goes with the compound.
            if not arabic and j < n - 1 and _latin_clean(words[j]) in _LATIN_ARTICLES:
                group.append(words[j])
                j += 1
            group.append(words[j])
            units.append(group)
            articles.append(False)
            pending = []
            i = j + 1
            continue
        if units and not last and (plain in _AR_BIN or plain in _LATIN_BIN):
            i += 1  # "bin X": X is the father's name
            continue
        has_article = bool(pending)
        if arabic and plain.startswith("ال") and len(plain) > 4 and plain not in _AR_NOT_ARTICLE:
            has_article = True
        if not arabic and "-" in plain and plain.split("-", 1)[0] in _LATIN_ARTICLES_HYPHEN:
            has_article = True
        units.append([*pending, word])
        articles.append(has_article)
        pending = []
        i += 1
    # An article word inside a name that is not the last one belongs to the name before it:
    # صلاح الدين, Nour al-Huda, Salah ad-Din.
    merged: list[tuple[str, bool]] = []
    for k, (group, art) in enumerate(zip(units, articles, strict=True)):
        is_last = k == len(units) - 1
        if art and not is_last and merged and k > 0:
            prev, prev_art = merged[-1]
            merged[-1] = (prev + " " + " ".join(group), prev_art)
            continue
        merged.append((" ".join(group), art))
    return merged


def split_full_name(text: str) -> tuple[str, str, str, str]:
    """(given, father's, grandfather's, family) of a full name in the Iraqi order.

    1 name → given; 2 → given, father; 3 → given, father, grandfather; 4 or more → the
    last is the family (or tribal) name and names past the grandfather's are left out. A
    last name with the article (الجبوري, Al-Jubouri) is the family name whatever the count.
    Compounds (عبد الرحمن, Abdul Rahman, Abu Bakr, صلاح الدين) stay one name, and
    "bin"/"ibn" before the father's name are left out."""
    units = _units(text)
    if not units:
        return ("", "", "", "")
    names = [u for u, _art in units]
    family = ""
    if (len(units) >= 2 and units[-1][1]) or len(units) >= 4:
        family = names.pop()
    given = names[0] if names else ""
    father = names[1] if len(names) > 1 else ""
    grandfather = names[2] if len(names) > 2 else ""
    return (given, father, grandfather, family)
