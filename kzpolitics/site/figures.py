"""How much the site holds, as the home page says it: the public records of each kind, and
the citations of them.

Counting the public citations reads every citation and asks of each whether its record and
sources are public: 70 ms at a hundred times the article's data, on every cold home page.
So the public figures are counted once after each public change commits (``refresh``, run by
the purge of that change, before the responses that show them are dropped:
kzpolitics.site.surrogates) and kept on the data version's row with the version they were
counted at. A page reads them in one query, and counts afresh whenever they are not those
of the current version (a change whose refresh has not run yet, or failed): stored figures
are never shown past the change that made them stale.

An editor previewing drafts counts afresh, drafts included. The API's lists of the kinds
counted here, unfiltered, take their counts from the kept figures too (``RecordViewSet.figure``).
"""

from __future__ import annotations

import logging

from django.db import DEFAULT_DB_ALIAS

from elections.models import Election
from kzpolitics.core.models import Citation, DataVersion, Event, Person, Source
from legislation.models import LegalAct
from parties.models import Organization

log = logging.getLogger(__name__)

# (label, what is counted, the page that lists them), in the order the home page gives them.
FIGURES = (
    ("organizations", Organization, "parties:organization-list"),
    ("people", Person, "kzpolitics:person-list"),
    ("events", Event, "kzpolitics:timeline"),
    ("elections", Election, "elections:election-list"),
    ("legal acts", LegalAct, "legislation:act-list"),
    ("sources", Source, "kzpolitics:source-list"),
    # Those of records the public may see, from sources it may see.
    ("citations", Citation, "kzpolitics:source-list"),
)


def count(public: bool = True, using: str | None = None) -> dict[str, int]:
    """Each figure counted now: what the public may see, or (not ``public``) every row."""
    return {
        label: model.objects.using(using).visible(public).count() for label, model, _ in FIGURES
    }


def kept() -> dict[str, int] | None:
    """The public figures kept for the current data version, or None (one query)."""
    counts = DataVersion.kept_figures()
    if counts is not None and all(label in counts for label, _, _ in FIGURES):
        return counts
    return None


def figures(public: bool = True) -> list[tuple[str, int, str]]:
    """(label, number, list page) of each figure: those kept for the current version when
    there are, else counted now."""
    counts = (kept() if public else None) or count(public)
    return [(label, counts[label], url_name) for label, _, url_name in FIGURES]


def refresh() -> None:
    """Count the public figures on the primary and keep them with the data version they
    were counted at, unless it moved on while they were counted (that change's own refresh
    then counts them). Never raises: a failure leaves the page counting afresh."""
    try:
        versions = DataVersion.objects.using(DEFAULT_DB_ALIAS).filter(pk=1)
        before = versions.values_list("changed_at", flat=True).first()
        if before is None:
            return
        counts = count(using=DEFAULT_DB_ALIAS)
        versions.filter(changed_at=before).update(figures=counts, figures_at=before)
    except Exception:
        log.exception("the public figures could not be counted: the home page counts them")
