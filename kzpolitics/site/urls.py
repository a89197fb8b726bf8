"""Root URLs: the only place that knows every app."""

from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.sitemaps.views import index, sitemap
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe
from django.views.generic import RedirectView, TemplateView
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from elections.models import Election
from kzpolitics.core.models import Event, Person, Place, Source
from kzpolitics.site import health, reconcile
from kzpolitics.site.api import router
from kzpolitics.site.export.views import (
    ExportVersionsView,
    ExportView,
    SqliteVersionView,
    ZipVersionView,
)
from kzpolitics.site.feeds import ChangesFeed, RecordChangesFeed
from kzpolitics.site.sitemaps import SITEMAPS
from kzpolitics.site.views.events import EventDetailView
from kzpolitics.site.views.home import HomeView
from kzpolitics.site.views.people import PersonDetailView, PersonListView
from kzpolitics.site.views.places import PlaceDetailView, PlaceListView
from kzpolitics.site.views.search import SearchView
from kzpolitics.site.views.sources import SourceDetailView, SourceListView
from kzpolitics.site.views.timeline import TimelineView
from legislation.models import LegalAct
from parties.models import Organization


@extend_schema(exclude=True)
class ApiNotFound(APIView):
    """Any address under /api/v1/ that no route matches: the API's own JSON 404, so a client
    that builds a wrong address (a non-integer id, a slug with a dot, a list that does not
    exist) gets the error format the schema documents, not the site's HTML page."""

    permission_classes = [AllowAny]

    def get(self, request, *args, **kwargs):
        raise NotFound(
            f"There is no API resource at {request.path}. "
            "The schema at /api/v1/schema/ lists every address."
        )

    post = put = patch = delete = head = options = get


api_patterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        # Swagger UI sets a few inline styles as it draws; scripts stay 'self' only.
        csp_update({"style-src": ["'unsafe-inline'"]})(
            SpectacularSwaggerSplitView.as_view(url_name="api:schema")
        ),
        name="docs",
    ),
    path("export/", ExportView.as_view(), name="export"),
    path("export/versions/", ExportVersionsView.as_view(), name="export-versions"),
    path(
        "export/<str:version>/kzpolitics.zip",
        ZipVersionView.as_view(),
        name="export-version-zip",
    ),
    path(
        "export/<str:version>/kzpolitics.sqlite3",
        SqliteVersionView.as_view(),
        name="export-version-sqlite",
    ),
    path("reconcile/", reconcile.ReconcileView.as_view(), name="reconcile"),
    path(
        "reconcile/suggest/entity/",
        reconcile.SuggestEntityView.as_view(),
        name="reconcile-suggest-entity",
    ),
    path("reconcile/preview/", reconcile.PreviewView.as_view(), name="reconcile-preview"),
    path("reconcile/view/", reconcile.ViewView.as_view(), name="reconcile-view"),
    *router.urls,
    re_path(r"^[\s\S]*/$", ApiNotFound.as_view(), name="not-found"),
]

handler400 = "kzpolitics.core.problems.bad_request"  # problem details under /api/
handler500 = "kzpolitics.site.health.server_error"


class FaviconRedirect(RedirectView):
    """/favicon.ico, which browsers ask for unbidden, is the static icon (its address, hashed
    or not, is known only once static files are set up: asked at request time)."""

    def get_redirect_url(self, *args, **kwargs):
        return static("kzpolitics/favicon.ico")


def read_only(view):
    """A public view that answers GET and HEAD only: 405 (``Allow: GET, HEAD``) for every
    other method, OPTIONS included, whatever the data holds. It changes nothing, so CSRF's
    check (which would answer a POST with a 403 first) has nothing to protect."""
    return csrf_exempt(require_safe(view))


# Each published record's feed of its published changes, beside its page.
RECORD_FEEDS = (
    ("organizations", Organization),
    ("elections", Election),
    ("acts", LegalAct),
    ("people", Person),
    ("sources", Source),
    ("events", Event),
    ("places", Place),
)
record_feed = read_only(RecordChangesFeed())

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    *(
        path(
            f"{prefix}/<slug:slug>/changes.atom",
            record_feed,
            {"model": model},
            name=f"{model._meta.model_name}-changes-feed",
        )
        for prefix, model in RECORD_FEEDS
    ),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_patterns, "api"), namespace="api")),
    path("organizations/", include("parties.urls")),
    path("elections/", include("elections.urls")),
    path("acts/", include("legislation.urls")),
    # An index of the sitemaps of each kind (``?p=2`` and on for a kind past one's limit):
    # at a hundred times the article, one sitemap of everything was 3 MB.
    path(
        "sitemap.xml",
        read_only(index),
        {
            "sitemaps": SITEMAPS,
            "template_name": "kzpolitics/sitemap_index.xml",
            "sitemap_url_name": "sitemap-section",
        },
        name="sitemap",
    ),
    path(
        "sitemap-<slug:section>.xml",
        read_only(sitemap),
        {"sitemaps": SITEMAPS, "template_name": "kzpolitics/sitemap.xml"},
        name="sitemap-section",
    ),
    path("changes.atom", read_only(ChangesFeed()), name="changes-feed"),
    # Browsers ask for /favicon.ico whatever the page links: send them to the static file.
    path(
        "favicon.ico",
        read_only(FaviconRedirect.as_view()),
        name="favicon",
    ),
    path(
        "robots.txt",
        read_only(TemplateView.as_view(template_name="robots.txt", content_type="text/plain")),
        name="robots",
    ),
    path(
        "",
        include(
            (
                [
                    path("", HomeView.as_view(), name="home"),
                    path("people/", PersonListView.as_view(), name="person-list"),
                    path(
                        "people/<slug:slug>/",
                        PersonDetailView.as_view(),
                        name="person-detail",
                    ),
                    path("sources/", SourceListView.as_view(), name="source-list"),
                    path(
                        "sources/<slug:slug>/",
                        SourceDetailView.as_view(),
                        name="source-detail",
                    ),
                    path("events/<slug:slug>/", EventDetailView.as_view(), name="event-detail"),
                    path("places/", PlaceListView.as_view(), name="place-list"),
                    path("places/<slug:slug>/", PlaceDetailView.as_view(), name="place-detail"),
                    path("timeline/", TimelineView.as_view(), name="timeline"),
                    path("search/", SearchView.as_view(), name="search"),
                ],
                "kzpolitics",
            )
        ),
    ),
]
