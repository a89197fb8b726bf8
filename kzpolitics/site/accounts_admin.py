"""The admins of the accounts the whole site shares (users, groups, API tokens, sign-in
attempts), registered again with the keys posted to them checked (KeyCheckedAdminMixin).

Django, django-rest-knox and django-axes register these admins before this project's
apps are discovered; each is replaced here by a named subclass through the admin site's
public ``unregister()`` / ``register()``. Without the key checks the group form answered a
permission key of 10**30 with a 500 on SQLite, and the lists' actions a record ticked whose
key is no number. Imported by the shell's ``kzpolitics.admin``, which autodiscovery imports
after those apps' own admin modules (``INSTALLED_APPS`` lists them first).
"""

from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from knox.models import AuthToken

from kzpolitics.core.admin import SignInAttemptAdmin
from kzpolitics.core.admin_keys import KeyCheckedAdminMixin


class UserAdmin(KeyCheckedAdminMixin, auth_admin.UserAdmin):
    """Django's user admin, with posted keys checked."""


class GroupAdmin(KeyCheckedAdminMixin, auth_admin.GroupAdmin):
    """Django's group admin, with posted keys checked (its permissions above all)."""


class TokenAdmin(KeyCheckedAdminMixin, admin.ModelAdmin):
    """Every account's API tokens (django-rest-knox), for a superuser: whose each is, when it
    was made and when it expires; revoking one deletes it. Never the key (the site keeps only
    its digest) nor the first characters knox keeps to find it (``token_key``): each editor
    makes their own on the "API token" page (kzpolitics.site.api_tokens), which shows the key
    once. knox's own admin made tokens here and put the key in a message, kept in the session
    until shown: none is made here."""

    list_display = ("user", "created", "expiry")
    list_filter = ("created", "expiry")
    list_select_related = ("user",)
    search_fields = (f"user__{get_user_model().USERNAME_FIELD}",)
    search_help_text = "User name"
    fields = ("user", "created", "expiry")
    readonly_fields = fields
    ordering = ("-created",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AccessLogAdmin(KeyCheckedAdminMixin, axes_admin.AccessLogAdmin):
    """django-axes's sign-in log, with posted keys checked."""


class AccessFailureLogAdmin(KeyCheckedAdminMixin, axes_admin.AccessFailureLogAdmin):
    """django-axes's failed sign-in log, with posted keys checked."""


ACCOUNT_ADMINS = {
    get_user_model(): UserAdmin,
    Group: GroupAdmin,
    AuthToken: TokenAdmin,
    AccessAttempt: SignInAttemptAdmin,
    AccessLog: AccessLogAdmin,
    AccessFailureLog: AccessFailureLogAdmin,
}


def register_account_admins(site=admin.site) -> None:
    """Put each account admin in place of the library's own, where the library registered
    one (django-axes registers its admins only with ``AXES_ENABLE_ADMIN``)."""
    for model, model_admin in ACCOUNT_ADMINS.items():
        if site.is_registered(model):
            site.unregister(model)
            site.register(model, model_admin)


register_account_admins()
