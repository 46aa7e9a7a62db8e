from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DistributionConfig(AppConfig):
    name = "sanad.distribution"
    label = "distribution"
    verbose_name = _("Distribution")

    def ready(self) -> None:
        from sanad.core import audit
        from sanad.distribution import models

        for model in (models.Plan, models.Event, models.Receipt, models.MonitoringSample):
            audit.register(model)
        from sanad.distribution import jobs  # noqa: F401  (registers the report export job)
