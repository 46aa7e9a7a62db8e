"""Building MRT, hazard and training records for tests (part D)."""

from __future__ import annotations

import datetime
from typing import Any

from sanad.camps.models import Hazard, Mitigation, MrtVisit, Site, Training, TrainingParticipant
from sanad.camps.services.mrt import risk_score
from sanad.geo.models import Place
from tests.camps.factories import make_site

TODAY = datetime.date(2025, 3, 15)


def make_informal_site(**kwargs: Any) -> Site:
    return make_site(kind=Place.Kind.INFORMAL_SITE, **kwargs)


def make_visit(site: Site, **kwargs: Any) -> MrtVisit:
    kwargs.setdefault("team", "MRT 1")
    kwargs.setdefault("visited_on", TODAY)
    return MrtVisit.objects.create(site=site, **kwargs)


def make_hazard(site: Site, likelihood: int = 3, impact: int = 3, **kwargs: Any) -> Hazard:
    kwargs.setdefault("kind", Hazard.Kind.FIRE)
    kwargs.setdefault("description", "Cooking fires near tents")
    kwargs.setdefault("assessed_on", TODAY)
    return Hazard.objects.create(
        site=site,
        likelihood=likelihood,
        impact=impact,
        risk=risk_score(likelihood, impact),
        **kwargs,
    )


def make_mitigation(hazard: Hazard, **kwargs: Any) -> Mitigation:
    kwargs.setdefault("action", "Fire extinguishers at each block")
    return Mitigation.objects.create(hazard=hazard, **kwargs)


def make_training(site: Site | None = None, **kwargs: Any) -> Training:
    if site is None:
        site = make_site()
    kwargs.setdefault("title", "Camp management basics")
    kwargs.setdefault("starts_on", TODAY)
    kwargs.setdefault("ends_on", TODAY)
    kwargs.setdefault("sessions", 4)
    return Training.objects.create(site=site, governorate=site.governorate, **kwargs)


def make_participant(training: Training, **kwargs: Any) -> TrainingParticipant:
    kwargs.setdefault("name", "Layla Hassan")
    kwargs.setdefault("sex", "female")
    return TrainingParticipant.objects.create(training=training, **kwargs)
