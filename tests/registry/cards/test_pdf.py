"""The household card PDF: layout per sheet, QR payload, Arabic and fonts."""

from __future__ import annotations

import datetime
import re
import zlib

import pytest

from sanad.registry.cards import pdf
from sanad.registry.cards.pdf import cards_document, cards_html, cards_pdf, printable, qr_payload
from sanad.registry.models import Household
from tests.registry.factories import HouseholdFactory, IndividualFactory

pytestmark = pytest.mark.django_db


def household(**head: str) -> Household:
    h = HouseholdFactory()
    IndividualFactory(
        household=h,
        given_name_ar=head.get("ar", "محمد"),
        fathers_name_ar="عبد الله",
        family_name_ar="الجبوري",
        given_name_en=head.get("en", "Mohammed"),
        fathers_name_en="Abdullah",
        family_name_en="Al-Jubouri",
        phone="+9647501234567",
    )
    IndividualFactory(
        household=h, relationship="spouse", sex="female", date_of_birth=datetime.date(1990, 1, 1)
    )
    IndividualFactory(
        household=h, relationship="son", status="left", date_of_birth=datetime.date(2010, 1, 1)
    )
    return Household.objects.get(pk=h.pk)


def loaded(households):
    return list(
        printable(
            Household.objects.filter(pk__in=[h.pk for h in households]).order_by("registration_id")
        )
    )


def test_a_card_pdf_is_produced():
    data = cards_pdf(loaded([household()]))
    assert data.startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("layout", "cards", "pages"), [("a6", 4, 1), ("a6", 5, 2), ("a7", 8, 1), ("a7", 17, 3)]
)
def test_four_a6_or_eight_a7_cards_fit_on_an_a4_sheet(layout, cards, pages):
    households = loaded([household() for _ in range(cards)])
    document = cards_document(households, layout=layout)
    assert len(document.pages) == pages
    width_px, height_px = document.pages[0].width, document.pages[0].height
    # WeasyPrint measures in CSS pixels (96 per inch).
    assert round(width_px * 25.4 / 96) == 210 and round(height_px * 25.4 / 96) == 297


def test_large_prints_are_laid_out_in_chunks_and_joined(monkeypatch):
    monkeypatch.setattr(pdf, "CHUNK", 8)
    households = loaded([household() for _ in range(10)])
    done = []
    document = cards_document(households, layout="a6", progress=lambda d, t: done.append((d, t)))
    assert len(document.pages) == 3
    assert done == [(8, 10), (10, 10)]


def test_the_qr_code_holds_only_the_opaque_token():
    h = household()
    payload = qr_payload(h)
    assert payload == f"SND1:{h.card_token}"
    head = h.members.get(relationship="head")
    for personal in (
        head.given_name_en,
        head.given_name_ar,
        head.phone,
        h.registration_id,
        "Al-Jubouri",
    ):
        assert personal not in payload
    html = cards_html(loaded([h]))
    assert f'data-qr="{payload}"' in html
    # The QR image is an SVG drawn from exactly that payload.
    assert pdf.qr_svg_uri(payload) in html


def test_the_card_shows_the_id_both_names_and_the_current_members():
    h = household(ar="حسين", en="Hussein")
    html = cards_html(loaded([h]))
    assert h.registration_id in html
    assert 'dir="rtl" lang="ar">حسين عبد الله الجبوري</div>' in html
    assert 'dir="ltr" lang="en">Hussein Abdullah Al\u2011Jubouri</div>' in html
    # Two current members: the son who left is not counted.
    assert re.search(r'<div class="n">2</div>', html)


def test_the_pdf_embeds_only_the_vendored_fonts():
    data = cards_pdf(loaded([household()]))
    names = set(re.findall(rb"/BaseFont\s*/[A-Z]{6}\+([A-Za-z-]+)", _inflate(data)))
    assert names and names <= {
        b"Sanad-Arabic",
        b"Sanad-Arabic-Bold",
        b"Sanad-Latin",
        b"Sanad-Latin-Bold",
    }
    assert b"Sanad-Arabic-Bold" in names  # the Arabic name is set in the Arabic font


def test_an_unknown_layout_is_refused():
    with pytest.raises(ValueError):
        cards_pdf([], layout="a5")


def _inflate(data: bytes) -> bytes:
    """The PDF with its compressed streams expanded (fonts are named inside them)."""
    out = [data]
    for match in re.finditer(rb"stream\r?\n", data):
        start = match.end()
        try:
            out.append(zlib.decompressobj().decompress(data[start : start + 200000]))
        except zlib.error:
            continue
    return b"\n".join(out)


def test_the_pdf_fetches_nothing_but_the_vendored_fonts_and_the_qr_images():
    fetcher = pdf._fetcher()
    with pytest.raises(ValueError):
        fetcher.fetch("https://example.org/tracker.png")
    with pytest.raises(ValueError):
        fetcher.fetch("file:///etc/passwd")
    font = next(f for f in pdf.font_faces() if f["family"] == "Sanad Arabic")
    assert fetcher.fetch(font["url"]).read()[:4] == b"\x00\x01\x00\x00"  # TrueType
