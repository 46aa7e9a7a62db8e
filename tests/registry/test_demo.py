"""The demo registry: the generator's households look like the caseload of the
response, pass the registry's own validation, and `seed_registry` writes what the
registry services would (derived flags, name keys, search keys)."""

from __future__ import annotations

import datetime
from collections import Counter
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from sanad.core.text import document_key, name_tokens, normalise_phone
from sanad.geo.models import AdminUnit, Place
from sanad.registry.demo import AS_OF, generate_households, seed_registry
from sanad.registry.demo import geography as demo_geo
from sanad.registry.derive import (
    WG_CUTOFF,
    WG_DOMAINS,
    age_on,
    has_disability,
    household_derived,
    member_name_key,
    search_keys,
)
from sanad.registry.models import Household, Individual, SearchKey
from sanad.registry.services.validation import Lookups, prepare_household
from sanad.web import demo_data
from tests.factories import make_user

SAMPLE = 2000


@pytest.fixture(scope="module")
def sample() -> list[dict[str, Any]]:
    return list(generate_households(SAMPLE, seed=7))


def _age(member: dict[str, Any]) -> int:
    return age_on(datetime.date.fromisoformat(member["date_of_birth"]), AS_OF)


def _head(record: dict[str, Any]) -> dict[str, Any]:
    heads = [m for m in record["members"] if m["relationship"] == "head"]
    assert len(heads) == 1
    return heads[0]


def _demo_places(db: Any) -> list[Place]:
    units = {u.pcode: u for u in AdminUnit.objects.all()}
    return Place.objects.bulk_create(
        Place(
            kind=kind,
            name_en=name_en,
            name_ar=name_ar,
            code=code,
            admin_unit=units[pcode],
            lat=lat,
            lon=lon,
            status=status,
        )
        for kind, name_en, name_ar, code, pcode, lat, lon, status in demo_data.PLACES
    )


# --- the generator --------------------------------------------------------------------


def test_the_same_seed_gives_the_same_households_and_another_seed_others() -> None:
    first = list(generate_households(300, seed=11))
    assert first == list(generate_households(300, seed=11))
    assert first != list(generate_households(300, seed=12))
    assert len(first) == 300


def test_household_sizes_and_the_age_structure_look_like_the_caseload(
    sample: list[dict[str, Any]],
) -> None:
    sizes = [len(r["members"]) for r in sample]
    members = [m for r in sample for m in r["members"]]
    ages = [_age(m) for m in members]
    assert min(sizes) >= 1 and max(sizes) <= 12
    assert 4.5 <= sum(sizes) / len(sizes) <= 6.5
    assert 0.35 <= sum(a < 18 for a in ages) / len(ages) <= 0.55
    assert 0.02 <= sum(a >= 60 for a in ages) / len(ages) <= 0.08


def test_vulnerabilities_come_at_plausible_rates(sample: list[dict[str, Any]]) -> None:
    heads = [_head(r) for r in sample]
    woman_headed = sum(h["sex"] == "female" and _age(h) >= 18 for h in heads) / len(sample)
    child_headed = sum(_age(h) < 18 for h in heads) / len(sample)
    older_alone = sum(len(r["members"]) == 1 and _age(r["members"][0]) >= 60 for r in sample) / len(
        sample
    )
    assert 0.08 <= woman_headed <= 0.16
    assert 0 < child_headed < 0.015
    assert 0.01 <= older_alone <= 0.04

    members = [m for r in sample for m in r["members"]]

    class Person:
        def __init__(self, data: dict[str, Any]) -> None:
            self.__dict__.update(data)

    disabled = sum(has_disability(Person(m)) for m in members) / len(members)
    assert 0.04 <= disabled <= 0.12
    # Most people answer "no difficulty"; children under five are not asked.
    answered = [m for m in members if m["wg_seeing"] is not None]
    assert all(_age(m) >= 5 for m in answered)
    assert sum(all(m[d] == 1 for d in WG_DOMAINS) for m in answered) / len(answered) > 0.7
    assert all(m[d] in (None, 1, 2, 3, 4) for m in members for d in WG_DOMAINS)
    assert any(m[d] >= WG_CUTOFF for m in answered for d in WG_DOMAINS)
    assert 0.05 <= sum(m["has_chronic_illness"] for m in members) / len(members) <= 0.15
    for m in members:
        if m["is_pregnant"]:
            assert m["sex"] == "female" and m["marital_status"] == "married"
            assert 15 <= _age(m) <= 45  # early marriage is common
        if m["is_unaccompanied_or_separated"]:
            assert _age(m) < 18
    assert 0 < sum(m["is_unaccompanied_or_separated"] for m in members) / len(members) < 0.02


def test_children_carry_their_fathers_and_grandfathers_names(sample: list[dict[str, Any]]) -> None:
    checked = 0
    for record in sample:
        head = _head(record)
        if head["sex"] != "male":
            continue
        for m in record["members"]:
            if m["relationship"] not in ("son", "daughter") or m["marital_status"] == "married":
                continue
            for script in ("ar", "en"):
                if script == "en" and not m["given_name_en"]:
                    continue
                assert m[f"fathers_name_{script}"] == head[f"given_name_{script}"]
                assert m[f"grandfathers_name_{script}"] == head[f"fathers_name_{script}"]
                assert m[f"family_name_{script}"] == head[f"family_name_{script}"]
            checked += 1
    assert checked > SAMPLE


def test_names_come_in_arabic_script_with_latin_spellings_for_most_families(
    sample: list[dict[str, Any]],
) -> None:
    heads = [_head(r) for r in sample]
    assert all(h["given_name_ar"] and h["family_name_ar"] for h in heads)
    assert 0.6 <= sum(bool(h["given_name_en"]) for h in heads) / len(heads) <= 0.8
    latin = Counter(h["given_name_en"] for h in heads)
    assert {"Mohammed", "Muhammad"} <= set(latin)  # spellings vary
    arabic = {m["given_name_ar"] for r in sample for m in r["members"]}
    assert {"أحمد", "خدر", "کاروان"} <= arabic  # Arab, Yazidi and Kurdish names


def test_phones_are_normalised_iraqi_mobiles(sample: list[dict[str, Any]]) -> None:
    phones = [p for r in sample for p in r["household"]["phones"]]
    assert len(phones) > SAMPLE * 0.8
    for number in phones:
        assert normalise_phone(number) == number
        assert number[5] in "5789"  # Korek 075x, Asiacell 077x, Zain 078x/079x
    for record in sample:
        for m in record["members"]:
            if m["phone"]:
                assert m["phone"] in record["household"]["phones"]


def test_every_admin_unit_and_place_exists(db: Any, sample: list[dict[str, Any]]) -> None:
    pcodes = set(AdminUnit.objects.values_list("pcode", flat=True))
    governorates = set(AdminUnit.objects.filter(level=1).values_list("pcode", flat=True))
    places = {(p[0], p[3]): p[4] for p in demo_data.PLACES if p[3]}
    open_places = {(p[0], p[3]) for p in demo_data.PLACES if p[3] and p[7] == "open"}
    for record in sample:
        h = record["household"]
        assert h["admin_unit"] in pcodes
        assert h["admin_unit"] not in governorates
        assert h["origin_admin_unit"] is None or h["origin_admin_unit"] in pcodes
        if h["place_code"]:
            assert (h["place_kind"], h["place_code"]) in open_places
            assert places[(h["place_kind"], h["place_code"])] == h["admin_unit"]
        for move in h["moves"]:
            assert move["to_admin_unit"] in pcodes
            assert move["from_admin_unit"] is None or move["from_admin_unit"] in pcodes
            assert move["to_place_code"] is None or move["to_place_code"] in {c for _k, c in places}
        for m in record["members"]:
            for d in m["documents"]:
                assert d["issuing_governorate"] is None or d["issuing_governorate"] in governorates


def test_the_generators_sites_are_the_demo_places() -> None:
    places = {p[3]: (p[0], p[4], p[7]) for p in demo_data.PLACES if p[3]}
    for site in demo_geo.SITES:
        kind, pcode, status = places[site.code]
        assert (site.kind, site.pcode) == (kind, pcode)
        assert (site.weight > 0) == (status == "open")


def test_camp_refugee_and_return_statuses_follow_where_families_live(
    sample: list[dict[str, Any]],
) -> None:
    refugee_camps = {s.code for s in demo_geo.SITES if s.group == "refugee"}
    statuses = Counter(r["household"]["displacement_status"] for r in sample)
    assert set(statuses) == {
        "idp_in_camp",
        "idp_out_of_camp",
        "idp_informal_site",
        "returnee",
        "host_community",
        "syrian_refugee",
    }
    for record in sample:
        h = record["household"]
        if h["place_kind"] == "formal_camp":
            assert h["shelter_type"] == "camp"
            expected = "syrian_refugee" if h["place_code"] in refugee_camps else "idp_in_camp"
            assert h["displacement_status"] == expected
        if h["displacement_status"] == "syrian_refugee":
            assert h["origin_admin_unit"] is None
            assert (
                any(d["kind"] == "unhcr" for d in _head(record)["documents"])
                or h["demo_duplicate_of"]
            )
        if h["displacement_status"] == "host_community":
            assert h["displaced_on"] is None and h["moves"] == []
        if h["displacement_status"] == "returnee":
            assert h["origin_admin_unit"] == h["admin_unit"]
            assert [m["displacement_status"] for m in h["moves"]][-1] == "returnee"
    origins = Counter((r["household"]["origin_admin_unit"] or "")[:5] for r in sample)
    # Most displaced families come from Ninewa (Sinjar, Mosul, Tel Afar) and Anbar.
    assert origins["IQG15"] > origins["IQG01"] > 0


def test_re_registrations_point_to_an_earlier_registration_of_the_same_family(
    sample: list[dict[str, Any]],
) -> None:
    position = {r["household"]["source_ref"]: i for i, r in enumerate(sample)}
    assert len(position) == SAMPLE  # every registration has its own reference
    duplicates = [(i, r) for i, r in enumerate(sample) if r["household"]["demo_duplicate_of"]]
    assert 0.02 <= len(duplicates) / SAMPLE <= 0.045
    respelt = 0
    for i, record in duplicates:
        original = sample[position[record["household"]["demo_duplicate_of"]]]
        assert position[original["household"]["source_ref"]] < i
        assert not original["household"]["demo_duplicate_of"]
        assert record["household"]["registered_on"] > original["household"]["registered_on"]
        head, first = _head(record), _head(original)
        assert head["sex"] == first["sex"]
        assert head["date_of_birth"][:4] == first["date_of_birth"][:4]
        assert name_tokens(head["given_name_ar"]) == name_tokens(first["given_name_ar"])
        assert abs(len(record["members"]) - len(original["members"])) <= 1
        respelt += (head["given_name_ar"], head["given_name_en"], head["family_name_en"]) != (
            first["given_name_ar"],
            first["given_name_en"],
            first["family_name_en"],
        )
    assert respelt > len(duplicates) / 2


def test_documents_repeat_only_in_re_registrations(sample: list[dict[str, Any]]) -> None:
    seen: Counter[tuple[str, str]] = Counter()
    for record in sample:
        if record["household"]["demo_duplicate_of"]:
            continue
        for m in record["members"]:
            for d in m["documents"]:
                seen[(d["kind"], document_key(d["number"]))] += 1
    assert seen and max(seen.values()) == 1
    kinds = {kind for kind, _number in seen}
    assert {"national_id", "pds_card", "unhcr"} <= kinds
    national = [n for kind, n in seen if kind == "national_id"]
    assert all(len(n) == 12 and n.isdigit() for n in national)


def test_every_generated_household_passes_the_registrys_validation(db: Any) -> None:
    places = {(p.kind, p.code): p for p in _demo_places(db)}
    lookups = Lookups.load(places=places.values())
    today = datetime.date.today()
    for record in generate_households(400, seed=3):
        h = record["household"]
        data = {
            "place": places[(h["place_kind"], h["place_code"])] if h["place_code"] else None,
            "shelter_type": h["shelter_type"],
            "displacement_status": h["displacement_status"],
            "origin_admin_unit": h["origin_admin_unit"],
            "origin_place_name": h["origin_place_name"],
            "displaced_on": h["displaced_on"],
        }
        if not h["place_code"]:
            data["admin_unit"] = h["admin_unit"]
        prepared = prepare_household(
            data=data,
            members=record["members"],
            phones=h["phones"],
            consents=[{"purpose": p, **c} for p, c in h["consents"].items()],
            reach=None,
            source=h["source"],
            source_ref=h["source_ref"],
            lookups=lookups,
            today=today,
        )
        assert prepared.problems == [], (h["source_ref"], prepared.problems)


def test_the_generator_uses_only_the_places_and_units_it_is_given() -> None:
    places = [
        ("formal_camp", "DHK-DMZ1", "IQG09Q03N03", "open"),
        ("formal_camp", "XX-NEW", "IQG11Q02N02"),
    ]
    units = {"IQG09", "IQG09Q03N03", "IQG11", "IQG11Q02N02", "IQG15", "IQG15Q05", "IQG01"}
    records = list(generate_households(500, seed=5, places=places, admin_units=units))
    assert {r["household"]["place_code"] for r in records} <= {None, "DHK-DMZ1", "XX-NEW"}
    assert {r["household"]["place_code"] for r in records} >= {"DHK-DMZ1", "XX-NEW"}
    for record in records:
        h = record["household"]
        assert h["admin_unit"] in units
        assert h["origin_admin_unit"] is None or h["origin_admin_unit"] in units


# --- writing to the database ----------------------------------------------------------


def test_seed_registry_writes_what_the_registry_services_would(db: Any) -> None:
    _demo_places(db)
    admin = make_user("administrator", username="seeder")
    counts = seed_registry(n=150, user=admin, seed=9)
    assert counts["households"] == Household.objects.count() == 150
    assert counts["individuals"] == Individual.objects.count()
    assert counts["search_keys"] == SearchKey.objects.count()

    households = Household.objects.prefetch_related(
        "members__documents", "phones", "search_keys", "consents", "moves"
    ).select_related("admin_unit", "place")
    for household in households:
        members = list(household.members.all())
        derived = household_derived(members)
        assert {name: getattr(household, name) for name in derived} == derived
        assert household.governorate_id == (
            household.admin_unit.governorate_id or household.admin_unit_id
        )
        assert household.created_by == admin
        if household.place is not None:
            assert household.place.admin_unit_id == household.admin_unit_id
        for m in members:
            assert m.name_key == member_name_key(m)
            assert m.has_disability == has_disability(m)
            for doc in m.documents.all():
                assert doc.number_key == document_key(doc.number)
        wanted = search_keys(
            registration_id=household.registration_id,
            members=members,
            phones=[p.number for p in household.phones.all()],
            documents=[d.number for m in members for d in m.documents.all()],
        )
        assert {k.key for k in household.search_keys.all()} == wanted
        assert {c.purpose for c in household.consents.all()} == {
            "registration",
            "assistance",
            "communication",
            "data_sharing",
        }
        if household.displacement_status != "host_community":
            assert household.moves.exists()
        phones = list(household.phones.all())
        assert sum(p.is_primary for p in phones) == (1 if phones else 0)

    # The search box finds a household by an Arabic name token of its head.
    household = Household.objects.filter(place__isnull=False).first()
    assert household is not None
    head = household.members.get(relationship="head")
    token = name_tokens(head.given_name_ar)[0]
    found = SearchKey.objects.filter(key=f"n:{token}").values_list("household_id", flat=True)
    assert household.pk in set(found)
    family = name_tokens(head.family_name_ar)[0]
    both = set(found) & set(
        SearchKey.objects.filter(key=f"n:{family}").values_list("household_id", flat=True)
    )
    assert household.pk in both


def test_seed_demo_seeds_the_registry_once_and_can_leave_it_out(db: Any) -> None:
    out = StringIO()
    call_command("seed_demo", "--quiet-logins", "--no-registry", stdout=out)
    assert not Household.objects.exists()
    call_command("seed_demo", "--quiet-logins", "--households", "80", stdout=out)
    # The 80 of the registry demo, and 3 families the transport demo registers at the
    # Peshkhabour border crossing.
    border = Household.objects.filter(notes__icontains="minimal")
    assert Household.objects.count() == 80 + border.count() and border.count() == 3
    assert Household.objects.filter(place__isnull=False).exists()
    assert "Registry: 80 households" in out.getvalue()
    call_command("seed_demo", "--quiet-logins", "--households", "80", stdout=out)
    assert Household.objects.count() == 83
    assert "already has households" in out.getvalue()


def test_seed_demo_records_assistance_through_the_ledger(db: Any) -> None:
    from sanad.assistance.models import AssistanceRecord

    call_command("seed_demo", "--quiet-logins", "--households", "300", stdout=StringIO())
    records = AssistanceRecord.objects.select_related("project", "household")
    items = Counter(r.item for r in records)
    assert items["winter_kit"] > 0 and items["nfi_evoucher"] > 0
    for record in records:
        assert record.project.start_date <= record.delivered_on <= record.project.end_date
        assert record.governorate_id == record.household.governorate_id
        if record.value is not None:
            assert record.currency in ("IQD", "USD") and record.exchange_rate
