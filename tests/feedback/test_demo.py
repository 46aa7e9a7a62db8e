"""The feedback demo: channels, a sent and a scheduled campaign, cases across stages
(the abuse report seen only by the focal point), sessions and an inbox, made through
the services on top of the demo registry."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from sanad.accounts.models import User
from sanad.feedback import demo
from sanad.feedback.models import Campaign, Case, Channel, CommunitySession, Contact, Message
from sanad.feedback.selectors.sensitivity import cases_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded() -> dict:
    call_command("seed_demo", "--quiet-logins", "--households", "200", verbosity=0)
    if not Channel.objects.filter(code=demo.SMS_CODE).exists():  # not wired in yet
        users = {u.username: u for u in User.objects.all()}
        out = StringIO()
        made = demo.seed(users=users, today=datetime.date.today(), stdout=out)
        assert made is not None and "Feedback:" in out.getvalue()
    return {u.username: u for u in User.objects.all()}


def test_the_demo_has_campaigns_an_inbox_cases_at_every_stage_and_sessions(seeded):
    assert Channel.objects.filter(code=demo.SMS_CODE, kind="log").exists()
    assert {"hotline", "help_desk", "suggestion_box"} <= set(
        Channel.objects.values_list("kind", flat=True)
    )
    assert Contact.objects.filter(source="registry").exists()
    sent = Campaign.objects.get(name="Winter kit distribution, Domiz 1")
    assert sent.status == "done"
    statuses = set(Message.objects.filter(campaign=sent).values_list("status", flat=True))
    assert {"delivered", "failed"} <= statuses
    assert Message.objects.filter(campaign=sent, direction="in").count() == 2
    assert Campaign.objects.filter(status="scheduled").count() == 1
    assert Contact.objects.filter(unread__gt=0).count() >= 3
    assert not mail.outbox or all("@sanad.example" in m.to[0] for m in mail.outbox)

    # The cases cover the stages and the restricted ones stay restricted.
    assert Case.objects.count() >= 25
    statuses = set(Case.objects.values_list("status", flat=True))
    assert {"new", "acknowledged", "assigned", "referred", "responded", "closed"} <= statuses
    assert Case.objects.filter(satisfaction__isnull=False).count() >= 5
    assert Case.objects.filter(escalation_level__gt=0).exists()
    sea = Case.objects.get(category="sea")
    conduct = Case.objects.get(category="complaint_conduct")
    assert cases_for(seeded["psea"]).filter(pk=sea.pk).exists()
    assert cases_for(seeded["aap"]).filter(pk=conduct.pk).exists()
    for name in ("admin", "hotline", "aap", "nfi.officer", "imo"):
        assert not cases_for(seeded[name]).filter(pk=sea.pk).exists(), name
    for name in ("admin", "hotline", "psea"):
        assert not cases_for(seeded[name]).filter(pk=conduct.pk).exists(), name
    months = {c.received_at.strftime("%Y-%m") for c in Case.objects.all()}
    assert len(months) >= 5

    # Three sessions, one of which raised a campaign; a second run adds nothing.
    assert set(CommunitySession.objects.values_list("kind", flat=True)) == {
        "focus_group",
        "awareness",
        "theatre",
    }
    assert Campaign.objects.filter(session__isnull=False).count() == 1
    count = Case.objects.count()
    assert demo.seed(users={}, today=datetime.date.today()) is None
    assert Case.objects.count() == count
