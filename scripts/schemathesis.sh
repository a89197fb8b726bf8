#!/usr/bin/env bash
# Property-based check of the API against its own OpenAPI schema (schemathesis 4).
#
# Serves the site on a throwaway SQLite database loaded with the article's data, runs a
# bounded, reproducible schemathesis run over every GET operation (anonymous, as a researcher
# would call them), and fails on any 5xx or any answer the schema does not describe: its
# status code, its content type, or its body.
#
# Tunables (environment): SCHEMATHESIS_SEED, SCHEMATHESIS_MAX_EXAMPLES (cases per operation
# in the fuzzing phase), SCHEMATHESIS_PHASES. The defaults take about two minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
SCHEMATHESIS=.venv/bin/schemathesis
SEED="${SCHEMATHESIS_SEED:-20250101}"
MAX_EXAMPLES="${SCHEMATHESIS_MAX_EXAMPLES:-75}"
PHASES="${SCHEMATHESIS_PHASES:-examples,coverage,fuzzing}"

work="$(mktemp -d "${TMPDIR:-/tmp}/kzpolitics-schemathesis.XXXXXX")"
server_pid=""
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Production settings (DEBUG off), so errors are answered as they are in production.
export DEBUG=0
export SECRET_KEY="schemathesis-throwaway-key-$$-$RANDOM$RANDOM"
export DATABASE_URL="sqlite:///$work/db.sqlite3"
# The run makes thousands of requests a minute: throttling has its own tests.
export API_ANON_RATE="1000000/minute"
export API_USER_RATE="1000000/minute"

run_logged() {
    local log="$1"
    shift
    if ! "$@" >"$log" 2>&1; then
        echo "failed: $*" >&2
        cat "$log" >&2
        exit 1
    fi
}

echo "== schemathesis: a throwaway database in $work, with the article's data"
run_logged "$work/migrate.log" $PY manage.py migrate --noinput
run_logged "$work/load.log" $PY manage.py load_article

port="$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
$PY manage.py runserver --noreload "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server_pid=$!

answered=""
for _ in $(seq 60); do
    if $PY -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
        "$base/api/v1/schema/" >/dev/null 2>&1; then
        answered=yes
        break
    fi
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 1
done
if [ -z "$answered" ]; then
    echo "the server at $base did not answer:" >&2
    cat "$work/server.log" >&2
    exit 1
fi

echo "== schemathesis: $base (seed $SEED, at most $MAX_EXAMPLES fuzzed cases per operation)"
status=0
$SCHEMATHESIS run "$base/api/v1/schema/" \
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
    2>&1 | tee "$work/schemathesis.log" || status=$?

echo "== schemathesis figures"
grep -E '^ +(Selected|Tested):|generated|^Seed:|^=+ .* in [0-9.]+s =+$' "$work/schemathesis.log" ||
    true

if [ "$status" -ne 0 ]; then
    echo "== schemathesis failed (exit $status); the server's errors, if any:" >&2
    grep -E '" 5[0-9]{2} |Traceback|Error' "$work/server.log" | tail -40 >&2 || true
fi
exit "$status"
