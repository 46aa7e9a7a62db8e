"""Writes of the shelter module, one module per part: `catalogue`, `assessments`,
`priority` (prioritisation), `cases` (rehabilitation cases, milestones, handover,
defects), `inspections`, `contracts` (contractors, tenders, contracts), `works` (site
upgrades, camp roads). Import the part you need: `from sanad.shelter.services import
cases`. Every function takes keyword-only arguments with `user` first and raises
`sanad.core.errors` exceptions with a sentence that says what to fix and a stable
`code`."""
