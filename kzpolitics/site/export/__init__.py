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
in ``settings.EXPORT_CACHE_DIR`` once built and served from there until the data changes: a
repeated download costs one query. One process builds a version while the others wait for it
(a file lock), and older versions' files are removed.

It knows every app's models, so it sits at the top of the site, beside the router. Its
modules: ``tables`` (which files, which columns), ``writer`` (the CSV files and the JSON dump),
``descriptor`` (datapackage.json), ``store`` (the zip of a data version, built and kept) and
``views`` (``ExportView``).
"""
