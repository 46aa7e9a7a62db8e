"""Fast bulk inserts for campaigns: PostgreSQL's COPY (a hundred thousand rows in a few
seconds, where INSERT … VALUES spends its time building and parsing SQL), and Django's
bulk_create elsewhere (SQLite, the demo and tests).

A COPY cannot skip a row that breaks a unique constraint: when one does (another process
inserted the same row meanwhile), the batch is rolled back to its savepoint and inserted
again row-safely with bulk_create(ignore_conflicts=True)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, connection, models, transaction


def bulk_insert(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert `rows` (tuples in the order of `fields`, attribute names such as
    `contact_id`) into `model`'s table; rows breaking a unique constraint are skipped.
    Returns how many rows were given."""
    rows = list(rows)
    if not rows:
        return 0
    if connection.vendor == "postgresql":
        by_attname = {f.attname: f.column for f in model._meta.concrete_fields}
        columns = ", ".join(connection.ops.quote_name(str(by_attname[f])) for f in fields)
        table = connection.ops.quote_name(model._meta.db_table)
        try:
            sql = f"COPY {table} ({columns}) FROM STDIN"
            with (
                transaction.atomic(),
                connection.cursor() as cursor,
                cursor.cursor.copy(sql) as copy,
            ):
                for row in rows:
                    copy.write_row(row)
            return len(rows)
        except IntegrityError:
            pass
    objects = [model(**dict(zip(fields, row, strict=True))) for row in rows]
    with transaction.atomic():
        model._default_manager.bulk_create(objects, batch_size=1000, ignore_conflicts=True)
    return len(rows)
