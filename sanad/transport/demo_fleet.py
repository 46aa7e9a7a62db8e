"""Demo data of the fleet (`sanad seed_demo`, before the movements demo): the vehicles
IOM owns in Duhok and Ninewa (ambulances, minibuses, a luggage truck) and those of two
transport contractors under per-trip contracts in US dollars (buses, minibuses,
luggage trucks), with their drivers. One bus is out of service (a broken gearbox); one
driver's licence has expired and another expires within the month.

Everything goes through the services as the transport officer (or the administrator).
Deterministic; idempotent: records already there (by name, plate or licence) are kept,
so a second run adds nothing."""

from __future__ import annotations

import datetime
from typing import Any

from sanad.geo.models import AdminUnit
from sanad.programmes.models import Project
from sanad.transport.models import Driver, TransportContract, TransportContractor, Vehicle

DUHOK, NINEWA = "IQG09", "IQG15"
PROJECT = "TRP-PRM-2026-01"

# name, registration, contact, phone, governorates
CONTRACTORS = [
    (
        "Zakho Star Passenger Transport",
        "DUH-TR-2016-0211",
        "Hozan Sleman",
        "0750 211 4470",
        [DUHOK],
    ),
    (
        "Al-Hadbaa Transport Company",
        "NIN-TR-2018-0934",
        "Mahmoud Younis",
        "0770 934 1185",
        [NINEWA, DUHOK],
    ),
]
# contractor index, reference, per-trip rate (USD) of a bus
CONTRACTS = [(0, "TRC-DHK-2026-01", "185.00"), (1, "TRC-NIN-2026-01", "210.00")]

# kind, plate, make and model, contractor (index or None = owned), seats, wheelchairs,
# stretchers, luggage m³, governorates
VEHICLES: list[tuple[str, str, str, int | None, int, int, int, str, list[str]]] = [
    ("bus", "Duhok 21483 A", "Mercedes-Benz Travego", 0, 49, 1, 0, "6.00", [DUHOK]),
    ("bus", "Duhok 21507 A", "Mercedes-Benz Travego", 0, 49, 1, 0, "6.00", [DUHOK]),
    ("bus", "Duhok 30912 B", "Hyundai Universe", 0, 45, 0, 0, "5.00", [DUHOK]),
    ("bus", "Duhok 30977 B", "Hyundai Universe", 0, 45, 2, 0, "5.00", [DUHOK]),
    ("bus", "Duhok 41205 C", "King Long XMQ6127", 0, 50, 0, 0, "5.50", [DUHOK]),
    ("bus", "Ninewa 18834 A", "Hyundai Universe", 1, 45, 1, 0, "4.50", [NINEWA]),
    ("bus", "Ninewa 18851 A", "Hyundai Universe", 1, 45, 0, 0, "4.50", [NINEWA]),
    ("bus", "Ninewa 27760 B", "Yutong ZK6122", 1, 47, 2, 0, "4.00", [NINEWA, DUHOK]),
    ("bus", "Ninewa 27794 B", "Yutong ZK6122", 1, 47, 0, 0, "4.00", [NINEWA, DUHOK]),
    ("bus", "Ninewa 35112 C", "King Long XMQ6127", 1, 50, 1, 0, "6.00", [NINEWA]),
    ("minibus", "Duhok 55021 A", "Toyota Coaster", None, 22, 1, 0, "1.50", [DUHOK]),
    ("minibus", "Duhok 55038 A", "Toyota Coaster", None, 22, 0, 0, "1.50", [DUHOK]),
    ("minibus", "Duhok 61440 B", "Hyundai County", 0, 24, 0, 0, "1.20", [DUHOK]),
    ("minibus", "Ninewa 44619 A", "Toyota Coaster", None, 20, 1, 0, "1.50", [NINEWA]),
    ("minibus", "Ninewa 44687 A", "Hyundai County", 1, 24, 0, 0, "1.20", [NINEWA]),
    ("minibus", "Ninewa 50233 B", "Hyundai County", 1, 20, 0, 0, "1.00", [NINEWA]),
    ("ambulance", "Duhok 70015 A", "Toyota Land Cruiser ambulance", None, 3, 1, 1, "0.30", [DUHOK]),
    (
        "ambulance",
        "Ninewa 70042 A",
        "Toyota Land Cruiser ambulance",
        None,
        3,
        1,
        1,
        "0.30",
        [NINEWA],
    ),
    ("luggage_truck", "Duhok 82310 A", "Isuzu NPR box truck", None, 0, 0, 0, "25.00", [DUHOK]),
    ("luggage_truck", "Duhok 82377 B", "Mercedes-Benz Atego", 0, 0, 0, 0, "35.00", [DUHOK]),
    ("luggage_truck", "Ninewa 91158 A", "Hino 500", 1, 0, 0, 0, "30.00", [NINEWA]),
]
OUT_OF_SERVICE = (
    "Duhok 30912 B",
    "Gearbox failure on the Zakho road; at the contractor's garage until the part comes "
    "from Erbil.",
)

# name, phone, licence number, days until the licence expires, contractor, governorates
DRIVERS: list[tuple[str, str, str, int, int | None, list[str]]] = [
    ("Shivan Haji Ali", "0750 318 2204", "DH-0451823", 640, None, [DUHOK]),
    ("Rebwar Salih Ahmed", "0750 447 9012", "DH-0398114", 410, None, [DUHOK]),
    ("Hussein Ali Mahmoud", "0770 264 5531", "NV-1120457", 820, None, [NINEWA]),
    ("Dilshad Omar Rashid", "0751 902 1176", "DH-0577290", 25, None, [DUHOK]),
    ("Azad Khalil Murad", "0750 633 4418", "DH-0612033", 530, 0, [DUHOK]),
    ("Hogir Abdulrahman Sadiq", "0750 781 2290", "DH-0534117", 300, 0, [DUHOK]),
    ("Nechirvan Yousif Hassan", "0751 129 6603", "DH-0488201", 700, 0, [DUHOK]),
    ("Sardar Mustafa Qadir", "0750 455 0187", "DH-0369952", -12, 0, [DUHOK]),
    ("Karwan Ibrahim Tahir", "0750 910 3345", "DH-0701148", 460, 0, [DUHOK]),
    ("Ahmed Khalaf Jasim", "0770 318 7720", "NV-1098834", 380, 1, [NINEWA]),
    ("Omar Faisal Hamad", "0780 552 1904", "NV-1203316", 590, 1, [NINEWA]),
    ("Mohammed Younis Saleh", "0770 641 8832", "NV-1154470", 250, 1, [NINEWA, DUHOK]),
    ("Ali Hassan Abdullah", "0781 207 4456", "NV-1176203", 910, 1, [NINEWA, DUHOK]),
    ("Yasir Nawaf Ahmed", "0770 893 0061", "NV-1219985", 480, 1, [NINEWA]),
]


def _units(codes: list[str]) -> list[AdminUnit]:
    return list(AdminUnit.objects.filter(pcode__in=codes, level=1).order_by("pcode"))


def _contractors(user: Any, today: datetime.date) -> list[TransportContractor]:
    from sanad.transport.services import fleet as services

    made = []
    for name, registration, contact, phone, govs in CONTRACTORS:
        contractor = TransportContractor.objects.filter(name=name).first()
        if contractor is None:
            contractor = services.contractor_create(
                user=user,
                name=name,
                registration_number=registration,
                contact_name=contact,
                phone=phone,
                governorates=_units(govs),
            )
        made.append(contractor)
    project = Project.objects.filter(code=PROJECT).first()
    start = datetime.date(today.year, 1, 1)
    for index, reference, rate in CONTRACTS:
        if TransportContract.objects.filter(reference=reference).exists():
            continue
        services.contract_create(
            user=user,
            contractor=made[index],
            reference=reference,
            starts_on=start,
            ends_on=datetime.date(today.year, 12, 31),
            rate=rate,
            rate_kind="per_trip",
            currency="USD",
            project=project,
            terms="Rate per bus and trip within the governorate, fuel and driver included; "
            "minibuses at 60 per cent of the bus rate; waiting beyond four hours charged as "
            "a half trip.",
        )
    return made


def seed(*, users: dict[str, Any], today: datetime.date) -> dict[str, int]:
    from sanad.transport.services import fleet as services

    user = users.get("transport") or users["admin"]
    contractors = _contractors(user, today)
    for kind, plate, model, owner, seats, wheel, stretch, luggage, govs in VEHICLES:
        if Vehicle.objects.filter(plate_number__iexact=plate).exists():
            continue
        services.vehicle_create(
            user=user,
            kind=kind,
            plate_number=plate,
            description=model,
            contractor=contractors[owner] if owner is not None else None,
            seats=seats,
            wheelchair_places=wheel,
            stretcher_places=stretch,
            luggage_m3=luggage,
            governorates=_units(govs),
        )
    broken = Vehicle.objects.filter(plate_number=OUT_OF_SERVICE[0]).first()
    # Only once: a vehicle someone put back in service since stays in service.
    if (
        broken is not None
        and broken.status == Vehicle.Status.ACTIVE
        and not Vehicle.STATUS_MACHINE.history(broken).exists()
    ):
        services.vehicle_transition(
            user=user, vehicle=broken, to="out_of_service", reason=OUT_OF_SERVICE[1]
        )
    for name, phone, licence, days, owner, govs in DRIVERS:
        if Driver.objects.filter(licence_number=licence).exists():
            continue
        services.driver_create(
            user=user,
            name=name,
            phone=phone,
            licence_number=licence,
            licence_expires_on=today + datetime.timedelta(days=days),
            contractor=contractors[owner] if owner is not None else None,
            governorates=_units(govs),
        )
    plates = [v[1] for v in VEHICLES]
    licences = [d[2] for d in DRIVERS]
    return {
        "vehicles": Vehicle.objects.filter(plate_number__in=plates).count(),
        "drivers": Driver.objects.filter(licence_number__in=licences).count(),
    }
