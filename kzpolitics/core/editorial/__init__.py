"""The editorial workflow in the admin: edit summaries, review status, no lost updates.

- Every change carries an edit summary (a save, a deletion, a restore, a change of status, an
  import, a revert), kept in the record's history (django-simple-history) with who and when;
  the history page shows what each save changed, its rows' changes included, any two versions
  compare side by side, and an earlier version can be restored from the comparison (the
  revert is itself a change with its own summary).
- Many-to-many links (an organization's, election's or act's events, an event's people) are
  part of each version: one save of the form is one version, links included; a revert puts
  back the version's links; a restored record comes back linked as it was when deleted. Links
  changed from the other side (an event's "organizations concerned", a deleted event) make a
  version of each record whose links they changed, so its history misses none.
- Status: editors save drafts and send them for review; only reviewers (permission
  ``kzpolitics.publish_record``) publish or unpublish.
- No lost update: the form remembers the version it was opened at; if a colleague saved the
  record since, the save is refused, the form comes back with the editor's input intact, and
  the message lists what the colleague changed. Saving again then is a deliberate choice.

One module per job (import from the module; this package re-exports nothing):

- ``admin``: ``EditorialAdmin``, the ModelAdmin every record's admin builds on (history page,
  fieldsets, edit summaries, pending revisions, inline rows' summaries).
- ``forms``: ``EditorialForm`` (a record's form: edit summary, status, version check and
  three-way merge), ``RowVersionForm`` and ``RowsFormSetMixin`` (the same for inline rows).
- ``conflicts``: what colleagues changed since a version (``changes_since``), as the messages
  of a refused save.
- ``links``: many-to-many links in history (one save, one version; links changed from the
  other side or by a deletion), and the receivers that record them (``connect_link_history``,
  called by ``kzpolitics.apps``).
- ``publication``: publishing a record with its draft rows; the review and publish actions.
- ``deletion``: who may delete what the public sees; the page of deleted records.
- ``restore``: bringing a deleted record back with its rows, links and citations.
- ``compare``: a record's history with its rows' changes; comparing two versions, or a
  version with the record now; a version's read-only page and the revert from it.
- ``summaries``: the edit summary a confirmation page (delete, restore, publish) asks for.
- ``watching``: an editor's watches on records, the Watch button, watching on save.
- ``limits``: lengths stated to the editor (counters, a warning past a stated purpose's
  length, a ceiling the model enforces) instead of a browser cutting text silently.
"""
