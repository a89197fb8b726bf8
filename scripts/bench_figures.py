"""The benchmark's figures (scripts/bench.py) and what is made of them, with no server and no
Django: the endpoints, wrk's figures read from the line its script prints, the four targets
of issue 7, and the tables."""

from __future__ import annotations

import json
from dataclasses import dataclass

# The targets of issue 7.
MAX_QUERIES = 12
GROWTH_LIMIT = 1.5  # p50 at the largest scale over p50 at the smallest
FLOOR_SHARE = {"html": 1 / 3, "api-list": 1 / 2}  # req/s at the largest scale over the floor's
SEARCH_P50_MS = 50


@dataclass(frozen=True)
class Endpoint:
    """One address the benchmark measures; ``kind`` says which targets apply to it."""

    name: str
    kind: str  # floor, html, uncached, api-list, api-detail or export
    what: str


ENDPOINTS = (
    Endpoint("floor", "floor", "/robots.txt: a template, no query, the same middleware"),
    Endpoint("home", "html", "the home page"),
    Endpoint("organization-list", "html", "organizations, parties only, newest first"),
    Endpoint("organization-detail", "html", "the organization with most relations + citations"),
    Endpoint("election-detail", "html", "the election with the most results"),
    Endpoint("timeline", "html", "the timeline"),
    Endpoint("source-detail", "html", "the most-cited source"),
    Endpoint("search", "html", "search for a variant spelling of the most-cited person"),
    Endpoint("search-uncached", "uncached", "the same, a new address each time (&bench=N)"),
    Endpoint("api-organization-list", "api-list", "/api/v1/organizations/, first page"),
    Endpoint("api-organization-detail", "api-detail", "the same organization as above"),
    Endpoint("api-results-csv", "api-list", "/api/v1/results/?format=csv, first page"),
    Endpoint("api-export", "export", "/api/v1/export/: the whole dataset as a zip"),
)
KINDS = {endpoint.name: endpoint.kind for endpoint in ENDPOINTS}
# Asked for at a new address each time, so that no cache has the answer: what a visitor typing
# a search nobody made before waits for. The view ignores the extra parameter.
FRESH_PARAMETER = "bench"

# Prints wrk's figures as one JSON line at the end of its run: no parsing of its text report,
# whose units change with the magnitude (us, ms, s).
WRK_SCRIPT = """\
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH-WRK {"requests": %d, "duration_us": %d, "bytes": %d, "non_2xx_3xx": %d, '
      .. '"connect": %d, "read": %d, "write": %d, "timeout": %d, '
      .. '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}\\n',
    summary.requests, summary.duration, summary.bytes, e.status,
    e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""
WRK_MARKER = "BENCH-WRK "
# The same, and each request at a new address: "&bench=<tag>-<n>", the tag new for each run.
WRK_FRESH_SCRIPT = (
    WRK_SCRIPT
    + f"""\
local tag, n = "", 0
init = function(args) tag = args[1] end
request = function()
  n = n + 1
  return wrk.format(nil, wrk.path .. "&{FRESH_PARAMETER}=" .. tag .. "-" .. n)
end
"""
)


class Broken(Exception):
    """Something that makes the figures wrong or missing: a failed command, a non-200."""


def parse_wrk(output: str) -> dict:
    """wrk's figures from its output (the JSON line WRK_SCRIPT prints), with req/s and the
    latencies in milliseconds."""
    lines = [line for line in output.splitlines() if line.startswith(WRK_MARKER)]
    if not lines:
        raise Broken(f"wrk printed no figures:\n{output[-2000:]}")
    raw = json.loads(lines[-1][len(WRK_MARKER) :])
    seconds = raw["duration_us"] / 1e6
    return {
        "requests": raw["requests"],
        "rps": raw["requests"] / seconds if seconds else 0.0,
        "p50_ms": raw["p50_us"] / 1000,
        "p90_ms": raw["p90_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "non_2xx_3xx": raw["non_2xx_3xx"],
        "socket_errors": {key: raw[key] for key in ("connect", "read", "write", "timeout")},
    }


@dataclass
class Target:
    """One of issue 7's targets: passed (None when the run lacks the figures), and why."""

    title: str
    passed: bool | None
    figures: list[str]


def check_targets(results: dict[int, dict[str, dict]]) -> list[Target]:
    """Issue 7's four targets, checked on the smallest and largest scale of the run. An
    endpoint that broke (its row has ``broken``) fails every target that needs its timings."""
    scales = sorted(results)
    small, large = scales[0], scales[-1]
    compared = large != small
    at_large = results[large]
    names = [name for name in at_large if name != "floor"]

    def broken(name: str, *at: int) -> str:
        """Why ``name`` broke, at the scales of ``at`` where it did."""
        return "; ".join(
            f"at scale {scale}: {results[scale][name]['broken']}"
            for scale in at
            if results[scale][name].get("broken")
        )

    def target(title: str, verdicts, empty: str | None = None) -> Target:
        """A target from its figures, as (met, text) pairs: passed if every one is met (None
        when there is none and ``empty`` says why), each one missed marked "(!)"."""
        verdicts = list(verdicts)
        figures = [text if ok else f"{text} (!)" for ok, text in verdicts]
        if empty is not None and not verdicts:
            return Target(title, None, [empty])
        return Target(title, all(ok for ok, _ in verdicts), figures)

    def cold_warm(row: dict) -> tuple[int, int]:
        return row["queries_cold"], row["queries_warm"]

    # 1. The same number of queries at both scales (cold and warm), at most MAX_QUERIES.
    def queries():
        for name in names:
            now = cold_warm(at_large[name])
            before = cold_warm(results[small][name]) if name in results[small] else now
            text = f"{name} {'/'.join(map(str, before))}"
            if compared:
                text += f" -> {'/'.join(map(str, now))}"
            yield before == now and max(now) <= MAX_QUERIES, text

    title = f"1. queries (cold/warm) at most {MAX_QUERIES}"
    if compared:
        title += f" and the same at scale {small} and {large}"
    targets = [target(title, queries())]

    # 2. p50 grows at most GROWTH_LIMIT times, but for the full export.
    def p50_growth():
        for name in names:
            if KINDS[name] == "export" or name not in results[small]:
                continue
            before, now = results[small][name], at_large[name]
            if before.get("broken") or now.get("broken"):
                yield False, f"{name} broken {broken(name, small, large)}"
                continue
            ratio = now["p50_ms"] / before["p50_ms"]
            yield (
                ratio <= GROWTH_LIMIT,
                f"{name} {before['p50_ms']:.1f} -> {now['p50_ms']:.1f} ms = {ratio:.2f}x",
            )

    if compared:
        title = f"p50 at scale {large} within {GROWTH_LIMIT:g}x p50 at scale {small}"
        targets.append(target(f"2. {title}, but the export", p50_growth()))
    else:
        title = f"p50 at the largest scale within {GROWTH_LIMIT:g}x the smallest's"
        targets.append(Target(f"2. {title}, but the export", None, ["needs two scales"]))

    # 3. Throughput against the floor's, at the largest scale (of what a cache may answer).
    floor = at_large["floor"]["rps"]

    def throughput():
        for name in names:
            share = FLOOR_SHARE.get(KINDS[name])
            if share is None:
                continue
            if at_large[name].get("broken"):
                yield False, f"{name} broken {broken(name, large)}"
                continue
            ratio = at_large[name]["rps"] / floor
            rps = at_large[name]["rps"]
            yield ratio >= share, f"{name} {rps:.0f} req/s = {ratio:.3f} (>= {share:.2f})"

    title = (
        f"3. req/s at scale {large}: HTML pages >= 1/3, API lists >= 1/2 of the floor's "
        f"({floor:.0f} req/s)"
    )
    targets.append(target(title, throughput(), empty="no HTML page or API list measured"))

    # 4. Search's median, of searches no cache has seen (else of the repeated one).
    search = "search-uncached" if "search-uncached" in at_large else "search"

    def search_p50():
        if search not in at_large:
            return
        if at_large[search].get("broken"):
            yield False, f"{search} broken {broken(search, large)}"
        else:
            p50 = at_large[search]["p50_ms"]
            yield p50 < SEARCH_P50_MS, f"{search} p50 {p50:.1f} ms"

    title = f"4. {search} at scale {large}: p50 under {SEARCH_P50_MS} ms"
    targets.append(target(title, search_p50(), empty="search not measured"))
    return targets


def growth(results: dict[int, dict[str, dict]]) -> dict[str, dict[str, float]]:
    """Per endpoint measured at both, the largest scale's p50 and req/s over the smallest's."""
    scales = sorted(results)
    if len(scales) < 2:
        return {}
    small, large = results[scales[0]], results[scales[-1]]
    return {
        name: {
            "p50": large[name]["p50_ms"] / small[name]["p50_ms"],
            "rps": large[name]["rps"] / small[name]["rps"],
        }
        for name in large
        if name in small
        and not (small[name].get("broken") or large[name].get("broken"))
        and small[name]["p50_ms"]
        and small[name]["rps"]
    }


def format_table(results: dict[int, dict[str, dict]]) -> str:
    """One row per scale and endpoint; ``n`` is how many answers wrk timed, ``cold ms`` the
    time of one request with every cache cleared (in the query-counting process)."""
    header = (
        f"{'scale':>5}  {'endpoint':<24} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'n':>6} "
        f"{'cold ms':>8} {'queries':>8} {'bytes':>9} {'x floor':>8}"
    )
    lines = [header, "-" * len(header)]
    for scale in sorted(results):
        for name, row in results[scale].items():
            queries = f"{row['queries_cold']}/{row['queries_warm']}"
            if row.get("broken"):
                lines.append(
                    f"{scale:>5}  {name:<24} {'BROKEN':>8} {'':>8} {'':>8} {'':>6} "
                    f"{row['cold_ms']:>8.1f} {queries:>8}  {row['broken']}"
                )
                continue
            lines.append(
                f"{scale:>5}  {name:<24} {row['rps']:>8.1f} {row['p50_ms']:>8.1f} "
                f"{row['p99_ms']:>8.1f} {row['requests']:>6} {row['cold_ms']:>8.1f} "
                f"{queries:>8} {row['bytes']:>9} {row['floor_ratio']:>8.3f}"
            )
    return "\n".join(lines)


def format_growth(ratios: dict[str, dict[str, float]], small: int, large: int) -> str:
    header = f"{'endpoint':<24} {f'p50 {large}/{small}':>12} {f'req/s {large}/{small}':>14}"
    lines = [header, "-" * len(header)]
    for name, ratio in ratios.items():
        lines.append(f"{name:<24} {ratio['p50']:>12.2f} {ratio['rps']:>14.2f}")
    return "\n".join(lines)


def format_targets(targets: list[Target]) -> str:
    lines = []
    for target in targets:
        verdict = {True: "PASS", False: "FAIL", None: "N/A "}[target.passed]
        lines.append(f"{verdict}  {target.title}")
        lines.extend(f"        {text}" for text in target.figures)
    return "\n".join(lines)
