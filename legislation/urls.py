from django.urls import path

from . import views

app_name = "legislation"

urlpatterns = [
    path("", views.LegalActListView.as_view(), name="act-list"),
    path("<slug:slug>/", views.LegalActDetailView.as_view(), name="act-detail"),
]
