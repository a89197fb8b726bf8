from django.urls import path

from . import views

app_name = "elections"

urlpatterns = [
    path("", views.ElectionListView.as_view(), name="election-list"),
    path("<slug:slug>/", views.ElectionDetailView.as_view(), name="election-detail"),
]
