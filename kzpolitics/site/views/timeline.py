"""The timeline page: every dated record in order, filtered by years and kind, a page at a
time (kzpolitics.site.views.timeline_keyset), with the founding article's periods as ways in."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.urls import reverse
from django.views.generic import TemplateView

from kzpolitics.core.models import Period
from kzpolitics.core.views_base import PublicPageMixin
from kzpolitics.site.views.timeline_keyset import (
    TIMELINE_PAGE,
    TimelineKey,
    timeline_entries,
    timeline_keys,
)
from kzpolitics.site.views.timeline_kinds import TIMELINE_KINDS

FIRST_YEAR, LAST_YEAR = 1800, 2100


class TimelineForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind", choices=(("", "All kinds"), *TIMELINE_KINDS), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # “from” is a Python keyword, so these are added by name.
        for name, label in (("from", "From year"), ("to", "To year")):
            self.fields[name] = forms.IntegerField(
                label=label,
                required=False,
                min_value=FIRST_YEAR,
                max_value=LAST_YEAR,
                error_messages={
                    "invalid": "Give the year as four digits, such as 1990.",
                    "min_value": f"Give a year from {FIRST_YEAR} to {LAST_YEAR}.",
                    "max_value": f"Give a year from {FIRST_YEAR} to {LAST_YEAR}.",
                },
            )
        self.order_fields(["from", "to", "kind"])

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and start > end:
            raise forms.ValidationError(
                f"The first year ({start}) comes after the last ({end}): swap them."
            )
        return cleaned


class TimelineView(PublicPageMixin, TemplateView):
    """Every dated event, founding, renaming, registration, election and act, in order, a
    page of TIMELINE_PAGE entries at a time.

    ``?from=1990&to=1995`` keeps what may fall within those years (an uncertain date counts if
    any day it can mean does); ``?kind=`` keeps one kind. Undated items come last, and only
    when no year is asked for. A page begins after the entry named by ``?after=`` or ends
    before the one named by ``?before=`` (a TimelineKey), so that each is found through an
    index from where it starts, as quickly on the last page as on the first.
    """

    template_name = "kzpolitics/timeline.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = TimelineForm(self.request.GET or None)
        start = end = None
        kinds = {key for key, _ in TIMELINE_KINDS}
        kept = {}  # the filters the links between pages keep
        if form.is_bound:
            form.is_valid()
            # Apply what is valid; the errors are shown beside the form.
            data = form.cleaned_data
            if not form.non_field_errors():
                start, end = data.get("from"), data.get("to")
            if data.get("kind"):
                kinds = {data["kind"]}
                kept["kind"] = data["kind"]
        kept.update({name: year for name, year in (("from", start), ("to", end)) if year})

        key, backwards, position_error = None, False, ""
        raw = self.request.GET.get("after") or self.request.GET.get("before")
        if raw:
            key = TimelineKey.parse(raw)
            backwards = key is not None and not self.request.GET.get("after")
            if key is None:
                position_error = (
                    "The link to a place in the timeline is not one this site made: "
                    "here is the timeline from its beginning."
                )
        keys = timeline_keys(
            kinds, start, end, key, backwards, TIMELINE_PAGE + 1, public=self.public
        )
        beyond_page = keys[TIMELINE_PAGE] if len(keys) > TIMELINE_PAGE else None
        keys = keys[:TIMELINE_PAGE]
        if backwards:
            keys.reverse()
            earlier, later = beyond_page is not None, True
        else:
            earlier, later = key is not None, beyond_page is not None
        items = (
            timeline_entries(keys[0], keys[-1], kinds, start, end, public=self.public)
            if keys
            else []
        )

        # The year the entry before this page falls in: its heading here says “continued”.
        if backwards:
            previous_year = beyond_page.year if beyond_page else None
        else:
            previous_year = key.year if key else None
        years: list[dict] = []
        for item in items:
            label = item.year or "Undated"
            if not years or years[-1]["year"] != label:
                continued = not years and earlier and item.key.year == previous_year
                years.append({"year": label, "items": [], "continued": continued})
            years[-1]["items"].append(item)

        def address(**query) -> str:
            query = {**kept, **query}
            return reverse("kzpolitics:timeline") + (f"?{urlencode(query)}" if query else "")

        first_key = keys[0] if keys else key
        last_key = keys[-1] if keys else key
        context.update(
            title="Timeline",
            form=form,
            start=start,
            end=end,
            years=years,
            count=len(items),
            position_error=position_error,
            first_year=next((i.year for i in items if i.year), None),
            last_year=next((i.year for i in reversed(items) if i.year), None),
            pages={
                "start": address() if earlier else "",
                "earlier": address(before=str(first_key)) if earlier and first_key else "",
                "later": address(after=str(last_key)) if later and last_key else "",
            },
            periods=[
                {
                    "period": period,
                    # The kind asked for is kept: a period's foundings, say.
                    "url": address(**{"from": period.start_year, "to": period.end_year}),
                    "current": (start, end) == (period.start_year, period.end_year),
                }
                for period in Period.objects.visible(self.public).chronological()
            ],
        )
        return context
