from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CashConfig(AppConfig):
    name = "sanad.cash"
    label = "cash"
    verbose_name = _("Cash and e-vouchers")

    def ready(self) -> None:
        from sanad.cash import models
        from sanad.core import audit

        for model in (
            models.Vendor,
            models.CashPlan,
            models.Entitlement,
            models.Voucher,
            models.PaymentRequest,
            models.FspTemplate,
            models.PaymentList,
            models.Payment,
        ):
            audit.register(model)
        from sanad.cash import jobs  # noqa: F401  (registers the voucher sheet job)
