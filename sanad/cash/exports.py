"""The voucher sheet: a plan's e-vouchers as a PDF to print and cut, eight to an A4
page (105 × 74 mm each, with cut lines). Each voucher shows its QR code (the code
itself, nothing else), the code as printed (XXXX-XXXX-XXXX-XXXX), its value and
expiry, the household's registration id and head's name (so the team hands it to the
right family), and the PIN when it was just issued: PINs are kept only as hashes, so
a sheet printed again has none.

WeasyPrint lays it out with the vendored Noto Sans Arabic (through the household
cards' font loader), so Arabic and Kurdish names are shaped correctly and the PDF
fetches nothing from outside."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation

from sanad.cash.models import CashPlan, Voucher
from sanad.cash.services._common import code_display, fmt_money
from sanad.registry.cards.pdf import FONT_DIR, _fetcher, font_faces, qr_svg_uri
from sanad.registry.models import Individual

PER_PAGE = 8  # 2 columns × 4 rows of 105 × 74 mm on A4
COLS, CARD_W, CARD_H = 2, 105, 74
CHUNK = 40  # vouchers laid out at a time (progress and memory)


def printable(queryset: QuerySet[Voucher]) -> QuerySet[Voucher]:
    """Vouchers with what the sheet needs (household and its head) in a few queries."""
    heads = Individual.objects.filter(
        relationship=Individual.Relationship.HEAD, status=Individual.Status.ACTIVE
    )
    return (
        queryset.select_related("entitlement__household", "entitlement__plan")
        .prefetch_related(
            Prefetch("entitlement__household__members", queryset=heads, to_attr="heads")
        )
        .order_by("entitlement__household__registration_id", "pk")
    )


def voucher_data(voucher: Voucher, pin: str | None = None) -> dict[str, Any]:
    household = voucher.entitlement.household
    heads = getattr(household, "heads", None)
    if heads is None:
        heads = list(
            household.members.filter(
                relationship=Individual.Relationship.HEAD, status=Individual.Status.ACTIVE
            )
        )
    head = heads[0] if heads else None
    code = code_display(voucher.code)
    return {
        "code": code,
        "qr_uri": qr_svg_uri(code),
        "value": fmt_money(voucher.amount, voucher.currency),
        "balance": fmt_money(voucher.balance, voucher.currency),
        "partial": voucher.balance != voucher.amount,
        "expires_on": voucher.expires_on,
        "registration_id": household.registration_id,
        "head_ar": head.full_name_ar if head else "",
        "head_en": head.full_name_en.replace("-", "\u2011") if head else "",
        "pin": pin or "",
    }


def sheet_html(
    plan: CashPlan, vouchers: Sequence[Voucher], pins: dict[str, str] | None = None
) -> str:
    pins = pins or {}
    cards = [voucher_data(v, pins.get(str(v.public_id))) for v in vouchers]
    sheets = []
    for start in range(0, len(cards), PER_PAGE):
        placed = []
        for i, card in enumerate(cards[start : start + PER_PAGE]):
            row, col = divmod(i, COLS)
            placed.append({**card, "left": col * CARD_W, "top": row * CARD_H})
        sheets.append(placed)
    return render_to_string(
        "cash/voucher_sheet_pdf.html",
        {
            "plan": plan,
            "sheets": sheets,
            "fonts": font_faces(),
            "rtl": translation.get_language_bidi(),
            "lang": translation.get_language(),
            "printed_on": timezone.localdate(),
            "cut_x": [CARD_W * c for c in range(1, COLS)],
            "cut_y": [CARD_H * r for r in range(1, PER_PAGE // COLS + 1)],
        },
    )


def sheet_pdf(
    plan: CashPlan,
    vouchers: Sequence[Voucher],
    pins: dict[str, str] | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """The sheet as PDF bytes, laid out in chunks of whole pages."""
    from weasyprint import HTML

    total = len(vouchers)
    documents = []
    for start in range(0, max(total, 1), CHUNK):
        html = sheet_html(plan, vouchers[start : start + CHUNK], pins)
        documents.append(
            HTML(string=html, base_url=FONT_DIR.as_uri() + "/", url_fetcher=_fetcher()).render()
        )
        if progress is not None:
            progress(min(start + CHUNK, total), total)
    if len(documents) == 1:
        return bytes(documents[0].write_pdf())
    pages = [page for doc in documents for page in doc.pages]
    return bytes(documents[0].copy(pages).write_pdf())


def filename(plan: CashPlan) -> str:
    return f"vouchers-{str(plan.public_id)[:8]}-{timezone.localdate().isoformat()}.pdf"
