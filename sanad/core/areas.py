"""The programme areas of the mission. Role assignments are scoped by these codes and
each `programmes.Programme` carries one of them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProgrammeArea(models.TextChoices):
    NFI = "NFI", _("Non-Food Items")
    SHELTER = "SHELTER", _("Shelter")
    CCCM = "CCCM", _("Camp Coordination and Camp Management")
    TRANSPORT = "TRANSPORT", _("Transportation")
    CWC = "CWC", _("Communication with Communities")
    CRP = "CRP", _("Community Revitalization")
