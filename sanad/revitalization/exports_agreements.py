"""The grant agreement as an A4 PDF to print and sign: the parties, the amount and its
tranches with what releases each, the business plan's lines, the follow-up visits and
the signature lines. WeasyPrint shapes Arabic and Kurdish with the vendored Noto Sans
Arabic (targeting's font loader), so the document fetches nothing from outside.

It names the grantee: the view that serves it logs the export of personal data."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone, translation

from sanad.revitalization.models import GrantAgreement
from sanad.revitalization.selectors import agreements as selectors


def agreement_pdf(*, agreement: GrantAgreement) -> bytes:
    from weasyprint import HTML

    from sanad.targeting.exports import FONT_DIR, _fetcher, font_faces

    application = agreement.application
    html = render_to_string(
        "revitalization/agreements/agreement_pdf.html",
        {
            "agreement": agreement,
            "application": application,
            "call": application.call,
            "plan": selectors.business_plan_of(application),
            "tranches": selectors.tranche_rows(agreement),
            "follow_ups": [
                v for v in selectors.visits_of(agreement) if v.kind in selectors.FOLLOW_UPS
            ],
            "fonts": font_faces(),
            "rtl": translation.get_language_bidi(),
            "lang": translation.get_language(),
            "printed_at": timezone.localtime(),
        },
    )
    document = HTML(string=html, base_url=FONT_DIR.as_uri() + "/", url_fetcher=_fetcher()).render()
    return bytes(document.write_pdf())


def filename(agreement: GrantAgreement) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in agreement.number)
    return f"grant-agreement-{safe}.pdf"
