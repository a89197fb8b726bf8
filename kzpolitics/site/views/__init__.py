"""Site-level public pages, one module per page family: home, people, sources, events,
places, the timeline (its kinds of entry and its keyset pagination apart) and search.

These sit beside the settings and may know every app (see the design notes): the timeline
and search span parties, elections and legislation. ``kzpolitics.site.urls`` imports each
view from its module.
"""
