from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class KzpoliticsConfig(AppConfig):
    default = True
    name = "kzpolitics"
    verbose_name = "Sources, people, places and events"

    def ready(self):
        from kzpolitics.core import editorial, signals

        signals.connect()
        # Links (many-to-many) in history: in every process, whether or not it loads the admin.
        editorial.connect_link_history()


class KZAdminConfig(admin_apps.AdminConfig):
    """The Django admin with the editors' extra pages (the uncited report)."""

    default = False
    default_site = "kzpolitics.site.admin_site.EditorsAdminSite"
