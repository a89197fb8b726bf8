#!/usr/bin/env bash
# Property-based check of the API against its own OpenAPI schema (schemathesis 4).
#
# Serves a throwaway copy of the site with the article's data (tests/site_server.py: a fresh
# SQLite database, or PostgreSQL when DATABASE_URL names one; gunicorn, DEBUG off), runs a
# bounded, reproducible schemathesis run over every GET operation (anonymous, as a researcher
# would call them) with all of schemathesis's checks and no operation left out: it fails on any
# 5xx, any answer the schema does not describe (status code, content type, headers, body), a
# request the schema allows that is refused, one it forbids that is accepted, a read that
# demands credentials the schema says it does not need, and the rest (`schemathesis run -h`).
#
# One collision between a check and a deliberate design, and its answer. A filter that names
# another record by slug (?organization=, ?election=, ?participant=, ...) refuses a slug no
# published record has with a 400 (issue 14: an empty 200 reads as "no results"), and the ends
# of a range must come in order (date_after before date_before). OpenAPI 3.0 can say a slug's
# form (the schema gives the pattern) but not which slugs exist, nor that two parameters must
# agree, so schemathesis's positive_data_acceptance check, which takes any value of the
# declared form as one the server must accept, would call those 400s wrong. For the lists with
# such filters (and their .csv twins), and for them only, the config below adds 400 to the
# statuses that check expects (its documented `expected-statuses`). Every other check still
# applies to them in full: negative_data_rejection still demands a 400 for a malformed value,
# and a 400 must still be the problem+json the schema documents.
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

# The lists whose filters name records by slug or take a range (see the header).
[[operations]]
include-operation-id-regex = "^(organizations|people|elections|results|acts|registrations|events|citations)_list(_csv)?$"

[operations.checks.positive_data_acceptance]
expected-statuses = ["2xx", "3xx", "400", "401", "403", "404", "409", "429"]
EOF

status=0
.venv/bin/python -m tests.site_server -- \
    .venv/bin/schemathesis --config-file "$work/schemathesis.toml" \
    run '$SITE_URL/api/v1/schema/' \
    --include-method GET \
    --checks all \
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
