"""Django's admin autodiscovery imports ``<app>.admin``: the core's admins register the
shared records (sources, citations, people, places, events)."""

import kzpolitics.core.admin  # noqa: F401
