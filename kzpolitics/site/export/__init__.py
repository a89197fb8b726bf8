"""The full download: every record as one zip of CSV files, a Frictionless Data Package
describing them, and a JSON dump, stamped with the version of the data.

It holds what the public may see, and nothing else: each table's ``published()`` rows, the
links between events and other records whose both ends are public, the citations the public
may see (and counts of those only), and a link to a record the row may be public without (a
founding place, the body that adopted an act) only while that record is public, else empty.

The export reads the database in one consistent snapshot and runs a fixed number of queries
(one per table), however many records there are. The zip is built in a spooled temporary
file, so memory stays bounded if the data grows.

Building it takes seconds at a hundred times the article's size, so each version's zip is kept
in ``settings.EXPORT_CACHE_DIR`` once built, with an SQLite file of the same data, and served
from there at the version's own address (/api/v1/export/<version>/kzpolitics.zip and
.sqlite3) for as long as it is kept: a repeated download costs one query. One process builds a
version while the others wait for it (a file lock); every version is kept unless
``EXPORT_KEEP_VERSIONS`` says otherwise.

It knows every app's models, so it sits at the top of the site, beside the router. Its
modules: ``tables`` (which files, which columns), ``writer`` (the CSV files and the JSON dump),
``derived`` (party-elections.csv and crosswalk.csv), ``descriptor`` (datapackage.json),
``sqlite`` (the SQLite file), ``store`` (a data version's files, built and kept) and ``views``.
"""
