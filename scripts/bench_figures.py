"""The benchmark's figures, with no server and no Django: the endpoints, wrk's figures, the
targets of issue 7 and the tables scripts/bench.py prints."""

from __future__ import annotations

import json
from dataclasses import dataclass

# The targets of issue 7.
MAX_QUERIES = 12
GROWTH_LIMIT = 1.5  # p50 at the largest scale over p50 at the smallest
FLOOR_SHARE = {"html": 1 / 3, "api-list": 1 / 2}  # req/s at the largest scale over the floor's
SEARCH_P50_MS = 50

# Each endpoint measured (bench_probe.py chooses its address) and its kind, which says which
# targets apply to it.
KINDS = {
    "floor": "floor",  # /robots.txt: a template, no query, the same middleware
    "home": "html",
    "organization-list": "html",  # parties only, newest first
    "organization-detail": "html",  # the organization with most relations + citations
    "election-detail": "html",  # the election with the most results
    "timeline": "html",
    "source-detail": "html",  # the most-cited source
    "search": "html",  # a variant spelling of the most-cited person
    "search-uncached": "uncached",  # the same, a new address each time (&bench=N)
    "api-organization-list": "api-list",  # first page
    "api-organization-detail": "api-detail",  # the same organization as above
    "api-results-csv": "api-list",  # /api/v1/results/?format=csv, first page
    "api-export": "export",  # the whole dataset as a zip
}
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
WRK_FRESH_SCRIPT = WRK_SCRIPT + (
    f"""\
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
    """wrk's figures from the line WRK_SCRIPT prints, with req/s and times in milliseconds."""
    lines = [line for line in output.splitlines() if line.startswith(WRK_MARKER)]
    if not lines:
        raise Broken(f"wrk printed no figures:\n{output[-2000:]}")
    raw = json.loads(lines[-1][len(WRK_MARKER) :])
    seconds = raw["duration_us"] / 1e6
    return {
        "requests": raw["requests"],
        "rps": raw["requests"] / seconds if seconds else 0.0,
        **{f"{key}_ms": raw[f"{key}_us"] / 1000 for key in ("p50", "p90", "p99", "max")},
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
    at_small, at_large = results[small], results[large]
    compared = large != small
    names = [name for name in at_large if name != "floor"]

    def target(title: str, verdicts: list, empty: str | None = None) -> Target:
        """Passed if every (met, text) verdict is met, None with ``empty`` if there is none."""
        if empty is not None and not verdicts:
            return Target(title, None, [empty])
        figures = [text if ok else f"{text} (!)" for ok, text in verdicts]
        return Target(title, all(ok for ok, _ in verdicts), figures)

    def judge(figure, name: str, *at: int) -> tuple[bool, str]:
        """``figure(name)``, or failed if ``name`` broke at one of the scales ``at``."""
        why = "; ".join(
            f"at scale {scale}: {results[scale][name]['broken']}"
            for scale in at
            if results[scale][name].get("broken")
        )
        return (False, f"{name} broken {why}") if why else figure(name)

    def cold_warm(row: dict) -> tuple[int, int]:
        return row["queries_cold"], row["queries_warm"]

    # 1. The same number of queries at both scales (cold and warm), at most MAX_QUERIES.
    def queries(name: str) -> tuple[bool, str]:
        now = cold_warm(at_large[name])
        before = cold_warm(at_small.get(name, at_large[name]))
        text = f"{name} {'/'.join(map(str, before))}"
        if compared:
            text += f" -> {'/'.join(map(str, now))}"
        return before == now and max(now) <= MAX_QUERIES, text

    title = f"1. queries (cold/warm) at most {MAX_QUERIES}"
    if compared:
        title += f" and the same at scale {small} and {large}"
    targets = [target(title, [queries(name) for name in names])]

    # 2. p50 grows at most GROWTH_LIMIT times, but for the full export.
    def p50_growth(name: str) -> tuple[bool, str]:
        before, now = at_small[name]["p50_ms"], at_large[name]["p50_ms"]
        ratio = now / before
        return ratio <= GROWTH_LIMIT, f"{name} {before:.1f} -> {now:.1f} ms = {ratio:.2f}x"

    if compared:
        title = f"2. p50 at scale {large} within {GROWTH_LIMIT:g}x p50 at scale {small}"
        grown = [n for n in names if KINDS[n] != "export" and n in at_small]
        verdicts = [judge(p50_growth, name, small, large) for name in grown]
        targets.append(target(f"{title}, but the export", verdicts))
    else:
        title = f"2. p50 at the largest scale within {GROWTH_LIMIT:g}x the smallest's"
        targets.append(Target(f"{title}, but the export", None, ["needs two scales"]))

    # 3. Throughput against the floor's, at the largest scale (of what a cache may answer).
    floor = at_large["floor"]["rps"]

    def throughput(name: str) -> tuple[bool, str]:
        rps, share = at_large[name]["rps"], FLOOR_SHARE[KINDS[name]]
        ratio = rps / floor
        return ratio >= share, f"{name} {rps:.0f} req/s = {ratio:.3f} (>= {share:.2f})"

    title = (
        f"3. req/s at scale {large}: HTML pages >= 1/3, API lists >= 1/2 of the floor's "
        f"({floor:.0f} req/s)"
    )
    verdicts = [judge(throughput, name, large) for name in names if KINDS[name] in FLOOR_SHARE]
    targets.append(target(title, verdicts, empty="no HTML page or API list measured"))

    # 4. Search's median, of searches no cache has seen (else of the repeated one).
    search = "search-uncached" if "search-uncached" in at_large else "search"

    def search_p50(name: str) -> tuple[bool, str]:
        p50 = at_large[name]["p50_ms"]
        return p50 < SEARCH_P50_MS, f"{name} p50 {p50:.1f} ms"

    title = f"4. {search} at scale {large}: p50 under {SEARCH_P50_MS} ms"
    verdicts = [judge(search_p50, search, large)] if search in at_large else []
    targets.append(target(title, verdicts, empty="search not measured"))
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
    header = (
        f"{'scale':>5}  {'endpoint':<24} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'n':>6} "
        f"{'cold ms':>8} {'queries':>8} {'bytes':>9} {'x floor':>8}"
    )
    lines = [header, "-" * len(header)]
    for scale in sorted(results):
        for name, row in results[scale].items():
            start = f"{scale:>5}  {name:<24}"
            queries = f"{row['queries_cold']}/{row['queries_warm']}"
            if row.get("broken"):
                lines.append(
                    f"{start} {'BROKEN':>8} {'':>8} {'':>8} {'':>6} "
                    f"{row['cold_ms']:>8.1f} {queries:>8}  {row['broken']}"
                )
                continue
            lines.append(
                f"{start} {row['rps']:>8.1f} {row['p50_ms']:>8.1f} {row['p99_ms']:>8.1f} "
                f"{row['requests']:>6} {row['cold_ms']:>8.1f} {queries:>8} {row['bytes']:>9} "
                f"{row['floor_ratio']:>8.3f}"
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
