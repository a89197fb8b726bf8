"""Exceptions to the site's Content Security Policy for the few admin pages whose templates come
from a library and carry inline styles or event handlers.

The policy (settings.CONTENT_SECURITY_POLICY) allows no inline script or style anywhere. Where a
library's page needs one, the page's response names that exact attribute by its hash
('unsafe-hashes'), so the browser runs that text and nothing else: an injected attribute would
still be refused.
"""

from __future__ import annotations

import base64
import hashlib


def csp_hash(text: str) -> str:
    """The CSP source expression for an inline attribute's exact text."""
    digest = hashlib.sha256(text.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def allow_inline(response, *, styles: tuple[str, ...] = (), handlers: tuple[str, ...] = ()):
    """Let ``response``'s page use these style attributes and event handlers, by hash."""
    update = {}
    if styles:
        update["style-src-attr"] = ["'unsafe-hashes'", *map(csp_hash, styles)]
    if handlers:
        update["script-src-attr"] = ["'unsafe-hashes'", *map(csp_hash, handlers)]
    response._csp_update = {**(getattr(response, "_csp_update", None) or {}), **update}
    return response
