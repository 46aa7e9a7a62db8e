"""Messages to households on behalf of other modules (distribution notices, …).

Lower apps must not import the communication module, so they call the service named by
the setting `SANAD_HOUSEHOLD_MESSENGER` (this one by default) through
`django.utils.module_loading.import_string`. It makes sure the households have
contacts, then queues one message per reachable contact in the contact's language;
contacts that opted out or gave no consent for communication are skipped and counted,
never messaged."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from django.utils import translation

from sanad.core.errors import ApplicationError
from sanad.feedback.models import Contact
from sanad.feedback.services.contacts import contacts_from_households
from sanad.feedback.services.outbox import default_channel, message_queue

logger = logging.getLogger(__name__)

# The interface's language for a contact's language (Badini readers get Sorani: the
# interface has no Badini catalogue).
INTERFACE_LANGUAGE = {"ar": "ar", "ckb": "ckb", "kmr": "ckb", "en": "en"}


def households_notify(
    *, household_ids: Iterable[int], text_for: Callable[[], str], user: Any = None
) -> dict[str, Any]:
    """Queue `text_for()` — evaluated with each contact's language active, so a
    translated sentence comes out in that language — to the contacts of the households.
    Returns {"queued": n, "skipped": {reason: n}}. Does nothing when no messaging
    channel is set up."""
    from sanad.registry.models import Household

    ids = list(household_ids)
    skipped: Counter[str] = Counter()
    if not ids or default_channel() is None:
        return {"queued": 0, "skipped": {"no_channel": len(ids)} if ids else {}}
    contacts_from_households(Household.objects.filter(pk__in=ids))
    queued = 0
    texts: dict[str, str] = {}
    for contact in Contact.objects.filter(household_id__in=ids).order_by("pk"):
        lang = INTERFACE_LANGUAGE.get(contact.language, "ar")
        if lang not in texts:
            with translation.override(lang):
                texts[lang] = str(text_for())
        try:
            message_queue(contact=contact, text=texts[lang])
        except ApplicationError as exc:
            skipped[exc.code] += 1
            continue
        queued += 1
    reached = set(
        Contact.objects.filter(household_id__in=ids).values_list("household_id", flat=True)
    )
    if len(reached) < len(ids):
        skipped["no_phone"] += len(ids) - len(reached)
    logger.info("household notice: %s queued, skipped %s", queued, dict(skipped))
    return {"queued": queued, "skipped": dict(skipped)}
