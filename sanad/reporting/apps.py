from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "sanad.reporting"
    label = "reporting"
    verbose_name = _("Reporting")

    def ready(self) -> None:
        from sanad.core import audit

        # Register the background job kinds (the job worker does not load the URLconf).
        from sanad.reporting import (
            jobs,  # noqa: F401
            models,
        )

        for model in (models.Indicator, models.ScheduledExport):
            audit.register(model)
