"""What every public page view shares: the one way it reads, and a references collector for
its footnotes."""

from django.views.decorators.csrf import csrf_exempt

from kzpolitics.core.references import References
from kzpolitics.core.reuse import built_once
from kzpolitics.core.visibility import wants_preview

PREVIEW_CACHE_CONTROL = "private, no-store"


class PublicPageMixin:
    """A public page: it answers GET and HEAD only (405, ``Allow: GET, HEAD``, for every other
    method, OPTIONS included), and reads what the public may see.

    ``self.public`` says which rows the view reads: True for everyone, False only for an
    editor previewing drafts on the public layout (``?preview=1``,
    ``visibility.wants_preview``). Views build their querysets with ``visible(self.public)``
    and ``public=self.public``; a visitor who is not an editor gets the public page whatever
    the address says. A preview shows what the public must not see, so it is never cached or
    shared: ``Cache-Control: private, no-store``, and no validators."""

    http_method_names = ["get", "head"]
    public = True
    previewing = False

    @classmethod
    def as_view(cls, **initkwargs):
        # No method this view accepts changes anything, and every other one is a 405: without
        # this, CSRF's 403 would answer a POST before the view could say which methods it has.
        return csrf_exempt(super().as_view(**initkwargs))

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.previewing = wants_preview(request)
        self.public = not self.previewing

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        if self.previewing:
            response["Cache-Control"] = PREVIEW_CACHE_CONTROL
            response.headers.pop("ETag", None)
            response.headers.pop("Last-Modified", None)
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["refs"] = References()
        context["previewing"] = self.previewing
        return context


class BuiltOnceMixin:
    """A record's page (a ``DetailView``) whose queryset is built once in the process and
    copied for each visit (kzpolitics.core.reuse): ``get_queryset`` may depend on the view,
    ``self.public`` and what ``queryset_key`` returns, nothing else."""

    def queryset_key(self) -> tuple:
        """What ``get_queryset`` depends on besides the view and ``self.public``."""
        return ()

    def get_object(self, queryset=None):
        if queryset is None:
            key = (type(self), self.public, *self.queryset_key())
            queryset = built_once(key, self.get_queryset)
        return super().get_object(queryset)


class PagedListMixin:
    """A list page of ``paginate_by`` records, with plain Previous and Next links
    (``kzpolitics/includes/pagination.html``) that keep the page's other parameters (its
    filters and sort): ``query_string``. A list the data can grow stays one page long."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_string"] = query.urlencode()
        return context

    def paginate_queryset(self, queryset, page_size):
        """Django's, the page's records read without their timestamps (``without_timestamps``):
        a list shows none, and a page of 100 records parsed 200 (some 1 ms)."""
        without = getattr(queryset, "without_timestamps", None)
        return super().paginate_queryset(queryset if without is None else without(), page_size)

    def group_before(self, page, field: str):
        """The ``field`` (a list's group) of the row just before ``page``: a group the page's
        first rows go on with, whose heading says so. None on the first page; one query past
        it."""
        if page is None or page.number == 1:
            return None
        rows = self.object_list.prefetch_related(None).values_list(field, flat=True)
        return rows[page.start_index() - 2]
