"""Rows of the permission matrix (tests/accounts/test_permission_matrix.py) for the
deduplication pages and API:

    from tests.dedup.matrix import dedup_checks, dedup_world
    # in the world fixture:   extras={"dedup": dedup_world(), ...}
    # in registry_checks:     *dedup_checks(role, w.extras["dedup"], w.extras["import_batch"], Check, can, allowed, HIDDEN)

Matrix users are scoped to Duhok: a pair (or merge) between two Duhok households is
in their scope; one between Duhok and Erbil is not (both households must be in scope).
Writes are checked on out-of-scope records only (they answer 404 and change nothing);
the module tests check the writes that succeed."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from sanad.dedup.models import DedupRun, HouseholdMerge, MatchPair
from tests.factories import DUHOK, ERBIL, UserFactory
from tests.registry.factories import make_household

VIEW, REVIEW, RUN = "dedup.view_pair", "dedup.review_pair", "dedup.run"
SETTINGS = "dedup.change_settings"


def _pair(run: DedupRun, a: Any, b: Any) -> MatchPair:
    left, right = a.members.first(), b.members.first()
    return MatchPair.objects.create(
        run=run,
        left_individual=left,
        right_individual=right,
        left_household=a,
        right_household=b,
        probability=0.97,
        weight=9.5,
        contributions=[
            {"field": "given_name", "level": "exact", "weight": 4.0, "left": "x", "right": "x"}
        ],
        band=MatchPair.Band.FLAGGED,
    )


def dedup_world() -> dict[str, Any]:
    duhok_a = make_household(governorate=DUHOK, members=1)
    duhok_b = make_household(governorate=DUHOK, members=1)
    erbil = make_household(governorate=ERBIL, members=1)
    owner = UserFactory()
    run = DedupRun.objects.create(
        kind=DedupRun.Kind.REGISTRY,
        status=DedupRun.Status.DONE,
        flag_threshold=0.95,
        review_threshold=0.5,
        created_by=owner,
    )
    link = DedupRun.objects.create(
        kind=DedupRun.Kind.LINK_REGISTRY,
        status=DedupRun.Status.DONE,
        flag_threshold=0.95,
        review_threshold=0.5,
        left_name="partner.csv",
        created_by=owner,
    )
    return {
        "run": run,
        "link": link,
        "pair_in": _pair(run, duhok_a, duhok_b),
        "pair_out": _pair(run, duhok_a, erbil),
        "merge_in": HouseholdMerge.objects.create(
            survivor=duhok_a, duplicate=duhok_b, reason="matrix"
        ),
        "merge_out": HouseholdMerge.objects.create(
            survivor=duhok_b, duplicate=erbil, reason="matrix"
        ),
        "household_in": duhok_a,
        "household_out": erbil,
    }


def dedup_checks(
    role: str,
    world: dict[str, Any],
    batch: Any,
    Check: Any,
    can: Any,
    allowed: Any,
    hidden: set[int],
) -> list[Any]:
    view, review, run_ok = can(role, VIEW), can(role, REVIEW), can(role, RUN)
    view_hh = can(role, "registry.view_household")
    out404 = lambda ok: {404} if ok else hidden  # noqa: E731
    hid = lambda ok: allowed(ok, denied=hidden)  # noqa: E731
    p_in, p_out = world["pair_in"].public_id, world["pair_out"].public_id
    m_in, m_out = world["merge_in"].public_id, world["merge_out"].public_id
    outside = world["household_out"].registration_id
    reason = {"reason": "matrix"}
    return [
        # --- pages ---------------------------------------------------------------------
        Check("dedup:pair_list", "get", reverse("dedup:pair_list"), allowed(view), absent=outside),
        Check("dedup:pair_detail in", "get", reverse("dedup:pair_detail", args=[p_in]), hid(view)),
        Check(
            "dedup:pair_detail out", "get", reverse("dedup:pair_detail", args=[p_out]), out404(view)
        ),
        Check(
            "dedup:pair_confirm out",
            "post",
            reverse("dedup:pair_confirm", args=[p_out]),
            out404(review),
        ),
        Check(
            "dedup:pair_reject out",
            "post",
            reverse("dedup:pair_reject", args=[p_out]),
            out404(review),
            reason,
        ),
        Check("dedup:run_list", "get", reverse("dedup:run_list"), allowed(view or run_ok)),
        Check(
            "dedup:run_detail",
            "get",
            reverse("dedup:run_detail", args=[world["run"].public_id]),
            hid(view),
        ),
        Check(
            "dedup:run_detail (someone else's list)",
            "get",
            reverse("dedup:run_detail", args=[world["link"].public_id]),
            out404(view or run_ok),
        ),
        Check(
            "dedup:link_download (someone else's list)",
            "get",
            reverse("dedup:link_download", args=[world["link"].public_id]),
            out404(view or run_ok),
        ),
        Check("dedup:link_upload", "get", reverse("dedup:link_upload"), allowed(run_ok)),
        Check(
            "dedup:merge_list", "get", reverse("dedup:merge_list"), allowed(view), absent=outside
        ),
        Check(
            "dedup:merge_undo out",
            "post",
            reverse("dedup:merge_undo", args=[m_out]),
            out404(review),
            reason,
        ),
        Check("dedup:settings", "get", reverse("dedup:settings"), allowed(can(role, SETTINGS))),
        Check(
            "dedup:household_note in",
            "get",
            reverse("dedup:household_note", args=[world["household_in"].public_id]),
            hid(view_hh),
            absent=None if view else "duplicates-note",
        ),
        Check(
            "dedup:household_note out",
            "get",
            reverse("dedup:household_note", args=[world["household_out"].public_id]),
            out404(view_hh),
        ),
        Check(
            "dedup:batch_duplicates (someone else's)",
            "get",
            reverse("dedup:batch_duplicates", args=[batch.public_id]),
            out404(can(role, "registry.import_households")),
        ),
        Check(
            "dedup:run_start",
            "post",
            reverse("dedup:run_start"),
            allowed(run_ok, ok_codes={302}),
        ),
        # --- API -----------------------------------------------------------------------
        Check(
            "dedup-pair-list",
            "get",
            "/api/v1/dedup/pairs/",
            allowed(view),
            api=True,
            absent=outside,
        ),
        Check("dedup-pair-detail in", "get", f"/api/v1/dedup/pairs/{p_in}/", hid(view), api=True),
        Check(
            "dedup-pair-detail out", "get", f"/api/v1/dedup/pairs/{p_out}/", out404(view), api=True
        ),
        Check(
            "dedup-pair-confirm out",
            "post",
            f"/api/v1/dedup/pairs/{p_out}/confirm/",
            out404(review),
            {},
            api=True,
        ),
        Check(
            "dedup-pair-reject out",
            "post",
            f"/api/v1/dedup/pairs/{p_out}/reject/",
            out404(review),
            reason,
            api=True,
        ),
        Check("dedup-run-list", "get", "/api/v1/dedup/runs/", allowed(view), api=True),
        Check(
            "dedup-run-detail",
            "get",
            f"/api/v1/dedup/runs/{world['run'].public_id}/",
            hid(view),
            api=True,
        ),
        Check(
            "dedup-run-list (start)",
            "post",
            "/api/v1/dedup/runs/",
            allowed(run_ok, ok_codes={202}),
            {},
            api=True,
        ),
        Check(
            "dedup-merge-list",
            "get",
            "/api/v1/dedup/merges/",
            allowed(view),
            api=True,
            absent=outside,
        ),
        Check("dedup-merge-detail in", "get", f"/api/v1/dedup/merges/{m_in}/", hid(view), api=True),
        Check(
            "dedup-merge-detail out",
            "get",
            f"/api/v1/dedup/merges/{m_out}/",
            out404(view),
            api=True,
        ),
        Check(
            "dedup-merge-undo out",
            "post",
            f"/api/v1/dedup/merges/{m_out}/undo/",
            out404(review),
            reason,
            api=True,
        ),
    ]
