from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate


class KzpoliticsConfig(AppConfig):
    default = True
    name = "kzpolitics"
    verbose_name = "Sources, people, places and events"

    def ready(self):
        from kzpolitics.core import roles, signals
        from kzpolitics.core.editorial.links import connect_link_history
        from kzpolitics.site import surrogates

        signals.connect()
        # What each public response shows, and the purge of those responses after a change.
        surrogates.connect()
        # Links (many-to-many) in history: in every process, whether or not it loads the admin.
        connect_link_history()
        # The Editors and Reviewers groups, after every migrate: new models' permissions too.
        post_migrate.connect(roles.ensure_roles, sender=self, dispatch_uid="kzpolitics-roles")


class KZAdminConfig(admin_apps.AdminConfig):
    """The Django admin with the editors' extra pages (the uncited report)."""

    default = False
    default_site = "kzpolitics.site.admin_site.EditorsAdminSite"
