"""The editors' admin site: Django's, plus the report of what is uncited."""

from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import path

from .coverage import coverage, totals


class EditorsAdminSite(admin.AdminSite):
    site_header = "kzpolitics editors"
    site_title = "kzpolitics editors"
    index_title = "Records and their citations"
    index_template = "admin/kz_index.html"

    def get_urls(self):
        return [
            path("uncited/", self.admin_view(self.uncited_view), name="uncited"),
            *super().get_urls(),
        ]

    def uncited_view(self, request):
        """Records with no citation, and filled fields no citation names, for every model."""
        report = [row for row in coverage() if request.user.has_perm(_view_perm(row.model))]
        context = {
            **self.each_context(request),
            "title": "What is uncited",
            "report": report,
            "total": totals(report),
        }
        return TemplateResponse(request, "admin/uncited.html", context)


def _view_perm(model) -> str:
    return f"{model._meta.app_label}.view_{model._meta.model_name}"
