from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class KzpoliticsConfig(AppConfig):
    default = True
    name = "kzpolitics"
    verbose_name = "Sources, people, places and events"

    def ready(self):
        from . import signals

        signals.connect()


class KZAdminConfig(admin_apps.AdminConfig):
    """The Django admin with the editors' extra pages (the uncited report)."""

    default = False
    default_site = "kzpolitics.admin_site.EditorsAdminSite"
