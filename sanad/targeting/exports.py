"""A beneficiary list for field verification: XLSX (openpyxl, with HXL hashtags) and PDF
(WeasyPrint, Arabic and Kurdish shaped with the vendored Noto Sans Arabic).

Rows are the entries the user may see (their governorates), with the head's names and
main phone as the registry has them now; the rest (rank, score, outcome, reason) comes
from the list's snapshot. Every export is logged as an export of personal data.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sanad.registry.models import HouseholdPhone
from sanad.targeting import selectors
from sanad.targeting.models import BeneficiaryList, ListEntry

WHICH = ("included", "excluded", "all")
FORMATS = ("xlsx", "pdf")
DIRECT_LIMIT = {"xlsx": 5000, "pdf": 300}  # above: a background job
CHUNK = 2000

COLUMNS: list[tuple[Any, str]] = [
    (gettext_lazy("Rank"), "#meta+rank"),
    (gettext_lazy("Registration id"), "#beneficiary+id"),
    (gettext_lazy("Head of household (Arabic script)"), "#beneficiary+name+i_ar"),
    (gettext_lazy("Head of household (Latin)"), "#beneficiary+name+i_en"),
    (gettext_lazy("Household size"), "#beneficiary+hh+num"),
    (gettext_lazy("Governorate"), "#adm1+name"),
    (gettext_lazy("Admin unit P-code"), "#adm3+code"),
    (gettext_lazy("Place"), "#loc+name"),
    (gettext_lazy("Main phone"), "#contact+phone"),
    (gettext_lazy("Score"), "#indicator+score"),
    (gettext_lazy("Outcome"), "#status+outcome"),
    (gettext_lazy("Reason given by hand"), "#meta+reason"),
    (gettext_lazy("Verified (field team)"), "#status+verified"),
    (gettext_lazy("Notes"), "#meta+notes"),
]


def entries_for_export(*, user: Any, lst: BeneficiaryList, which: str) -> QuerySet[ListEntry]:
    qs = selectors.entries_visible_to(user, lst)
    if which == "included":
        qs = qs.filter(included=True)
    elif which == "excluded":
        qs = qs.filter(included=False)
    return qs.select_related("household").order_by("-included", "rank", "-score", "household_id")


def rows(
    *,
    lst: BeneficiaryList,
    entries: QuerySet[ListEntry],
    progress: Callable[[int], None] | None = None,
) -> Iterator[dict[str, Any]]:
    """One dict per entry, in chunks (three queries per chunk, whatever its size)."""
    outcome_labels = dict(ListEntry.Outcome.choices)
    done = 0
    chunk: list[ListEntry] = []

    def flush(batch: list[ListEntry]) -> Iterator[dict[str, Any]]:
        ids = [e.household_id for e in batch]
        heads = selectors.heads_for(ids)
        decisions = selectors.decisions_for(lst, ids)
        phones: dict[int, str] = {}
        for hh, number in (
            HouseholdPhone.objects.filter(household_id__in=ids)
            .order_by("household_id", "-is_primary", "pk")
            .values_list("household_id", "number")
        ):
            phones.setdefault(hh, number)
        for e in batch:
            head = heads.get(e.household_id)
            decision = decisions.get(e.household_id)
            yield {
                "rank": e.rank or "",
                "registration_id": e.household.registration_id,
                "head_ar": head.full_name_ar if head else "",
                "head_en": head.full_name_en if head else "",
                "size": e.size,
                "governorate": e.governorate.name if e.governorate_id else "",
                "pcode": e.admin_unit.pcode if e.admin_unit_id else "",
                "place": e.place.name if e.place is not None else "",
                "phone": phones.get(e.household_id, ""),
                "score": round(e.score, 2),
                "outcome": str(outcome_labels.get(e.outcome, e.outcome)),
                "included": e.included,
                "reason": decision.reason if decision else "",
            }

    for entry in entries.iterator(chunk_size=CHUNK):
        chunk.append(entry)
        if len(chunk) >= CHUNK:
            yield from flush(chunk)
            done += len(chunk)
            chunk = []
            if progress:
                progress(done)
    if chunk:
        yield from flush(chunk)
        done += len(chunk)
        if progress:
            progress(done)


_KEYS = (
    "rank",
    "registration_id",
    "head_ar",
    "head_en",
    "size",
    "governorate",
    "pcode",
    "place",
    "phone",
    "score",
    "outcome",
    "reason",
)


def _header_lines(lst: BeneficiaryList) -> list[str]:
    lines = [
        f"{_('Beneficiary list')}: {lst.name}",
        f"{_('Programme')}: {lst.programme.name} · {_('Status')}: {lst.get_status_display()}",
    ]
    if lst.as_of:
        lines.append(f"{_('Evaluated on')}: {lst.as_of.isoformat()}")
    if lst.approved_by_id:
        lines.append(f"{_('Approved by')}: {lst.approved_by}")
    return lines


def write_xlsx(
    *,
    lst: BeneficiaryList,
    entries: QuerySet[ListEntry],
    target: Any,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the workbook to `target` (a path or a binary file); returns the row count."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("List")[:31])
    if translation.get_language_bidi():
        sheet.sheet_view.rightToLeft = True
    for line in _header_lines(lst):
        sheet.append([line])
    sheet.append([])
    sheet.append([str(label) for label, _tag in COLUMNS])
    sheet.append([tag for _label, tag in COLUMNS])
    count = 0
    for row in rows(lst=lst, entries=entries, progress=progress):
        sheet.append([row[k] for k in _KEYS] + ["", ""])
        count += 1
    workbook.save(target)
    return count


# --- PDF ---------------------------------------------------------------------------------
FONT_DIR = Path(__file__).resolve().parents[1] / "web" / "static" / "vendor" / "noto-sans-arabic"


@functools.cache
def _font_bytes(url: str) -> bytes:
    from fontTools.ttLib import TTFont

    path = Path(url2pathname(urlsplit(url).path))
    if path.parent != FONT_DIR or path.suffix != ".woff2":
        raise ValueError(f"not a vendored font: {url}")
    font = TTFont(path)
    font.flavor = None
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _fetcher() -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class ListFetcher(URLFetcher):  # type: ignore[misc]
        """Only the vendored fonts: a list PDF fetches nothing else, from anywhere."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("file:"):
                return URLFetcherResponse(url, _font_bytes(url), {"Content-Type": "font/ttf"})
            raise ValueError(f"list PDFs fetch no outside resources: {url[:60]}")

    return ListFetcher(allowed_protocols=("file",))


def font_faces() -> list[dict[str, str]]:
    faces = []
    for family, subset in (("Sanad Arabic", "arabic"), ("Sanad Latin", "latin")):
        for weight in (400, 700):
            path = FONT_DIR / f"noto-sans-arabic-{subset}-{weight}-normal.woff2"
            faces.append({"family": family, "weight": str(weight), "url": path.as_uri()})
    return faces


def write_pdf(
    *,
    lst: BeneficiaryList,
    entries: QuerySet[ListEntry],
    progress: Callable[[int], None] | None = None,
) -> tuple[bytes, int]:
    from weasyprint import HTML

    data = list(rows(lst=lst, entries=entries, progress=progress))
    html = render_to_string(
        "targeting/list_pdf.html",
        {
            "list": lst,
            "rows": data,
            "header": _header_lines(lst),
            "fonts": font_faces(),
            "rtl": translation.get_language_bidi(),
            "lang": translation.get_language(),
            "printed_at": timezone.localtime(),
        },
    )
    document = HTML(string=html, base_url=FONT_DIR.as_uri() + "/", url_fetcher=_fetcher()).render()
    return bytes(document.write_pdf()), len(data)


def filename(lst: BeneficiaryList, fmt: str, which: str) -> str:
    stamp = timezone.localdate().isoformat()
    return f"beneficiary-list-{str(lst.public_id)[:8]}-{which}-{stamp}.{fmt}"
