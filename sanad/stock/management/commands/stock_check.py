"""`sanad stock_check`: verify that every stock balance equals the sum of its ledger
entries and that none is negative or reserves more than it holds.

The services keep both in one transaction, so a difference means someone wrote to
the database around them (a manual SQL fix, a restored backup of one table): run it
after such work and in monitoring. Exit code 1 when anything is wrong."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from sanad.stock.selectors import ledger_differences
from sanad.stock.services._base import fmt


class Command(BaseCommand):
    help = "Check that stock balances equal the sum of their ledger entries and are not negative."

    def handle(self, *args: Any, **options: Any) -> None:
        problems = ledger_differences()
        if not problems:
            self.stdout.write(_("Stock ledger is consistent: every balance equals its entries."))
            return
        for p in problems:
            where = f"{p['warehouse']} / {p['item']} / {p['project']}"
            if p["problem"] == "negative":
                line = _("%(where)s: negative or over-reserved (on hand %(q)s, reserved %(r)s)") % {
                    "where": where,
                    "q": fmt(p["balance"]),
                    "r": fmt(p["reserved"]),
                }
            elif p["problem"] == "no_balance":
                line = _("%(where)s: entries sum to %(ledger)s but there is no balance row") % {
                    "where": where,
                    "ledger": fmt(p["ledger"]),
                }
            else:
                line = _("%(where)s: balance %(balance)s, entries sum to %(ledger)s") % {
                    "where": where,
                    "balance": fmt(p["balance"]),
                    "ledger": fmt(p["ledger"]),
                }
            self.stderr.write(line)
        self.stderr.write(_("%(count)s difference(s) found.") % {"count": len(problems)})
        sys.exit(1)
