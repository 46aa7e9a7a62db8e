from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DedupConfig(AppConfig):
    name = "sanad.dedup"
    label = "dedup"
    verbose_name = _("Deduplication")

    def ready(self) -> None:
        from sanad.core import audit
        from sanad.dedup import models

        for model in (
            models.DedupSettings,
            models.DedupRun,
            models.MatchPair,
            models.PairDecision,
            models.HouseholdMerge,
        ):
            audit.register(model)
        from sanad.dedup import jobs  # noqa: F401  (registers the dedup.run job kind)
