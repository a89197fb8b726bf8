"""The edit summary a confirmation page asks for: what a deletion, a restore or a change of
status does and why, kept in each record's history as the change's reason (as a wiki keeps
the summary of every edit)."""

from __future__ import annotations

from django.http import QueryDict

SUMMARY_MAX = 300  # the record form's own limit (EditorialForm.edit_summary)
SUMMARY_FIELD = "summary"


def read_summary(request) -> tuple[str, str]:
    """The summary a confirmation page posted, its spaces tidied, and the error to show with
    it ("" when there is none)."""
    summary = " ".join(request.POST.get(SUMMARY_FIELD, "").split())
    if not summary:
        return summary, "Say in a few words what you are doing and why: it goes into the history."
    if len(summary) > SUMMARY_MAX:
        return summary, (
            f"Keep the summary to {SUMMARY_MAX} characters or fewer (it has {len(summary)})."
        )
    return summary, ""


def summary_context(summary: str = "", error: str = "") -> dict:
    """What the summary box (admin/includes/summary_box.html) shows."""
    return {"summary": summary, "summary_error": error, "summary_max": SUMMARY_MAX}


def unconfirmed(request, *dropped: str):
    """``request`` with the confirmation taken out of its POST data (all of it when no names
    are given), so that Django's confirmation view shows its page again, with the summary's
    error, instead of carrying out what was not confirmed."""
    if dropped:
        data = request.POST.copy()
        for name in dropped:
            data.pop(name, None)
    else:
        data = QueryDict()
    request.POST = data
    return request
