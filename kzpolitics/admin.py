"""Django's admin autodiscovery imports ``<app>.admin``: the core's admins register the
shared records (sources, citations, people, places, events), and ``admin_periods`` the
founding article's periods."""

import kzpolitics.core.admin  # noqa: F401
import kzpolitics.core.admin_periods  # noqa: F401
import kzpolitics.site.accounts_admin  # noqa: F401  (users, groups, tokens, sign-ins)
