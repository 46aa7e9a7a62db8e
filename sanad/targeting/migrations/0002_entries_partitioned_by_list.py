"""On PostgreSQL, list entries live in one partition per list (ADR 0006): a build writes
a new table without indexes, indexes it in one pass, and swaps it in; the previous
build's partition is dropped, not deleted row by row. Other databases keep one table."""

from django.db import migrations


def partition_by_list(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    model = apps.get_model("targeting", "ListEntry")
    table = schema_editor.quote_name(model._meta.db_table)
    schema_editor.execute(f"DROP TABLE {table}")
    sql, params = schema_editor.table_sql(model)
    schema_editor.execute(f"{sql} PARTITION BY LIST ({schema_editor.quote_name('list_id')})", params or None)
    for index in model._meta.indexes:
        schema_editor.add_index(model, index)


class Migration(migrations.Migration):
    dependencies = [("targeting", "0001_initial")]

    operations = [migrations.RunPython(partition_by_list, migrations.RunPython.noop)]
