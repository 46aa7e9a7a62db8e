"""Household cards as PDF: A6 (four on an A4 sheet) or A7 (eight), with cut lines.

Each card shows the registration id, the head's name in Arabic script and in Latin
letters, the number of members, and a QR code. The QR code holds only
`SND1:<card token>`: an opaque random token, no name, phone or id number, so a lost
card tells nobody anything; scanners resolve it through `registry:card_scan` (or the
API `GET /api/v1/cards/<token>/`) within the scanning user's scope.

WeasyPrint shapes Arabic and Kurdish (HarfBuzz through Pango). The fonts are the
vendored Noto Sans Arabic files, declared with @font-face, so the PDF looks the same
on every server whatever fonts it has.
"""

from __future__ import annotations

import datetime
import functools
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import segno
from django.db.models import Prefetch, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sanad.registry.models import Household, Individual

QR_PREFIX = "SND1:"
FONT_DIR = Path(__file__).resolve().parents[2] / "web" / "static" / "vendor" / "noto-sans-arabic"
LAYOUTS = ("a6", "a7")
CHUNK = 40  # cards rendered at a time by `cards_pdf` (progress and memory)


@dataclass(frozen=True)
class Layout:
    name: str
    card_w: int  # mm
    card_h: int
    cols: int
    rows: int

    @property
    def per_page(self) -> int:
        return self.cols * self.rows


# A4 is 210 × 297 mm: A6 portrait cards 2 × 2, A7 landscape cards 2 × 4, edge to edge.
GRID = {
    "a6": Layout("a6", 105, 148, 2, 2),
    "a7": Layout("a7", 105, 74, 2, 4),
}


def qr_payload(household: Household) -> str:
    """What the QR code holds: a version prefix and the opaque token, nothing else."""
    return f"{QR_PREFIX}{household.card_token}"


def token_from_scan(text: str) -> str:
    """The card token from what a scanner read (with or without the prefix)."""
    text = (text or "").strip()
    return text[len(QR_PREFIX) :] if text.upper().startswith(QR_PREFIX) else text


def qr_svg_uri(payload: str) -> str:
    # Error correction M survives a worn or folded card; 4 modules of quiet zone.
    return segno.make(payload, error="m", micro=False).svg_data_uri(
        border=4, dark="#000000", light="#ffffff"
    )


def printable(queryset: QuerySet[Household]) -> QuerySet[Household]:
    """Households with what a card needs prefetched (current members, head)."""
    return queryset.prefetch_related(
        Prefetch(
            "members",
            queryset=Individual.objects.filter(status=Individual.Status.ACTIVE).order_by(
                "date_of_birth", "pk"
            ),
            to_attr="current_members",
        )
    )


def _members(household: Household) -> list[Individual]:
    members = getattr(household, "current_members", None)
    if members is None:
        members = list(
            household.members.filter(status=Individual.Status.ACTIVE).order_by("date_of_birth")
        )
    return members


def _head(members: Sequence[Individual]) -> Individual | None:
    for m in members:
        if m.relationship == Individual.Relationship.HEAD:
            return m
    return None


def card_data(household: Household) -> dict[str, Any]:
    members = _members(household)
    head = _head(members)
    payload = qr_payload(household)
    return {
        "registration_id": household.registration_id,
        "head_ar": head.full_name_ar if head else "",
        # Non-breaking hyphens: "Al-Jubouri" does not break across lines.
        "head_en": head.full_name_en.replace("-", "\u2011") if head else "",
        "members": len(members),
        "qr_payload": payload,
        "qr_uri": qr_svg_uri(payload),
    }


def _labels(language: str) -> dict[str, str]:
    with translation.override(language):
        return {
            "title": _("Household card"),
            "brand": _("Sanad"),
            "head": _("Head of household"),
            "members": _("Members"),
            "id": _("Registration id"),
            "note": _("Show this card when you receive assistance. It holds no personal data."),
        }


def card_labels(local_language: str) -> dict[str, dict[str, str]]:
    """Card labels in English and in the local language (Arabic or Kurdish, right to
    left); the local line is left out where its translation is missing."""
    local = _labels(local_language)
    english = _labels("en")
    return {
        key: {"en": english[key], "local": local[key] if local[key] != english[key] else ""}
        for key in english
    }


def font_faces() -> list[dict[str, str]]:
    faces = []
    for family, subset in (("Sanad Arabic", "arabic"), ("Sanad Latin", "latin")):
        for weight in (400, 700):
            path = FONT_DIR / f"noto-sans-arabic-{subset}-{weight}-normal.woff2"
            faces.append({"family": family, "weight": str(weight), "url": path.as_uri()})
    return faces


def cards_html(
    households: Iterable[Household],
    *,
    layout: str = "a6",
    local_language: str = "ar",
    issued_on: datetime.date | None = None,
) -> str:
    """The HTML WeasyPrint lays out: one A4 sheet per `per_page` cards."""
    if layout not in GRID:
        raise ValueError(f"layout must be one of {LAYOUTS}")
    grid = GRID[layout]
    cards = [card_data(h) for h in households]
    sheets = []
    for start in range(0, len(cards), grid.per_page):
        chunk = cards[start : start + grid.per_page]
        placed = []
        for i, card in enumerate(chunk):
            row, col = divmod(i, grid.cols)
            placed.append({**card, "left": col * grid.card_w, "top": row * grid.card_h})
        sheets.append(placed)
    labels = card_labels(local_language)
    cut_x = [grid.card_w * c for c in range(1, grid.cols)]
    cut_y = [grid.card_h * r for r in range(1, grid.rows + 1)]
    return render_to_string(
        "registry/cards/cards.html",
        {
            "sheets": sheets,
            "grid": grid,
            "labels": labels,
            "local_language": local_language,
            "local_dir": "rtl" if translation.get_language_info(local_language)["bidi"] else "ltr",
            "fonts": font_faces(),
            "cut_x": cut_x,
            "cut_y": cut_y,
            "issued_on": issued_on or timezone.localdate(),
        },
    )


@functools.cache
def _font_bytes(url: str) -> bytes:
    """A vendored WOFF2 font as plain TrueType, decompressed once per process: WeasyPrint
    would otherwise decompress the four fonts again for every batch of cards."""
    from fontTools.ttLib import TTFont

    path = Path(url2pathname(urlsplit(url).path))
    if path.parent != FONT_DIR or path.suffix != ".woff2":
        raise ValueError(f"not a vendored card font: {url}")
    font = TTFont(path)
    font.flavor = None
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _fetcher() -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class CardFetcher(URLFetcher):  # type: ignore[misc]
        """Fetches only the vendored fonts (cached) and data: URIs (the QR codes);
        nothing from the network or elsewhere on disk."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("file:"):
                return URLFetcherResponse(url, _font_bytes(url), {"Content-Type": "font/ttf"})
            if url.startswith("data:"):
                return super().fetch(url, headers)
            raise ValueError(f"card PDFs fetch no outside resources: {url[:60]}")

    return CardFetcher(allowed_protocols=("file", "data"))


def _weasy_document(html: str) -> Any:
    from weasyprint import HTML

    return HTML(string=html, base_url=FONT_DIR.as_uri() + "/", url_fetcher=_fetcher()).render()


def cards_document(
    households: Sequence[Household],
    *,
    layout: str = "a6",
    local_language: str = "ar",
    progress: Callable[[int, int], None] | None = None,
) -> Any:
    """The laid-out WeasyPrint document (its `pages` are the A4 sheets)."""
    grid = GRID.get(layout)
    if grid is None:
        raise ValueError(f"layout must be one of {LAYOUTS}")
    total = len(households)
    # Whole sheets per chunk, so that chunks join without half-empty pages.
    step = max(grid.per_page, CHUNK - CHUNK % grid.per_page)
    documents = []
    for start in range(0, max(total, 1), step):
        chunk = households[start : start + step]
        documents.append(
            _weasy_document(cards_html(chunk, layout=layout, local_language=local_language))
        )
        if progress is not None:
            progress(min(start + step, total), total)
    if len(documents) == 1:
        return documents[0]
    pages = [page for doc in documents for page in doc.pages]
    return documents[0].copy(pages)


def cards_pdf(
    households: Iterable[Household],
    *,
    layout: str = "a6",
    local_language: str = "ar",
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """Household cards as a PDF: `layout` "a6" (4 per A4 sheet) or "a7" (8 per sheet)."""
    document = cards_document(
        list(households), layout=layout, local_language=local_language, progress=progress
    )
    return bytes(document.write_pdf())
