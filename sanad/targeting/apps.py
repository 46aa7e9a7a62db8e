from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetingConfig(AppConfig):
    name = "sanad.targeting"
    label = "targeting"
    verbose_name = _("Targeting")

    def ready(self) -> None:
        from sanad.core import audit
        from sanad.targeting import models

        for model in (
            models.Rule,
            models.ScoringModel,
            models.ScoringModelVersion,
            models.BeneficiaryList,
            models.ManualDecision,
        ):
            audit.register(model)
        from sanad.targeting import jobs  # noqa: F401  (registers the build and export jobs)
