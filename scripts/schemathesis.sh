#!/usr/bin/env bash
# Property-based check of the API against its own OpenAPI schema (schemathesis 4).
#
# Serves a throwaway copy of the site with the article's data (tests/site_server.py: fresh
# SQLite, gunicorn, DEBUG off), runs a bounded, reproducible schemathesis run over every GET
# operation (anonymous, as a researcher would call them), and fails on any 5xx or any answer
# the schema does not describe: its status code, its content type, or its body.
#
# Tunables (environment): SCHEMATHESIS_SEED, SCHEMATHESIS_MAX_EXAMPLES (cases per operation
# in the fuzzing phase), SCHEMATHESIS_PHASES. The defaults take about two minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."

SEED="${SCHEMATHESIS_SEED:-20250101}"
MAX_EXAMPLES="${SCHEMATHESIS_MAX_EXAMPLES:-75}"
PHASES="${SCHEMATHESIS_PHASES:-examples,coverage,fuzzing}"
log="$(mktemp "${TMPDIR:-/tmp}/kzpolitics-schemathesis.XXXXXX.log")"
trap 'rm -f "$log"' EXIT

status=0
.venv/bin/python -m tests.site_server -- .venv/bin/schemathesis run '$SITE_URL/api/v1/schema/' \
    --include-method GET \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --phases "$PHASES" \
    --seed "$SEED" \
    --max-examples "$MAX_EXAMPLES" \
    --generation-with-security-parameters false \
    --generation-database none \
    --workers 2 \
    --request-timeout 30 \
    --no-color \
    2>&1 | tee "$log" || status=$?

echo "== schemathesis figures"
grep -E '^ +(Selected|Tested):|generated|^Seed:|^=+ .* in [0-9.]+s =+$' "$log" || true
exit "$status"
