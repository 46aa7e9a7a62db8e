from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransportConfig(AppConfig):
    name = "sanad.transport"
    label = "transport"
    verbose_name = _("Transportation")

    def ready(self) -> None:
        from sanad.core import audit
        from sanad.transport import models

        for model in (
            models.TransportContractor,
            models.TransportContract,
            models.Vehicle,
            models.Driver,
            models.MovementRequest,
            models.MovementHousehold,
            models.Passenger,
            models.Convoy,
            models.ConvoyVehicle,
            models.ConvoyLoad,
            models.Incident,
        ):
            audit.register(model)
