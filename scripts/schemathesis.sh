#!/usr/bin/env bash
# Property-based check of the API against its own OpenAPI schema (schemathesis 4).
#
# Serves a throwaway copy of the site with the article's data (tests/site_server.py: a fresh
# SQLite database, or PostgreSQL when DATABASE_URL names one; gunicorn, DEBUG off), runs a
# bounded, reproducible schemathesis run over every GET operation (anonymous, as a researcher
# would call them), and fails on any 5xx or any answer the schema does not describe: its
# status code, its content type, or its body.
#
# Phases: the schema's examples, its coverage cases, fuzzing (MAX_EXAMPLES cases per
# operation), then stateful scenarios that follow the schema's OpenAPI links (kzpolitics/
# site/schema_links.py: a list's first record to its detail, an organization to its results, people,
# registrations and events, an election to its results, a source to what cites it, ...), using
# the values real answers gave. Only the schema's own links are followed (no inferred ones),
# so the figures say how many of them the run exercised. A step whose answer holds no value
# to follow (an empty page, a CSV answer) is listed under "Failed to extract data from
# response": a note, not a failure.
#
# Tunables (environment): SCHEMATHESIS_SEED, SCHEMATHESIS_MAX_EXAMPLES (cases per operation
# in the fuzzing phase), SCHEMATHESIS_SCENARIOS (stateful scenarios), SCHEMATHESIS_STEPS (at
# most, per scenario), SCHEMATHESIS_PHASES. The defaults take about three minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."

SEED="${SCHEMATHESIS_SEED:-20250101}"
MAX_EXAMPLES="${SCHEMATHESIS_MAX_EXAMPLES:-100}"
SCENARIOS="${SCHEMATHESIS_SCENARIOS:-100}"
STEPS="${SCHEMATHESIS_STEPS:-20}"
PHASES="${SCHEMATHESIS_PHASES:-examples,coverage,fuzzing,stateful}"
work="$(mktemp -d "${TMPDIR:-/tmp}/kzpolitics-schemathesis.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# What the command line cannot say: the stateful phase's own budget, and no inferred links.
cat >"$work/schemathesis.toml" <<EOF
[phases.stateful]
max-steps = $STEPS

[phases.stateful.generation]
max-examples = $SCENARIOS

[phases.stateful.inference]
algorithms = []
EOF

status=0
.venv/bin/python -m tests.site_server -- \
    .venv/bin/schemathesis --config-file "$work/schemathesis.toml" \
    run '$SITE_URL/api/v1/schema/' \
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
    2>&1 | tee "$work/log" || status=$?

echo "== schemathesis figures"
grep -E '^ +(Selected|Tested):|generated|Scenarios:|API Links:|^Seed:|^=+ .* in [0-9.]+s =+$' "$work/log" || true
exit "$status"
