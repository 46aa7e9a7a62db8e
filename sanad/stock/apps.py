from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StockConfig(AppConfig):
    name = "sanad.stock"
    label = "stock"
    verbose_name = _("Stock")

    def ready(self) -> None:
        from sanad.core import audit
        from sanad.stock import models

        for model in (
            models.Item,
            models.ItemCost,
            models.Kit,
            models.KitVersion,
            models.Season,
            models.Warehouse,
            models.Movement,
        ):
            audit.register(model)
