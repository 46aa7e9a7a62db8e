from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "sanad.accounts"
    label = "accounts"
    verbose_name = _("People and permissions")

    def ready(self) -> None:
        from sanad.accounts.models import Organisation, RoleAssignment, User
        from sanad.core import audit

        audit.register(User)
        audit.register(RoleAssignment)
        audit.register(Organisation)
