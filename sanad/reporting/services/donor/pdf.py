"""The donor report as a PDF (WeasyPrint), and the context the PDF and the preview
page's templates share."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sanad.reporting.services.donor.notes import (
    _as_of,
    _indicators_missing_note,
    _months_note,
    _scope_note,
)


# --- PDF ---------------------------------------------------------------------------------
def _css_string(text: str) -> str:
    """Text as a CSS string (inside double quotes) in a <style> element."""
    out = []
    for ch in str(text):
        if ch in '"\\<>&' or ord(ch) < 32:
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def render_context(data: dict[str, Any]) -> dict[str, Any]:
    """What the PDF and the preview page's templates need besides the data."""
    people_caption = _("People reached by sex and age group (ages on %(day)s)") % {
        "day": data["ages_on"].isoformat()
    }
    return {
        "report": data,
        "tables": [
            (data["people"], people_caption),
            (data["disability"], _("Of whom people with a disability")),
        ],
        "months_note": _months_note(),
        "scope_note": _scope_note(),
        "indicators_missing_note": _indicators_missing_note(),
        "as_of": _as_of(data),
        "rtl": bool(translation.get_language_bidi()),
        "lang": translation.get_language() or "en",
    }


def write_pdf(data: dict[str, Any]) -> bytes:
    from django.utils.safestring import mark_safe
    from weasyprint import HTML

    from sanad.targeting.exports import FONT_DIR, _fetcher, font_faces

    p = data["project"]
    context = render_context(data)
    context.update(
        {
            "fonts": font_faces(),
            "css_header": mark_safe(_css_string(f"{p['code']} · {data['title']}")),  # noqa: S308
            "css_page": mark_safe(_css_string(_("Page") + " ")),  # noqa: S308
            "css_of": mark_safe(_css_string(" / ")),  # noqa: S308
            "css_footer": mark_safe(  # noqa: S308
                _css_string(
                    _("Generated %(at)s")
                    % {"at": f"{timezone.localtime(data['generated_at']):%Y-%m-%d %H:%M}"}
                )
            ),
        }
    )
    html = render_to_string("reporting/donor/report_pdf.html", context)
    document = HTML(string=html, base_url=FONT_DIR.as_uri() + "/", url_fetcher=_fetcher()).render()
    return bytes(document.write_pdf())
