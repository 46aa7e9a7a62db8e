"""The donor report as a PDF, in English and in Arabic (shaped with the vendored font,
right to left). Slow (WeasyPrint): two tests only."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation

from sanad.reporting.services.donor import default_period_for, donor_report_build
from tests.factories import DUHOK

from .conftest import household_with_members

# Set to a folder to keep the PDFs the tests make (to look at them).
KEEP = os.environ.get("SANAD_TEST_KEEP_PDF", "")


def text_of(pdf: bytes, tmp_path: Path) -> str | None:
    if not shutil.which("pdftotext"):
        return None
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def served(db, deliver, project, activity, refresh):
    for members in (4, 5, 3):
        deliver(
            household=household_with_members(DUHOK, members=members),
            project=project,
            activity=activity,
            quantity=Decimal("2"),
        )
    refresh()
    start, end = default_period_for(project)
    return {"project": project, "start": start, "end": end}


def test_the_pdf_shows_the_people_reached_and_the_deliveries(served, tmp_path):
    name, pdf = donor_report_build(**served, format="pdf", shared=False)
    assert name.endswith(".pdf") and pdf.startswith(b"%PDF")
    if KEEP:
        (Path(KEEP) / "donor-en.pdf").write_bytes(pdf)
    text = text_of(pdf, tmp_path)
    if text is not None:
        assert re.search(r"People reached \(unique\) +12\b", text)
        assert "Winter kits" in text and "ECHO-NFI-1" in text
        assert "Page 1 / " in text


def test_the_pdf_in_arabic_is_right_to_left_with_suppressed_counts(served, tmp_path):
    with translation.override("ar"):
        _name, pdf = donor_report_build(**served, format="pdf", shared=True)
    assert pdf.startswith(b"%PDF")
    if KEEP:
        (Path(KEEP) / "donor-ar.pdf").write_bytes(pdf)
    text = text_of(pdf, tmp_path)
    if text is not None:
        assert "ECHO-NFI-1" in text
        assert "–" in text  # the 3 households are suppressed
