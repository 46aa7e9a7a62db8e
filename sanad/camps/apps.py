from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampsConfig(AppConfig):
    name = "sanad.camps"
    label = "camps"
    verbose_name = _("Camp coordination and camp management")

    def ready(self) -> None:
        from sanad.camps import jobs_sites, models  # noqa: F401  (jobs_sites: registers its job)
        from sanad.core import audit

        for model in (
            models.Site,
            models.Allocation,
            models.Standard,
            models.MonitoringRound,
            models.Asset,
            models.Ticket,
            models.MaintenanceSchedule,
            models.MrtVisit,
            models.Hazard,
            models.Mitigation,
            models.Training,
            models.ClosurePlan,
        ):
            audit.register(model)
        from sanad.camps import exports_monitoring  # noqa: F401  (registers the gaps export job)
