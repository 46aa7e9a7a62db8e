"""Name normalisation, skeletons and full-name splitting of the matching engine."""

from __future__ import annotations

import pytest

from sanad.dedup.engine.names import (
    name_part,
    normalise,
    script,
    skeleton,
    split_full_name,
    vowels_compatible,
)

# --- Arabic script ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("أحمد", "احمد"),  # hamza on alef
        ("إبراهيم", "ابراهيم"),  # hamza under alef
        ("آمنة", "امنه"),  # madda; taa marbuta
        ("ٱلله", "ٱلله".replace("ٱ", "ا")),  # wasla
        ("مؤمن", "مومن"),  # hamza on waw
        ("عائشة", "عايشه"),  # hamza on yeh
        ("أسماء", "اسما"),  # free hamza dropped
        ("مصطفى", "مصطفي"),  # alef maqsura
        ("فاطمة", "فاطمه"),  # taa marbuta
        ("مُحَمَّد", "محمد"),  # harakat and shadda
        ("محـــمد", "محمد"),  # tatweel
        ("عَبْد", "عبد"),  # sukun
        ("کاروان", "كاروان"),  # Kurdish keheh
        ("شیرین", "شيرين"),  # Persian / Kurdish yeh
        ("هاوڕێ", "هاوري"),  # ڕ and ێ
        ("دلۆڤان", "دلوفان"),  # ۆ and ڤ
        ("حەسەن", "حهسهن"),  # Kurdish ە typed as ه on an Arabic keyboard
        ("ڕەسوڵ", "رهسول"),  # ڵ
        ("گولستان", "كولستان"),  # گ
        ("پێشمەرگە", "بيشمهركه"),  # پ
        ("نێچیرڤان", "نيجيرفان"),  # چ
        ("ژیان", "زيان"),  # ژ
        ("٢٠٢٤", "2024"),  # Arabic-Indic digits
        ("۱۹۹۰", "1990"),  # Persian digits
    ],
)
def test_arabic_normalisation(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("عبد الرحمن", "عبدرحمن"),
        ("عبدالرحمن", "عبدرحمن"),
        ("عبد الله", "عبدله"),
        ("عبدالله", "عبدله"),
        ("أبو بكر", "ابوبكر"),
        ("محمد بن سلمان", "محمد سلمان"),
        ("علي الجبوري", "علي جبوري"),  # the article of a family name
        ("الياس", "الياس"),  # not an article
        ("الان", "الان"),  # Alan, not an article
    ],
)
def test_arabic_compounds_and_article(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def test_article_of_family_names_kept_on_request() -> None:
    assert normalise("الجبوري", family=True) == "جبوري"
    assert normalise("الجبوري", family=True, keep_article=True) == "الجبوري"
    assert normalise("Al-Jubouri", family=True) == normalise("Jubouri", family=True)


# --- Latin script ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("MOHAMMED", "mohamed"),  # case, doubled letters
        ("Hussein", "husein"),
        ("Sa'ad", "sad"),  # apostrophe
        ("Şirîn", "shirin"),  # Hawar ş, î
        ("Nêçîrvan", "nechirvan"),  # ê ç î
        ("Dilşad", "dilshad"),
        ("Rûken", "ruken"),  # û
        ("José", "jose"),  # accents
        ("Abdul Rahman", "abdrahman"),
        ("Abdulrahman", "abdrahman"),
        ("Abdurrahman", "abdrahman"),
        ("Abd al-Rahman", "abdrahman"),
        ("Abdel Rahman", "abdrahman"),
        ("Abdelrahman", "abdrahman"),
        ("Abdullah", "abdlah"),
        ("Abd Allah", "abdlah"),
        ("Abu Bakr", "abubakr"),
        ("Ahmed bin Ali", "ahmed ali"),
        ("Al-Jubouri", "jubouri"),
        ("al Jubouri", "jubouri"),
        ("El-Sayed", "sayed"),
        ("Salah ad-Din", "salah din"),
    ],
)
def test_latin_normalisation(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def test_glued_article_of_family_names() -> None:
    assert normalise("Aljubouri", family=True) == normalise("Al-Jubouri", family=True)
    assert normalise("Alshammari", family=True) == "shamari"
    assert normalise("Alan") == "alan"  # a given name keeps its letters


def test_script() -> None:
    assert script("محمد") == "ar"
    assert script("Mohammed") == "latin"
    assert script("2024") == ""
    assert script("") == ""


# --- skeletons: spelling variants and across scripts -------------------------------------

SAME_PERSON_NAMES = [
    ["محمد", "Mohammed", "Muhammad", "Mohamed", "Mohamad", "Mohammad", "Mihemed"],
    ["حسين", "Hussein", "Husain", "Hussain", "Hussien"],
    ["عبدالله", "عبد الله", "Abdullah", "Abdallah", "Abdulla", "Abd Allah"],
    ["عبد الرحمن", "Abdul Rahman", "Abdulrahman", "Abdurrahman", "Abd al-Rahman", "Abdelrahman"],
    ["فاطمة", "Fatima", "Fatimah", "Fatma"],
    ["خالد", "Khalid", "Khaled"],
    ["قاسم", "Qasim", "Kasim", "Gasim", "Qassim"],
    ["يوسف", "Yousef", "Yusuf", "Youssef", "Yousif"],
    ["أحمد", "احمد", "Ahmed", "Ahmad"],
    ["مصطفى", "Mustafa", "Mustapha", "Moustafa"],
    ["إبراهيم", "Ibrahim", "Ebrahim", "Ibraheem"],
    ["هاوڕێ", "Hawre", "Hawri"],
    ["شیرین", "شيرين", "Shirin", "Şirîn", "Shireen"],
    ["ڕێبوار", "Rebwar"],
    ["نێچیرڤان", "Nechirvan", "Nêçîrvan"],
    ["دلشاد", "Dilshad", "Dilşad", "Dlshad"],
    ["حەسەن", "حسن", "Hassan", "Hasan", "Hesen"],
    ["ژیان", "Jiyan", "Zhiyan"],
    ["بەختیار", "Bakhtiyar", "Bakhtiar"],
]


@pytest.mark.parametrize("names", SAME_PERSON_NAMES, ids=lambda names: names[1])
def test_spelling_variants_share_a_skeleton(names: list[str]) -> None:
    skeletons = {skeleton(n) for n in names}
    assert len(skeletons) == 1, {n: skeleton(n) for n in names}


@pytest.mark.parametrize("names", SAME_PERSON_NAMES, ids=lambda names: names[1])
def test_spelling_variants_have_compatible_vowels(names: list[str]) -> None:
    parts = [name_part(n) for n in names]
    for a in parts:
        for b in parts:
            assert vowels_compatible(a.vowels, b.vowels), (a, b)


@pytest.mark.parametrize(
    ("family", "variants"),
    [
        ("الجبوري", ["Al-Jubouri", "Aljuburi", "Al Jbouri", "Jubouri", "Al-Juboori"]),
        ("الدليمي", ["Al-Dulaimi", "Aldulaimi", "Al Dulaimy", "Dulaimi"]),
        ("العاني", ["Al-Ani", "Alani", "Al-Aani"]),
        ("الطائي", ["Al-Tai", "Altaie", "Al-Taee"]),
        ("المشهداني", ["Al-Mashhadani", "Almashhadani"]),
        ("اللهيبي", ["Al-Lahibi", "Allahibi"]),
    ],
)
def test_family_names_across_scripts(family: str, variants: list[str]) -> None:
    key = skeleton(family, family=True)
    for v in variants:
        assert skeleton(v, family=True) == key, v


def test_typed_kurdish_vowel_meets_latin_through_the_alternative_skeleton() -> None:
    typed = name_part("حهسهن")  # حەسەن typed on an Arabic keyboard
    latin = name_part("Hassan")
    assert typed.skel != latin.skel
    assert typed.alt == latin.skel


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Hassan", "حسين"),
        ("Hussein", "حسن"),
        ("Hassan", "Hussein"),
        ("Mohammed", "محمود"),
        ("Mahmoud", "محمد"),
        ("حسن", "حسين"),
    ],
)
def test_same_skeleton_but_different_written_vowels(a: str, b: str) -> None:
    pa, pb = name_part(a), name_part(b)
    assert pa.skel == pb.skel  # accepted collision…
    assert not vowels_compatible(pa.vowels, pb.vowels)  # …told apart by the long vowels


@pytest.mark.parametrize(
    ("a", "b"),
    [("Ahmed", "Mohammed"), ("Ali", "Omar"), ("Zainab", "Fatima"), ("Khalid", "Hamid")],
)
def test_different_names_have_different_skeletons(a: str, b: str) -> None:
    assert skeleton(a) != skeleton(b)


def test_empty_names() -> None:
    assert skeleton("") == ""
    assert normalise("  ") == ""
    assert name_part("").norm == ""


# --- full names ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("full", "parts"),
    [
        ("Ahmed", ("Ahmed", "", "", "")),
        ("Ahmed Ali", ("Ahmed", "Ali", "", "")),
        ("Ahmed Ali Hussein", ("Ahmed", "Ali", "Hussein", "")),
        ("Ahmed Ali Hussein Jubouri", ("Ahmed", "Ali", "Hussein", "Jubouri")),
        ("Ahmed Ali Hussein Al-Jubouri", ("Ahmed", "Ali", "Hussein", "Al-Jubouri")),
        ("Ahmed Ali Hussein Al Jubouri", ("Ahmed", "Ali", "Hussein", "Al Jubouri")),
        ("Ali Hussein Kadhim Abbas Jubouri", ("Ali", "Hussein", "Kadhim", "Jubouri")),
        ("Ali Al-Jubouri", ("Ali", "", "", "Al-Jubouri")),
        ("Ali Hussein Al-Jubouri", ("Ali", "Hussein", "", "Al-Jubouri")),
        ("Abdul Rahman Ahmed Ali", ("Abdul Rahman", "Ahmed", "Ali", "")),
        ("Abd al Rahman Ahmed", ("Abd al Rahman", "Ahmed", "", "")),
        ("Ahmed Abdul Karim Ali", ("Ahmed", "Abdul Karim", "Ali", "")),
        ("Abu Bakr Omar", ("Abu Bakr", "Omar", "", "")),
        ("Mohammed bin Salman", ("Mohammed", "Salman", "", "")),
        ("Salah al-Din Ahmed Ali", ("Salah al-Din", "Ahmed", "Ali", "")),
        ("محمد علي حسين الجبوري", ("محمد", "علي", "حسين", "الجبوري")),
        ("عبد الرحمن أحمد علي", ("عبد الرحمن", "أحمد", "علي", "")),
        ("صلاح الدين علي حسن", ("صلاح الدين", "علي", "حسن", "")),
        ("دلبر الان محمود حسو", ("دلبر", "الان", "محمود", "حسو")),
        ("", ("", "", "", "")),
    ],
)
def test_split_full_name(full: str, parts: tuple[str, str, str, str]) -> None:
    assert split_full_name(full) == parts
