"""Editors' API tokens: the secret a script sends (``Authorization: Token <key>``) to write
through the API as the editor who made it, with that editor's permissions.

The tokens are django-rest-knox's: the database keeps a SHA-512 digest of each, never the key,
so a key is shown once, on the page that made it, and can only be revoked after that, not read
again (not by a superuser, not from a backup). Every staff user (Editors, Reviewers) makes and
revokes their own on the admin's "API token" page (``api_token_view``); a superuser sees and
revokes anyone's in the admin's list of tokens (kzpolitics.site.accounts_admin).
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox import auth
from knox.models import AuthToken
from knox.settings import knox_settings
from rest_framework import exceptions
from rest_framework.authentication import get_authorization_header

# A script per machine or task is the most anyone needs at once; more is a forgotten one.
MAX_TOKENS_PER_USER = 5
# What a knox digest looks like (a SHA-512 hex digest): anything else names no token.
DIGEST = re.compile(r"[0-9a-f]{128}")


class TokenAuthentication(auth.TokenAuthentication):
    """knox's token authentication (``Authorization: Token <key>``, the key checked against
    the stored digests), first of the API's authentication classes.

    DRF answers a refused request 401 with the WWW-Authenticate the first class names, 403
    when it names none. This one names its scheme only to a request that sent credentials: a
    wrong, expired or revoked token is a 401 (``WWW-Authenticate: Token``), a write sent with
    no credentials stays the 403 the schema documents ("writing needs a signed-in editor").
    A key that is no UTF-8 is refused as any wrong key (knox decodes it unguarded: a 500)."""

    def authenticate(self, request):
        if not get_authorization_header(request):
            return None  # no credentials: the session's turn
        return super().authenticate(request)

    def authenticate_header(self, request):
        if get_authorization_header(request):
            return knox_settings.AUTH_HEADER_PREFIX
        return None

    def authenticate_credentials(self, token):
        try:
            token.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed("Invalid token.") from exc
        return super().authenticate_credentials(token)


class TokenScheme(OpenApiAuthenticationExtension):
    """The schema's security scheme for the tokens, under the name it had with Django REST
    framework's tokens (drf-spectacular's own knox extension matches knox's class only)."""

    target_class = TokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix=knox_settings.AUTH_HEADER_PREFIX
        )


def token_lifetime_days() -> int | None:
    """How many days a new token lasts (REST_KNOX's TOKEN_TTL), or None if it never expires."""
    ttl = knox_settings.TOKEN_TTL
    return None if ttl is None else ttl.days


def api_token_view(request, site):
    """The signed-in staff user's own tokens: make one (its key shown on the answer to that
    request only), revoke one, see when each was made and when it expires."""
    mine = AuthToken.objects.filter(user=request.user).order_by("-created")
    new_key = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            live = mine.exclude(expiry__lte=timezone.now()).count()
            if live >= MAX_TOKENS_PER_USER:
                messages.error(
                    request,
                    f"You have {live} API tokens already, the most one account may hold: "
                    "revoke one you no longer use first.",
                )
                return HttpResponseRedirect(request.path)
            token, new_key = AuthToken.objects.create(user=request.user)
            # The message is kept (in the session or a cookie) until shown: never the key.
            messages.success(request, _created_message(token))
        elif action == "revoke":
            value = request.POST.get("token", "")
            token = mine.filter(digest=value).first() if DIGEST.fullmatch(value) else None
            if token is None:
                messages.error(request, "That token is not one of yours: nothing was revoked.")
            else:
                token.delete()
                messages.success(
                    request,
                    f"The API token made {_when(token.created)} is revoked: a script that "
                    "sends it is now refused (401).",
                )
            return HttpResponseRedirect(request.path)
        else:
            messages.error(request, "Choose to create or to revoke a token: nothing was done.")
            return HttpResponseRedirect(request.path)
    now = timezone.now()
    context = {
        **site.each_context(request),
        "title": "API token",
        "new_key": new_key,
        "tokens": [{"token": t, "expired": t.expiry is not None and t.expiry <= now} for t in mine],
        "lifetime_days": token_lifetime_days(),
        "max_tokens": MAX_TOKENS_PER_USER,
        "header_prefix": knox_settings.AUTH_HEADER_PREFIX,
        "api_url": request.build_absolute_uri(reverse("api:api-root")),
        "all_tokens_url": (
            reverse("admin:knox_authtoken_changelist", current_app=site.name)
            if request.user.has_perm("knox.view_authtoken")
            else None
        ),
    }
    return TemplateResponse(request, "admin/api_token.html", context)


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _created_message(token: AuthToken) -> str:
    expires = f"it expires {_when(token.expiry)}" if token.expiry else "it does not expire"
    return f"API token created; {expires}. Copy it from this page now: it is not shown again."
