from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from sanad.accounts.models import Organisation, User
from sanad.core.scoping import scoped


def users_visible_to(user: Any) -> QuerySet[User]:
    return scoped(User.objects.select_related("organisation"), user, "accounts.view_user")


def organisations_visible_to(user: Any) -> QuerySet[Organisation]:
    return scoped(
        Organisation.objects.annotate(user_count=Count("users")), user, "accounts.view_organisation"
    )
