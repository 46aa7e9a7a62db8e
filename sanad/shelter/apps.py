from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShelterConfig(AppConfig):
    name = "sanad.shelter"
    label = "shelter"
    verbose_name = _("Shelter")

    def ready(self) -> None:
        from sanad.core import audit
        from sanad.shelter import models

        for model in (
            models.PriceItem,
            models.Property,
            models.Assessment,
            models.PriorityRound,
            models.RehabCase,
            models.Inspection,
            models.Defect,
            models.Contractor,
            models.Tender,
            models.Contract,
            models.ContractMilestone,
            models.SiteUpgrade,
            models.RoadProject,
        ):
            audit.register(model)
