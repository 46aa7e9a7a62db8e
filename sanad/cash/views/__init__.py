"""Cash pages: plans and their entitlements and vouchers, vendors, the vendor's phone
page for redeeming vouchers and the shop's own sales, fraud signals (here), and
reconciliation and transfers (`payments`, `transfers`). They adapt requests to
`cash.services` and `cash.selectors`."""
