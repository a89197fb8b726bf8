"""PostgreSQL's trigram extension, for search that forgives spelling (Nazarbayev/Nazarbaev).

On SQLite the operation does nothing.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("kzpolitics", "0003_data_version")]

    operations = [TrigramExtension()]
