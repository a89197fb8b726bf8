# Varnish in front of the site (gunicorn), with the xkey vmod (Debian: varnish, varnish-modules).
#
#     varnishd -a :6081 -f /path/to/kzpolitics.vcl -p http_resp_hdr_len=65536 \
#              -p http_resp_size=131072 -p workspace_backend=262144
#
# The backend is the site at 127.0.0.1:8000 (gunicorn's usual address): change .host and .port
# below for another. The site's settings then name this Varnish in CACHE_PURGE_URLS (e.g.
# http://127.0.0.1:6081/) so a public change purges what it touched, and PROXY_COUNT=1 so the
# API's throttling and the sign-in lock-outs count the client Varnish names in X-Forwarded-For.
#
# What is cached is what the site says may be: a response with `s-maxage` in its Cache-Control
# (the site sends it on its public GET and HEAD answers only), for that long. Each such
# response names the records it shows in `Surrogate-Key` (space separated keys such as
# `organization-12 list-organization`); xkey indexes the object by them, and the site's PURGE
# with an `xkey-purge: <keys>` header drops every object that shows any of those records.
# A page can carry hundreds of keys (twice: Surrogate-Key and Cache-Tag), hence the larger
# response-header limits above; the backend workspace must hold them (and xkey's copy), or
# Varnish answers 503 ("out of workspace").
vcl 4.1;

import xkey;

backend default {
    .host = "127.0.0.1";
    .port = "8000";
}

# Who may purge: the site's own servers. Add the addresses of the machines gunicorn runs on. A
# proxy on this machine in front of Varnish (a TLS terminator) makes every client 127.0.0.1:
# have it refuse the PURGE method.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "No xkey-purge header"));
        }
        set req.http.n-gone = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged " + req.http.n-gone + " objects"));
    }
    # The editors' site and the health probe are never cached (the site's own cache skips
    # them too); anything but a read goes to the site as it came.
    if (req.url ~ "^/(admin|healthz)(/|\?|$)" || (req.method != "GET" && req.method != "HEAD")) {
        return (pass);
    }
    # A signed-in visitor (a session) or a script with a token sees drafts and previews: never
    # from the cache, never into it.
    if (req.http.Authorization) {
        return (pass);
    }
    if (req.http.Cookie) {
        # The CSRF token's cookie alone changes nothing on a public page: drop it, so the
        # visitor who has it shares the cached copy. Any other cookie (a session): pass.
        set req.http.Cookie = regsuball(req.http.Cookie, "(^|;\s*)csrftoken=[^;]*", "");
        set req.http.Cookie = regsub(req.http.Cookie, "^[;\s]+", "");
        if (req.http.Cookie == "") {
            unset req.http.Cookie;
        } else {
            return (pass);
        }
    }
    # The rest of the built-in rules (the Host header, unknown methods piped) then hash.
}

sub vcl_hash {
    # The API's links are absolute: behind a TLS terminator an answer over https is not the
    # one over http. The built-in rules then add the address and the host.
    if (req.http.X-Forwarded-Proto) {
        hash_data(req.http.X-Forwarded-Proto);
    }
}

sub vcl_pass {
    # Said back to the client as X-Varnish-Cache: PASS (removed before the backend sees it).
    set req.http.X-Varnish-Passed = "1";
}

sub vcl_backend_fetch {
    unset bereq.http.X-Varnish-Passed;
}

sub vcl_backend_response {
    # Only what the site marks as shareable is kept, for its s-maxage (Varnish reads the TTL
    # from s-maxage before max-age). Anything else (a form's page with its CSRF token, an
    # error, an answer with no Cache-Control) would otherwise be kept for default_ttl.
    if (beresp.http.Cache-Control !~ "(?i)(^|[,\s])s-maxage=[1-9]") {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    # xkey reads its keys from the `xkey` header; the site's name for them is Surrogate-Key.
    if (beresp.http.Surrogate-Key) {
        set beresp.http.xkey = beresp.http.Surrogate-Key;
    }
    # No stale copy after a purge or an expiry: a saved edit shows at once.
    set beresp.grace = 0s;
    # Then the built-in rules: no Set-Cookie, no private/no-store, no Vary: *.
}

sub vcl_deliver {
    # The site's own response cache says X-Cache: hit|miss; Varnish says its own here.
    if (obj.hits > 0) {
        set resp.http.X-Varnish-Cache = "HIT";
    } else if (req.http.X-Varnish-Passed) {
        set resp.http.X-Varnish-Cache = "PASS";
    } else {
        set resp.http.X-Varnish-Cache = "MISS";
    }
    # The keys stay visible as Surrogate-Key (researchers and checks read it); xkey's copy goes.
    unset resp.http.xkey;
}
