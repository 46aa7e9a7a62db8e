"""Imports of households: KoboToolbox exports and the Sanad template.

An import is a batch (`ImportBatch`): uploaded → validating → ready for review →
committed or rejected (or failed, when the file cannot be read). The modules:

- `form.py` — the registration form, defined once: questions, groups, choices and
  labels in English, Arabic and Kurdish. `xlsform.py` writes it as an XLSForm (checked
  with pyxform); `template_file.py` writes the template from it; `mapping.py` reads
  Kobo exports of it with no mapping, and other forms through a saved `ColumnMapping`.
- `xlsx.py`, `parsing.py` — files read as streams: XLSX (a fast streaming reader), CSV
  (UTF-8 with or without BOM, or Windows-1256), ZIP of CSV sheets; JSON and legacy XLS
  whole (size-limited). Kobo's main and `members` sheets are merge-joined on
  `_index` / `_parent_index`; template rows grouped by `household_ref`.
- `validation.py` — every rule, with per-cell errors; `report.py` — the XLSX report
  that marks the faulty cells.
- `commit.py` — the all-or-nothing bulk write (PostgreSQL COPY, SQLite executemany),
  never creating a Kobo submission (`_uuid`) twice.
- `services.py` — upload, validate, commit, reject, save a mapping: what the pages
  (`views.py`), the API (`api.py`), the jobs (`jobs.py`) and the commands
  (`sanad import_households`, `sanad registration_xlsform`) call.

How a person imports: download the registration form (Imports → Forms and templates),
deploy it in KoboToolbox, collect in KoboCollect or ODK Collect, export the submissions
as XLSX, upload the file on Imports → Import a file, review the summary and the errors
(the report marks the cells to correct), then commit — or reject and upload a corrected
file. A file with any error cannot be committed: the import is all or nothing.
"""
