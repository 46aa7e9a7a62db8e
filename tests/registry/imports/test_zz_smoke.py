from __future__ import annotations
import pytest
from sanad.registry.imports import services, synthetic
from sanad.registry.models import Household, Individual, SearchKey
from tests.registry.imports.conftest import records

pytestmark = pytest.mark.django_db


def test_smoke(importer, demo_places, tmp_files):
    recs = records(30)
    path = synthetic.write_template_csv(recs, tmp_files / "t.csv")
    with path.open("rb") as fh:
        batch = services.import_batch_upload(user=importer, file=fh, original_name="t.csv", file_format="template")
    services.import_batch_validate(batch=batch, user=importer)
    print(batch.status, batch.households_total, batch.individuals_total, batch.error_count)
    for e in services.batch_errors(batch)[:20]:
        print(e)
    assert batch.error_count == 0
    services.import_batch_commit(batch=batch, user=importer)
    print(Household.objects.count(), Individual.objects.count(), SearchKey.objects.count())

    xl = synthetic.write_kobo_xlsx(lambda: recs, tmp_files / "k.xlsx")
    with xl.open("rb") as fh:
        b2 = services.import_batch_upload(user=importer, file=fh, original_name="k.xlsx", file_format="kobo")
    services.import_batch_validate(batch=b2, user=importer)
    print(b2.status, b2.households_total, b2.individuals_total, b2.households_already_imported, b2.error_count)
    for e in services.batch_errors(b2)[:20]:
        print(e)
