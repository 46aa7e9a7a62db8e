"""Search keys are compared byte-wise on PostgreSQL.

Household search finds a prefix with an index range scan (`key >= 'n:ahm'` and
`key < 'n:ahm\\uffff'`). Under a linguistic collation those bounds do not bracket every
key that starts with the prefix, so the column uses the "C" collation there. SQLite
already compares byte-wise (BINARY).
"""

from django.db import migrations


def to_c_collation(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute('ALTER TABLE registry_searchkey ALTER COLUMN "key" TYPE varchar(60) COLLATE "C"')


def back(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute('ALTER TABLE registry_searchkey ALTER COLUMN "key" TYPE varchar(60) COLLATE "default"')


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(to_c_collation, back)]
