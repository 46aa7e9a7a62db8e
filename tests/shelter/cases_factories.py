"""Building the records the cases tests start from: a validated damage assessment made
directly with the ORM (assessments are helper A's and tested there), a family on a
shelter cash plan paid tranche by tranche (`tests.cash.factories.cash_world`), and the
people who act: a programme officer (manage_case) and an engineer (inspect_works), both
scoped to Duhok × NFI.

    w = case_world(cash=True, tranches=3)
    case = open_case(w, modality="cash")       # through case_create, entitlement linked
"""

from __future__ import annotations

import datetime
import io
import itertools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from sanad.shelter.models import Assessment, Property, RehabCase
from sanad.shelter.services import cases as services
from sanad.shelter.services import inspections
from tests.factories import DUHOK, ProgrammeFactory, ProjectFactory, make_user, subdistrict_in

_n = itertools.count(1)
SCOPE = {"governorates": (DUHOK,), "programmes": ("NFI",)}


@pytest.fixture
def photo_dir(settings: Any, tmp_path: Any) -> Any:
    """Shelter photos and signatures in a temporary folder (import into a test module)."""
    settings.SANAD_SHELTER_PHOTO_DIR = tmp_path / "shelter-photos"
    return settings.SANAD_SHELTER_PHOTO_DIR


def today() -> datetime.date:
    return timezone.localdate()


def make_assessment(
    *,
    project: Any,
    household: Any = None,
    governorate: str = DUHOK,
    engineer: Any = None,
    occupants: int = 5,
    area: Any = "60",
    boq_total: Any = "4800.00",
    status: str = Assessment.Status.VALIDATED,
    currency: str = "USD",
) -> Assessment:
    """A validated assessment of a new property (ORM only)."""
    n = next(_n)
    unit = household.admin_unit if household is not None else subdistrict_in(governorate)
    prop = Property.objects.create(
        address=f"House {n}, Matrix street",
        admin_unit=unit,
        governorate=unit.governorate,
        household=household,
        tenure=Property.Tenure.OWNER,
        documents=["title_deed"],
    )
    return Assessment.objects.create(
        reference=f"SA-B-{n:05d}",
        property=prop,
        household=household,
        programme=project.programme,
        project=project,
        governorate=unit.governorate,
        assessed_on=today() - datetime.timedelta(days=20),
        engineer=engineer or make_user("shelter_engineer"),
        damage="severe",
        components={"roof": "destroyed", "walls": "partial"},
        occupants=occupants,
        covered_area_after_m2=Decimal(str(area)) if area is not None else None,
        boq_total=Decimal(str(boq_total)),
        currency=currency,
        status=status,
    )


@dataclass
class CaseWorld:
    officer: Any
    engineer: Any
    project: Any
    households: list[Any]
    cash: Any = None  # tests.cash.factories.CashWorld when cash=True

    @property
    def plan(self) -> Any:
        return self.cash.plan if self.cash else None

    def entitlement(self, index: int = 0) -> Any:
        from sanad.cash.models import Entitlement

        return Entitlement.objects.get(plan=self.plan, household=self.households[index])

    def assessment(self, index: int = 0, **kwargs: Any) -> Assessment:
        household = self.households[index] if index is not None else None
        return make_assessment(
            project=self.project, household=household, engineer=self.engineer, **kwargs
        )


def case_world(*, cash: bool = False, tranches: int = 3, households: int = 2) -> CaseWorld:
    """Duhok × NFI: an officer and an engineer; with `cash`, households on an approved
    cash plan of `tranches` tranches released by verified shelter milestones."""
    n = next(_n)
    if cash:
        from tests.cash.factories import cash_world

        cw = cash_world(
            households=households,
            modality="cash",
            amount="3000",
            currency="USD",
            exchange_rate="1310",
            tranches=tranches,
            condition="shelter_milestone",
            item_code="shelter_cash",
        )
        project, homes = cw.project, cw.households
    else:
        from tests.registry.factories import make_household

        cw = None
        project = ProjectFactory(
            programme=ProgrammeFactory(code="NFI"),
            start_date=today() - datetime.timedelta(days=400),
            end_date=today() + datetime.timedelta(days=400),
        )
        homes = [make_household(governorate=DUHOK, members=5) for _i in range(households)]
    officer = make_user("programme_officer", username=f"shelter-officer-{n}", **SCOPE)
    engineer = make_user("shelter_engineer", username=f"shelter-engineer-{n}", **SCOPE)
    return CaseWorld(officer=officer, engineer=engineer, project=project, households=homes, cash=cw)


def open_case(w: CaseWorld, *, modality: str = "direct", index: int = 0, **data: Any) -> RehabCase:
    """A case opened through `case_create` (cash: with the household's entitlement)."""
    assessment = w.assessment(index)
    if modality == "cash" and "entitlement" not in data and w.cash is not None:
        data["entitlement"] = w.entitlement(index)
    data.setdefault("planned_start", today())
    data.setdefault("planned_end", today() + datetime.timedelta(days=90))
    return services.case_create(user=w.officer, assessment=assessment, modality=modality, data=data)


def started(w: CaseWorld, **kwargs: Any) -> RehabCase:
    case = open_case(w, **kwargs)
    return services.case_start(user=w.officer, case=case)


def inspect(
    w: CaseWorld,
    case: RehabCase,
    *,
    kind: str = "milestone",
    result: str = "verified",
    milestone: Any = None,
    progress: Any = 40,
    sign_off: bool = True,
    photos: Any = None,
    user: Any = None,
) -> Any:
    """An inspection of the case by the world's engineer (the next milestone by default)."""
    if kind == "milestone" and milestone is None:
        milestone = inspections.next_milestone(case)
    return inspections.inspection_create(
        user=user or w.engineer,
        case=case,
        data={
            "kind": kind,
            "milestone": milestone,
            "inspected_on": today(),
            "checklist": {"roof": "ok", "walls": "ok", "electrical": "na"},
            "progress": progress,
            "result": result,
            "findings": "Checked on site.",
            "sign_off": sign_off,
        },
        photos=photos,
    )


def complete(w: CaseWorld, case: RehabCase) -> RehabCase:
    """Verify every milestone but the last, then a final inspection."""
    case.refresh_from_db()
    for m in list(case.milestones.order_by("sequence"))[:-1]:
        inspect(w, case, milestone=m, progress=m.progress)
    inspect(w, case, kind="final", progress=100)
    case.refresh_from_db()
    return case


def png_bytes(size: tuple[int, int] = (40, 20)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (255, 255, 255)).save(out, format="PNG")
    return out.getvalue()


def signature_data_url() -> str:
    import base64

    return "data:image/png;base64," + base64.b64encode(png_bytes()).decode()


def jpeg_upload(name: str = "site.jpg") -> SimpleUploadedFile:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 120, 40)).save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def handover(w: CaseWorld, case: RehabCase, **data: Any) -> RehabCase:
    values = {
        "signed_by": "Amina Hassan",
        "relationship": "Head of household",
        "handed_over_on": today(),
        "signature": signature_data_url(),
        "exchange_rate": "1310",
    }
    values.update(data)
    return services.case_handover(user=w.officer, case=case, data=values)
