from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "sanad.feedback"
    label = "feedback"
    verbose_name = _("Communication with communities")

    def ready(self) -> None:
        from sanad.core import audit
        from sanad.feedback import models

        # Messages are not in the audit trail: they are many, and their own status
        # fields say what happened to each. Cases mask their category and sensitivity.
        for model in (
            models.Channel,
            models.Contact,
            models.Campaign,
            models.ResponseStandard,
            models.Case,
            models.CommunitySession,
        ):
            audit.register(model)
        from sanad.feedback import jobs  # noqa: F401  (registers the background jobs)
