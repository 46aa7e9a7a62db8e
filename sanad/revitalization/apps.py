from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RevitalizationConfig(AppConfig):
    name = "sanad.revitalization"
    label = "revitalization"
    verbose_name = _("Community revitalization")

    def ready(self) -> None:
        from sanad.core import audit
        from sanad.revitalization import models

        # Registers the background job kind of application imports (the job worker does
        # not load the URLconf that would import it otherwise).
        from sanad.revitalization.services.grants import imports  # noqa: F401

        for model in (
            models.Community,
            models.CommunityAssessment,
            models.Contractor,
            models.InfrastructureProject,
            models.ProjectWorker,
            models.WorkerPayment,
            models.GrantCall,
            models.GrantApplication,
            models.BusinessPlan,
            models.GrantAgreement,
            models.GrantVisit,
            models.TrainingProvider,
            models.Course,
            models.Enrolment,
            models.PlacementFollowUp,
            models.CommunityCentre,
            models.CohesionActivity,
        ):
            audit.register(model)
