"""The sample files shipped for the documentation import cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanad.registry.imports import services
from tests.registry.imports.conftest import messages_of, validated

pytestmark = pytest.mark.django_db
SAMPLES = Path(services.__file__).parent / "samples"


@pytest.mark.parametrize(
    ("name", "file_format", "households", "people"),
    [
        ("kobo_export.xlsx", "kobo", 3, 7),
        ("kobo_export.json", "kobo", 3, 7),
        ("template.csv", "template", 1, 3),
        ("template_households.csv", "template", 3, 7),
    ],
)
def test_each_sample_file_imports_without_errors(importer, name, file_format, households, people):
    batch = validated(importer, SAMPLES / name, file_format)
    assert batch.error_count == 0, messages_of(batch)
    assert (batch.households_new, batch.individuals_total) == (households, people)
