"""A URL configuration of its own, for the test that record paths follow ROOT_URLCONF."""

from django.http import HttpResponse
from django.urls import include, path


def page(request, slug):
    return HttpResponse(slug)


elsewhere = ([path("<slug:slug>/", page, name="organization-detail")], "parties")
urlpatterns = [path("elsewhere/", include(elsewhere))]
