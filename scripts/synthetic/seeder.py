"""The seeder: each step in turn, parents first, and its entry point :func:`seed`."""

from __future__ import annotations

import time

from .base import Report
from .citations import Citations
from .datepool import remembered_bounds
from .elections import Elections
from .events import Events
from .legislation import Legislation
from .organizations import Organizations
from .people import People
from .places import Places
from .profile import Profile
from .rows import DEFAULT_SEED, LABELS, LINKS, link_label
from .sources import Sources


class Seeder(Sources, Places, People, Organizations, Elections, Legislation, Events, Citations):
    """Adds ``scale`` times the profile's rows, drawn reproducibly from ``seed``."""

    def run(self) -> Report:
        steps = (
            ("sources", self.make_sources),
            ("places", self.make_places),
            ("people", self.make_people),
            ("organizations", self.make_organizations),
            ("elections", self.make_elections),
            ("legislation", self.make_acts),
            ("events", self.make_events),
            ("citations", self.make_citations),
        )
        for name, step in steps:
            started = time.perf_counter()
            step()
            self.report.seconds[name] = time.perf_counter() - started
        order = (*LABELS, *(link_label(*link) for link in LINKS))
        self.report.counts = {key: self.counts.get(key, 0) for key in order}
        return self.report


def seed(scale: float, seed_value: int = DEFAULT_SEED) -> Report:
    """Measure the data in the database and add ``scale`` times as much, shaped like it.
    Call inside a transaction; touch the data version afterwards."""
    profile = Profile.measure()
    with remembered_bounds():
        return Seeder(profile, scale, seed_value).run()
