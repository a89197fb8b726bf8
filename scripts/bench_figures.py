"""The benchmark's figures, with no server and no Django: the endpoints, wrk's figures, the
crawl's order and figures, the targets of issues 7 and 15 and the tables scripts/bench.py
prints."""

from __future__ import annotations

import json
import math
import random
import re
from dataclasses import dataclass

# The targets of issue 7.
MAX_QUERIES = 12
GROWTH_LIMIT = 1.5  # p50 at the largest scale over p50 at the smallest
FLOOR_SHARE = {"html": 1 / 3, "api-list": 1 / 2}  # req/s at the largest scale over the floor's
SEARCH_P50_MS = 50

# The targets of issue 15: what a visitor meets first, not a repeated address.
CRAWL_FLOOR_SHARE = 1 / 8  # the crawl's req/s at the largest scale over the floor's
CRAWL_DETAIL_P50_MS = 20  # record pages and API details, asked once each
API_LIST_COLD_P50_MS = 60  # the API's organization list, a page of 50, at a new address
HIT_RATE = 0.99  # of the warmed sample, asked again after one edit of an ordinary record
COLD_GROWTH_LIMIT = 1.5  # cold p50 at the largest scale over the smallest's...
NOT_GROWN = ("api-export", "api-results-csv")  # ...but the full export and the full CSV
# In the crawl, a list page after every this many record pages and API details (while there
# are lists left), and no list past that share: most distinct addresses of a site are its
# records' (at scale 100, a hundred thousand pages and API details, a few hundred list pages
# worth asking), and an edit rightly empties every list that shows the record or is ordered by
# change time, so the share of lists sets the after-edit hit rate's floor: about 3% lists, a
# quarter of them organizations', cost it 0.8%. (The lists left over once the records ran out
# used to follow them: at scale 1, whose 1,548 record addresses leave 152 of its 204 lists
# over, the share then hung on how many of them a 15 s crawl reached, all of them on a fast
# machine: 12% lists, and 98.8% hits after the edit.)
LIST_EVERY = 30

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
    "api-results-csv": "api-list",  # /api/v1/results/?format=csv: every result (1.4 MB at 100x)
    "api-export": "export",  # the whole dataset as a zip
}
# Asked for at a new address each time, so that no cache has the answer: what a visitor typing
# a search nobody made before waits for. The view ignores the extra parameter.
FRESH_PARAMETER = "bench"
API_ACCEPT = "application/json, application/x-bench-"  # the API's: JSON, and a tag it ignores

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
# The same, and each request at a new address: "&bench=<tag>-<n>" ("?bench=..." on an address
# without a query), the tag new for each run: every request a miss of every cache. The API
# refuses a parameter it does not know (a 400), so there the address stays and Accept changes,
# which its cache key holds: JSON first, then a media type no renderer has, never chosen.
WRK_FRESH_SCRIPT = WRK_SCRIPT + (
    f"""\
local tag, n, sep, api = "", 0, "&", false
init = function(args)
  tag = args[1]
  if not string.find(wrk.path, "?", 1, true) then sep = "?" end
  api = string.sub(wrk.path, 1, 5) == "/api/"
end
request = function()
  n = n + 1
  if api then
    local accept = "{API_ACCEPT}" .. tag .. "-" .. n
    return wrk.format(nil, wrk.path, {{["Accept"] = accept}})
  end
  return wrk.format(nil, wrk.path .. sep .. "{FRESH_PARAMETER}=" .. tag .. "-" .. n)
end
"""
)


def fresh_request(path: str, tag: str) -> tuple[str, dict[str, str]]:
    """``path`` and headers as no cache has seen them (as WRK_FRESH_SCRIPT asks)."""
    if path.startswith("/api/"):
        return path, {"Accept": API_ACCEPT + tag}
    return f"{path}{'&' if '?' in path else '?'}{FRESH_PARAMETER}={tag}", {}


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

    # 1. At most MAX_QUERIES (cold and warm), and the same number for the same address at both
    # scales. Where the larger scale's address differs (its most related organization is
    # another), the smaller's is counted there too (``earlier``), and that count is the one
    # compared: a record's page skips the query of a kind of row it has none of, so two
    # records' pages may differ by what they hold, not by how much data lies beside them.
    def queries(name: str) -> tuple[bool, str]:
        now = cold_warm(at_large[name])
        before = cold_warm(at_small.get(name, at_large[name]))
        text = f"{name} {'/'.join(map(str, before))}"
        same = now
        if compared:
            text += f" -> {'/'.join(map(str, now))}"
            if "earlier" in at_large[name]:
                same = cold_warm(at_large[name]["earlier"])
                text += f" (scale {small}'s address: {'/'.join(map(str, same))})"
        return before == same and max(*now, *before) <= MAX_QUERIES, text

    title = f"1. queries (cold/warm) at most {MAX_QUERIES}"
    if compared:
        title += f" and the same for the same address at scale {small} and {large}"
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


# -- issue 15: the crawl of distinct addresses, the edit, cold figures ---------------------------


def crawl_order(
    details: dict[str, list[str]],
    lists: list[str],
    seed: int,
    first: list[str] = (),
) -> list[tuple[str, str]]:
    """The crawl's addresses, each once, as (path, "detail" or "list"), in a fixed random order
    (``seed``): ``first`` (the edited record's addresses, sure to be crawled), then each kind's
    records (``details``: kind -> paths) shuffled, taken a kind at a time in a shuffled turn
    so that every kind is met early however many records the others have, with one of the
    shuffled ``lists`` after every LIST_EVERY records; the lists left once the records run
    out are not asked (LIST_EVERY)."""
    rng = random.Random(seed)
    queues = {kind: rng.sample(paths, len(paths)) for kind, paths in sorted(details.items())}
    shuffled_lists = rng.sample(lists, len(lists))
    order, seen = [], set()

    def add(path: str, group: str) -> None:
        if path not in seen:
            seen.add(path)
            order.append((path, group))

    listed = set(lists)
    for path in first:
        add(path, "list" if path in listed else "detail")
    since_list = 0
    while any(queues.values()):
        turn = [kind for kind in queues if queues[kind]]
        rng.shuffle(turn)
        for kind in turn:
            add(queues[kind].pop(), "detail")
            since_list += 1
            if since_list >= LIST_EVERY and shuffled_lists:
                add(shuffled_lists.pop(), "list")
                since_list = 0
    return order


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile of ``values`` (``share`` from 0 to 1); nan when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def crawl_figures(answers: list[dict], seconds: float) -> dict:
    """The crawl's figures from its ``answers`` (each with ``group``, ``ms``, ``status``,
    ``cache``) over ``seconds``: req/s of the whole, and per group (details, lists, all) the
    count, p50, p99, how many were cache misses and how many answered other than 200."""
    figures = {"requests": len(answers), "seconds": seconds}
    figures["rps"] = len(answers) / seconds if seconds else 0.0
    for group in ("detail", "list", "all"):
        chosen = [a for a in answers if group in ("all", a["group"])]
        times = [a["ms"] for a in chosen]
        figures[group] = {
            "n": len(chosen),
            "p50_ms": percentile(times, 0.5),
            "p99_ms": percentile(times, 0.99),
            "misses": sum(a["cache"] != "hit" for a in chosen),
            "not_200": sum(a["status"] != 200 for a in chosen),
        }
    return figures


def printed_runs(text: str) -> list[str]:
    """The runs of ``text`` a page or an API answer showing it holds as they are, longest
    first: what lies between the characters HTML or JSON would escape (and line breaks)."""
    runs = (run.strip() for run in re.split(r"[<>&'\"\\\n\r]", text))
    return sorted((run for run in runs if run), key=len, reverse=True)


def surrogate_keys(header: str | None) -> set[str]:
    """The keys a ``Surrogate-Key`` header names (space separated)."""
    return set((header or "").split())


def edit_figures(sample: list[dict], key: str, purged: set[str] | None = None) -> dict:
    """What the warmed sample answered before and after one edit: each entry has ``path``,
    ``before`` and ``after`` (``status``, ``cache``, ``keys``: the Surrogate-Key's) and
    ``showed`` (the body before held the record's old text) and ``fresh`` (the body after holds
    the new). The hit rate after the edit; the addresses that carried a key the edit ``purged``
    (by default the record's ``key``) and how many of them were misses; those that name
    ``key`` and how many were; the addresses that showed the record and how many show the new
    text; the stale ones (carrying a purged key but a hit, or showed but not the new text)."""
    purged = set(purged or ()) or {key}
    hits = sum(entry["after"]["cache"] == "hit" for entry in sample)
    named = [e for e in sample if key in e["before"]["keys"] or key in e["after"]["keys"]]
    touched = [e for e in sample if e["before"]["keys"] & purged]
    showed = [e for e in sample if e["showed"]]
    stale = [e["path"] for e in touched if e["after"]["cache"] == "hit"]
    stale += [e["path"] for e in showed if not e["fresh"] and e["path"] not in stale]
    return {
        "n": len(sample),
        "warm_hits": sum(entry["before"]["cache"] == "hit" for entry in sample),
        "hits": hits,
        "hit_rate": hits / len(sample) if sample else 0.0,
        "key": key,
        "purged": sorted(purged),
        "touched": len(touched),
        "touched_missed": sum(e["after"]["cache"] != "hit" for e in touched),
        "named": len(named),
        "named_missed": sum(e["after"]["cache"] != "hit" for e in named),
        "showed": len(showed),
        "showed_fresh": sum(e["fresh"] for e in showed),
        "with_keys": sum(bool(e["after"]["keys"]) for e in sample),
        "not_200": sum(e["after"]["status"] != 200 for e in sample),
        "missed": {
            group: sum(e.get("group") == group and e["after"]["cache"] != "hit" for e in sample)
            for group in ("detail", "list")
        },
        "stale": stale,
    }


def check_crawl_targets(scales: dict[int, dict]) -> list[Target]:
    """Issue 15's targets from each scale's ``endpoints`` (with the cold figures), ``crawl``
    and ``edit`` (either may be missing: the target then fails at that scale, or is N/A if no
    scale has it). The crawl's targets are judged at the largest scale, the edit at every
    scale, the growth from the smallest to the largest."""
    order = sorted(scales)
    small, large = order[0], order[-1]
    targets = []

    def verdict(title: str, verdicts: list[tuple[bool, str]], empty: str) -> Target:
        if not verdicts:
            return Target(title, None, [empty])
        figures = [text if ok else f"{text} (!)" for ok, text in verdicts]
        return Target(title, all(ok for ok, _ in verdicts), figures)

    # 5. The crawl's throughput against the floor's of the same run.
    crawl = scales[large].get("crawl")
    floor = scales[large]["endpoints"].get("floor", {}).get("rps")
    title = f"5. crawl of distinct addresses at scale {large}: req/s >= 1/8 of the floor's"
    verdicts = []
    if crawl and floor:
        share = crawl["rps"] / floor
        verdicts.append(
            (
                share >= CRAWL_FLOOR_SHARE,
                f"{crawl['rps']:.0f} req/s = {share:.3f} of {floor:.0f} "
                f"(>= {CRAWL_FLOOR_SHARE:.3f})",
            )
        )
    targets.append(verdict(title, verdicts, "the crawl did not run"))

    # 6. The crawl's record pages and API details, each asked once.
    title = (
        f"6. crawl at scale {large}: p50 of record pages and API details "
        f"<= {CRAWL_DETAIL_P50_MS} ms"
    )
    verdicts = []
    if crawl and crawl["detail"]["n"]:
        p50 = crawl["detail"]["p50_ms"]
        verdicts.append(
            (p50 <= CRAWL_DETAIL_P50_MS, f"p50 {p50:.1f} ms of {crawl['detail']['n']} answers")
        )
    targets.append(verdict(title, verdicts, "the crawl asked for no record"))

    # 7. A page of 50 of the API's list, cold.
    title = f"7. api-organization-list cold at scale {large}: p50 <= {API_LIST_COLD_P50_MS} ms"
    row = scales[large]["endpoints"].get("api-organization-list") or {}
    verdicts = []
    if row.get("broken") or row.get("cold_broken"):
        verdicts.append((False, f"broken: {row.get('broken') or row.get('cold_broken')}"))
    elif "cold_p50_ms" in row:
        p50 = row["cold_p50_ms"]
        verdicts.append((p50 <= API_LIST_COLD_P50_MS, f"cold p50 {p50:.1f} ms"))
    targets.append(verdict(title, verdicts, "api-organization-list not measured cold"))

    # 8. One edit: the rest still cached, everything that shows the record fresh.
    title = (
        f"8. after one edit: >= {HIT_RATE:.0%} of the warmed sample still hits, every address "
        "carrying a key it purged answered afresh, every one that showed the record fresh"
    )
    verdicts = []
    for scale in order:
        edit = scales[scale].get("edit")
        if not edit:
            if "crawl" in scales[scale]:
                verdicts.append((False, f"scale {scale}: the edit phase did not run"))
            continue
        rate_ok = edit["hit_rate"] >= HIT_RATE
        verdicts.append(
            (
                rate_ok,
                f"scale {scale}: {edit['hits']}/{edit['n']} hits = {edit['hit_rate']:.1%} "
                f"(before the edit {edit['warm_hits']}/{edit['n']})",
            )
        )
        touched, missed = edit.get("touched", edit["named"]), edit.get("touched_missed")
        missed = edit["named_missed"] if missed is None else missed
        kept = edit["named"] - edit["named_missed"]
        verdicts.append(
            (
                touched > 0 and missed == touched,
                f"scale {scale}: {missed}/{touched} addresses carrying a key the edit purged "
                f"missed ({edit['with_keys']} of {edit['n']} had a Surrogate-Key); "
                f"{kept} of the {edit['named']} naming {edit['key']} only by a link kept "
                "their copy",
            )
        )
        verdicts.append(
            (
                edit["showed"] > 0 and edit["showed_fresh"] == edit["showed"],
                f"scale {scale}: {edit['showed_fresh']}/{edit['showed']} addresses that showed "
                "the record show the new text"
                + (f"; stale: {', '.join(edit['stale'][:5])}" if edit["stale"] else ""),
            )
        )
    targets.append(verdict(title, verdicts, "the edit phase did not run"))

    # 9. Cold p50 grows at most COLD_GROWTH_LIMIT times from the smallest scale to the largest.
    title = (
        f"9. cold p50 at scale {large} within {COLD_GROWTH_LIMIT:g}x scale {small}'s, but the "
        "full export and CSV"
    )
    if large == small:
        targets.append(Target(title, None, ["needs two scales"]))
        return targets
    verdicts = []
    for name, now in scales[large]["endpoints"].items():
        before = scales[small]["endpoints"].get(name)
        if name in NOT_GROWN or KINDS.get(name) == "floor" or before is None:
            continue
        why = [
            f"at scale {s}: {r.get('broken') or r.get('cold_broken')}"
            for s, r in ((small, before), (large, now))
            if r.get("broken") or r.get("cold_broken")
        ]
        if why:
            verdicts.append((False, f"{name} broken {'; '.join(why)}"))
        elif "cold_p50_ms" in now and "cold_p50_ms" in before:
            ratio = now["cold_p50_ms"] / before["cold_p50_ms"]
            verdicts.append(
                (
                    ratio <= COLD_GROWTH_LIMIT,
                    f"{name} {before['cold_p50_ms']:.1f} -> {now['cold_p50_ms']:.1f} ms "
                    f"= {ratio:.2f}x",
                )
            )
    targets.append(verdict(title, verdicts, "no endpoint measured cold at both scales"))
    return targets


def exit_status(targets: list[Target], problems: list[str], report_only: bool) -> int:
    """2 when something broke, 1 when a target failed (0 with ``report_only``), else 0."""
    if problems:
        return 2
    if not report_only and any(target.passed is False for target in targets):
        return 1
    return 0


def format_crawl(scales: dict[int, dict]) -> str:
    """The crawl's and the edit's figures, a block per scale."""
    lines = [
        f"{'scale':>5}  {'crawl':<8} {'n':>6} {'p50 ms':>8} {'p99 ms':>8} {'misses':>7} "
        f"{'not 200':>8}"
    ]
    lines.append("-" * len(lines[0]))
    for scale in sorted(scales):
        crawl = scales[scale].get("crawl")
        if not crawl:
            lines.append(f"{scale:>5}  (no crawl)")
            continue
        for group in ("detail", "list", "all"):
            g = crawl[group]
            lines.append(
                f"{scale:>5}  {group:<8} {g['n']:>6} {g['p50_ms']:>8.1f} {g['p99_ms']:>8.1f} "
                f"{g['misses']:>7} {g['not_200']:>8}"
            )
        lines.append(
            f"{'':>5}  {crawl['requests']} distinct addresses in {crawl['seconds']:.1f} s = "
            f"{crawl['rps']:.1f} req/s ({crawl.get('clients', 2)} connections); the floor "
            f"through the same client {crawl.get('floor_rps', math.nan):.0f} req/s"
        )
        edit = scales[scale].get("edit")
        if edit:
            lines.append(
                f"{'':>5}  edit of {edit['key']} ({edit.get('path', '')}): "
                f"{edit['hits']}/{edit['n']} of the sample hits after it "
                f"({edit['warm_hits']} before); {edit.get('touched_missed', '-')}/"
                f"{edit.get('touched', '-')} carrying a key it purged missed, "
                f"{edit['named_missed']}/{edit['named']} naming it; "
                f"{edit['showed_fresh']}/{edit['showed']} showing it fresh; "
                f"missed: {edit['missed']['detail']} records' addresses, "
                f"{edit['missed']['list']} lists"
            )
    return "\n".join(lines)


def format_cold(results: dict[int, dict[str, dict]]) -> str:
    """Each endpoint's cold figures (a new address each request) per scale, and the growth of
    cold p50 from the smallest scale to the largest."""
    scales = sorted(results)
    header = f"{'endpoint (cold)':<24}" + "".join(
        f" {f'p50 ms@{s}':>11} {f'p99 ms@{s}':>11} {f'req/s@{s}':>10}" for s in scales
    )
    if len(scales) > 1:
        header += f" {f'p50 {scales[-1]}/{scales[0]}':>11}"
    lines = [header, "-" * len(header)]
    for name in results[scales[-1]]:
        if KINDS.get(name) == "floor":
            continue
        line = f"{name:<24}"
        for scale in scales:
            row = results[scale].get(name) or {}
            if "cold_p50_ms" in row:
                line += (
                    f" {row['cold_p50_ms']:>11.1f} {row['cold_p99_ms']:>11.1f} "
                    f"{row['cold_rps']:>10.1f}"
                )
            else:
                why = "broken" if row.get("broken") or row.get("cold_broken") else "-"
                line += f" {why:>11} {'':>11} {'':>10}"
        first, last = results[scales[0]].get(name) or {}, results[scales[-1]][name]
        if len(scales) > 1 and "cold_p50_ms" in first and "cold_p50_ms" in last:
            line += f" {last['cold_p50_ms'] / first['cold_p50_ms']:>11.2f}"
        lines.append(line)
    return "\n".join(lines)
