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

from csp.decorators import csp_update


def csp_hash(text: str) -> str:
    """The CSP source expression for an inline attribute's exact text."""
    digest = hashlib.sha256(text.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def allow_inline(response, *, styles: tuple[str, ...] = (), handlers: tuple[str, ...] = ()):
    """Let ``response``'s page use these style attributes and event handlers, by hash, through
    django-csp's own per-view update (its ``csp_update`` decorator); a second call on the same
    response adds to the first."""
    allowed = getattr(response, "inline_allowed", {"style-src-attr": [], "script-src-attr": []})
    allowed["style-src-attr"] += [csp_hash(style) for style in styles]
    allowed["script-src-attr"] += [csp_hash(handler) for handler in handlers]
    response.inline_allowed = allowed
    update = {
        directive: ["'unsafe-hashes'", *hashes] for directive, hashes in allowed.items() if hashes
    }
    return csp_update(update)(lambda: response)()
