"""The distribution report (of an event or of a project) as XLSX (openpyxl, with HXL
hashtags on the tables) and PDF (WeasyPrint, Arabic and Kurdish shaped with the
vendored Noto Sans Arabic, through targeting's font loader so that a PDF fetches
nothing from outside).

Both render `selectors.distribution_report`, the dict the report page shows: the
three cannot disagree. The report holds aggregates only (no names): it is not an
export of personal data.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sanad.targeting.exports import FONT_DIR, _fetcher, font_faces

FORMATS = ("xlsx", "pdf")


def _num(value: Any) -> Any:
    """Decimals as numbers a spreadsheet adds up (whole kits as integers)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def people_rows(report: dict[str, Any]) -> list[list[Any]]:
    """The sex × age × disability table: one row per sex and a total row; per age group
    the people and, of them, those with a disability."""
    people = report["people"]
    rows = []
    for row in people["rows"]:
        cells: list[Any] = [row["label"]]
        for label in people["age_groups"]:
            cells += [row["groups"][label]["total"], row["groups"][label]["disability"]]
        rows.append([*cells, row["total"], row["disability"]])
    total: list[Any] = [_("Total")]
    for label in people["age_groups"]:
        total += [people["totals"][label]["total"], people["totals"][label]["disability"]]
    rows.append([*total, people["individuals"], people["with_disability"]])
    return rows


def people_header(report: dict[str, Any]) -> tuple[list[str], list[str]]:
    labels, tags = [_("Sex")], ["#beneficiary+sex"]
    for label in report["people"]["age_groups"]:
        tag = label.replace("+", "_plus").replace("-", "_")
        labels += [label, f"{label} {_('with disability')}"]
        tags += [f"#reached+ind+age{tag}", f"#reached+ind+age{tag}+disabled"]
    labels += [_("Total"), _("With disability")]
    tags += ["#reached+ind", "#reached+ind+disabled"]
    return labels, tags


def write_xlsx(
    *, report: dict[str, Any], target: Any, progress: Callable[[int], None] | None = None
) -> int:
    """Write the report to `target` (a path or a binary file); returns the number of
    sheets written."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    rtl = translation.get_language_bidi()

    def sheet(title: str) -> Any:
        ws = workbook.create_sheet(title[:31])
        if rtl:
            ws.sheet_view.rightToLeft = True
        return ws

    summary = sheet(_("Summary"))
    summary.append([report["title"]])
    for line in report["header"]:
        summary.append([line])
    summary.append(
        [f"{_('Generated')}: {timezone.localtime(report['generated_at']):%Y-%m-%d %H:%M}"]
    )
    summary.append([])
    summary.append([_("Households served"), report["households"]])
    summary.append([_("Of which woman-headed"), report["households_with"]["woman_headed"]])
    summary.append(
        [_("Of which with a person with a disability"), report["households_with"]["disability"]]
    )
    summary.append([_("Individuals served"), report["people"]["individuals"]])
    summary.append([_("Of whom with a disability"), report["people"]["with_disability"]])
    summary.append([_("Ages on"), report["people"]["ages_on"].isoformat()])
    summary.append([])
    summary.append([_("Refused"), _("Households")])
    for r in report["refusals"]:
        summary.append([r["label"], r["households"]])
    summary.append([])
    summary.append([_("Collected by"), _("Receipts")])
    for r in report["collectors"]:
        summary.append([r["label"], r["receipts"]])
    summary.append([_("Proof of receipt"), _("Receipts")])
    for r in report["proofs"]:
        summary.append([r["label"], r["receipts"]])
    summary.append([_("Found by"), _("Receipts")])
    for r in report["found_by"]:
        summary.append([r["label"], r["receipts"]])
    if progress:
        progress(1)

    people = sheet(_("People"))
    labels, tags = people_header(report)
    people.append(labels)
    people.append(tags)
    for row in people_rows(report):
        people.append(row)
    if progress:
        progress(2)

    kits = sheet(_("Kits and items"))
    kits.append([_("Kit"), _("Name"), _("Kind"), _("Kits distributed")])
    kits.append(["#item+code", "#item+name", "#item+type", "#output+kits"])
    for r in report["kits"]["kits"]:
        kits.append([r["code"], r["name"], r["kind"], _num(r["kits"])])
    kits.append([])
    kits.append([_("Item"), _("Name"), _("Unit"), _("Quantity distributed")])
    kits.append(["#item+code", "#item+name", "#item+unit", "#output+num"])
    for r in report["kits"]["items"]:
        kits.append([r["code"], r["name"], r["unit"], _num(r["quantity"])])
    if progress:
        progress(3)

    stock = sheet(_("Stock used"))
    keys = ("dispatched", "distributed", "returned", "lost", "in_field", "used")
    stock.append(
        [
            _("Kit"),
            _("Name"),
            _("Dispatched"),
            _("Distributed"),
            _("Returned"),
            _("Lost"),
            _("Still in the field"),
            _("Used (dispatched − returned)"),
        ]
    )
    for r in report["stock"]:
        stock.append([r["code"], r["name"], *[_num(r[k]) for k in keys]])

    events = sheet(_("Events"))
    events.append(
        [
            _("Place"),
            _("Date"),
            _("Status"),
            _("Plan"),
            _("Kit"),
            _("Households expected"),
            _("Households served"),
            _("Households refused"),
            _("Dispatched"),
            _("Distributed"),
            _("Returned"),
            _("Lost"),
            _("Reason for the difference"),
        ]
    )
    events.append(
        [
            "#loc+name",
            "#date",
            "#status",
            "#activity+name",
            "#item+code",
            "#targeted+hh",
            "#reached+hh",
            "#meta+refused",
            "#output+dispatched",
            "#output+distributed",
            "#output+returned",
            "#output+lost",
            "#meta+reason",
        ]
    )
    for e in report["events"]:
        events.append(
            [
                e["place"],
                e["date"].isoformat(),
                e["status"],
                e["plan"],
                e["kit"],
                e["expected"],
                e["served"],
                e["refused"],
                _num(e["dispatched"]),
                _num(e["distributed"]),
                _num(e["returned"]),
                _num(e["lost"]),
                e["reason"],
            ]
        )
    if progress:
        progress(4)
    workbook.save(target)
    return 5


def write_pdf(*, report: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    labels, _tags = people_header(report)
    html = render_to_string(
        "distribution/report_pdf.html",
        {
            "report": report,
            "people_header": labels,
            "people_rows": people_rows(report),
            "fonts": font_faces(),
            "rtl": translation.get_language_bidi(),
            "lang": translation.get_language(),
            "printed_at": timezone.localtime(),
        },
    )
    document = HTML(string=html, base_url=FONT_DIR.as_uri() + "/", url_fetcher=_fetcher()).render()
    return bytes(document.write_pdf())


def filename(report: dict[str, Any], *, subject: str, fmt: str) -> str:
    stamp = timezone.localdate().isoformat()
    return f"distribution-{report['kind']}-{subject[:8]}-{stamp}.{fmt}"
