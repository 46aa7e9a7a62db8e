from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "sanad.registry"
    label = "registry"
    verbose_name = _("Registry")

    def ready(self) -> None:
        from sanad.core import audit
        from sanad.registry import models

        for model in (
            models.Household,
            models.Individual,
            models.IndividualDocument,
            models.HouseholdPhone,
            models.Consent,
            models.DisplacementMove,
        ):
            audit.register(model)
        from sanad.registry import jobs  # noqa: F401  (registers the import job kinds)
        from sanad.registry.cards import jobs as card_jobs  # noqa: F401  (bulk card printing)
