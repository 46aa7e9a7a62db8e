"""Background job of the sites part: compute every site's population for a month from
the registry, with progress (the button on the sites list; `sanad camps_population`
does the same from the command line)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sanad.camps.models import MANAGE_SITE
from sanad.core.jobs import Progress, job_kind
from sanad.core.models import Job

POPULATION = "camps.population"


@job_kind(POPULATION, title=gettext_lazy("Compute site populations"), permission=MANAGE_SITE)
def population(job: Job, progress: Progress) -> dict[str, Any]:
    """params: {"month": "YYYY-MM" (default: this month)}. Computes the sites the job's
    user may manage."""
    from sanad.camps.selectors.sites import sites_visible_to
    from sanad.camps.services.sites import parse_month, population_compute_all

    params = dict(job.params or {})
    month = parse_month(params.get("month") or datetime.date.today())
    sites = list(sites_visible_to(job.created_by, MANAGE_SITE).select_related("place"))
    message = _("Computing the population of each site")
    progress(0, len(sites), message, force=True)
    count = population_compute_all(
        month=month, sites=sites, progress=lambda n, total: progress(n, total, message)
    )
    progress(count, count, _("Finished"), force=True)
    return {"month": month.strftime("%Y-%m"), "sites": count}
