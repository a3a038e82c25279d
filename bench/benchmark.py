#!/usr/bin/env python3
"""Benchmark: editio beside MkDocs Material and Pandoc, printed as one table (medians of N runs).

    .venv/bin/python bench/benchmark.py [--runs N] [--no-lighthouse] [--lighthouse-runs N] [--no-scale] [--cache DIR]

The peers build the Markdown-with-footnotes export that editio's own build writes. They, and Lighthouse,
are installed on first run under the cache folder (default ~/.cache/editio-bench), never in the project;
every build goes to a temporary folder (the project's edition/ and _site/ are not touched).
See bench/README.md for what each figure means.
"""
from __future__ import annotations

import argparse
import contextlib
import gzip
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

import browser  # noqa: E402
import lighthouse  # noqa: E402
import live  # noqa: E402
import scale  # noqa: E402
from editio.extract import extract  # noqa: E402
from generators import Editio, Generator, Unavailable, peers  # noqa: E402

QUERIES = ("delo 2669", "Zinoviev", "Kamenev", "Leningradskaia pravda", "kulak")
SEARCH_BOXES = {"editio": browser.EDITIO, "MkDocs Material": browser.MATERIAL}
COLD_TARGET, REBUILD_TARGET = 1.0, 0.2   # seconds (issue 6, on these 2-core machines)
LIVE_TARGETS = {"correction": 150, "template": 300}  # ms, save → its words shown in the page (issues 12, 19)
COLD_TARGET_12 = 0.5                     # seconds, cold full build (issue 12)
POPOVER_JS_TARGET = 8 * 1024             # bytes: littlefoot's size
NONE = "—"


def parse_args():
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "editio-bench"
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each timed measurement (default 5)")
    parser.add_argument("--lighthouse", action=argparse.BooleanOptionalAction, default=True,
                        help="run Lighthouse on the served pages (default on; ~11 s a page and run)")
    parser.add_argument("--lighthouse-runs", type=int, default=3, help="Lighthouse runs per page (default 3)")
    parser.add_argument("--live", action=argparse.BooleanOptionalAction, default=True,
                        help="time build.py serve: a save to its words shown in the page (bench/live.py; ~40 s)")
    parser.add_argument("--scale", action=argparse.BooleanOptionalAction, default=True,
                        help="also build collections of 1 to 1,000 invented articles (bench/scale.py; ~8 minutes)")
    parser.add_argument("--cache", type=Path, default=cache,
                        help=f"where the peers and Lighthouse are installed (default {cache})")
    args = parser.parse_args()
    if args.runs < 1 or args.lighthouse_runs < 1:
        parser.error("--runs and --lighthouse-runs must be at least 1")
    return args


def progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# Builds ------------------------------------------------------------------------------------------

def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def mentions(site: Path, word: str) -> bool:
    """Whether a file of the site (a page, an export) has word: the change reached the output."""
    return any(word.encode() in f.read_bytes() for f in site.rglob("*") if f.is_file())


def measure_builds(generators: dict[str, Generator], runs: int, scratch: Path) -> dict:
    """name → seconds of each cold build (new process, empty work folder) and of the rebuild that
    follows a one-word change to the input in the same folder; or Unavailable. The generators take
    turns within each run."""
    times = {name: {"cold": [], "rebuild": []} for name in generators}
    for i in range(runs):
        progress(f"builds: run {i + 1}/{runs}")
        for name, generator in generators.items():
            if isinstance(times[name], Unavailable):
                continue
            work = scratch / f"build-{i}-{name.split()[0].lower()}"
            try:
                generator.prepare(work)
                times[name]["cold"].append(timed(lambda: generator.build(work)))
                word = f"benchmarkedit{i}"
                generator.edit(work, word)
                times[name]["rebuild"].append(timed(lambda: generator.build(work)))
                if not mentions(generator.site(work), word):
                    raise Unavailable("the change did not reach the rebuilt site")
            except Unavailable as exc:
                times[name] = exc
            finally:
                shutil.rmtree(work, ignore_errors=True)
    return times


def measure_extract(seed: Path, runs: int) -> list[float]:
    return [timed(lambda: extract(seed, "seed")) for _ in range(runs)]


# Page weight -------------------------------------------------------------------------------------

class Assets(HTMLParser):
    """The stylesheets and scripts a page references."""

    def __init__(self):
        super().__init__()
        self.css, self.js = [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link" and "stylesheet" in (a.get("rel") or "").split() and a.get("href"):
            self.css.append(a["href"])
        elif tag == "script" and a.get("src"):
            self.js.append(a["src"])


def local_files(page: Path, refs: list[str]) -> set[Path]:
    files = set()
    for ref in refs:
        if "://" in ref or ref.startswith("//"):
            raise Unavailable(f"{page.name} loads {ref} from outside the site")
        files.add((page.parent / ref.split("?")[0].split("#")[0]).resolve())
    return files


def sizes(files) -> tuple[int, int]:
    """Bytes of the files, raw and each gzipped (level 9)."""
    data = [f.read_bytes() for f in files]
    return sum(map(len, data)), sum(len(gzip.compress(d, 9)) for d in data)


def page_weight(generator: Generator, site: Path) -> dict[str, tuple[int, int]]:
    """The article's HTML; the CSS and JS files the article and search pages reference (inline CSS
    and JS count in the HTML); and the JS of the article page alone (for editio: the popovers)."""
    article = site / generator.article
    pages = {article} | ({site / generator.search_page} if generator.search_page else set())
    css, js, article_js = set(), set(), set()
    for page in pages:
        assets = Assets()
        assets.feed(page.read_text(encoding="utf-8"))
        css |= local_files(page, assets.css)
        js |= local_files(page, assets.js)
        if page == article:
            article_js = local_files(page, assets.js)
    return {"html": sizes([article]), "css": sizes(css), "js": sizes(js), "article js": sizes(article_js),
            "article js files": sorted(f.name for f in article_js)}


# Search in the browser ---------------------------------------------------------------------------

def measure_search(urls: dict[str, str], runs: int) -> dict[str, list[browser.Probe] | Unavailable]:
    """runs × QUERIES probes of each searchable site, alternating between the sites."""
    probes: dict[str, list | Unavailable] = {name: [] for name in urls}
    with browser.chromium() as chromium:
        for i in range(runs):
            progress(f"search: run {i + 1}/{runs}")
            for query in QUERIES:
                for name, url in urls.items():
                    if isinstance(probes[name], Unavailable):
                        continue
                    try:
                        probes[name].append(browser.probe(chromium, url, SEARCH_BOXES[name], query))
                    except Unavailable as exc:
                        probes[name] = exc
    return probes


# Lighthouse --------------------------------------------------------------------------------------

def measure_lighthouse(pages: dict[tuple[str, str], str], runs: int, cache: Path):
    """For each (generator, page) → url: the median scores and the report of the run whose performance
    score is that median (for its shortfalls), or Unavailable. The reports are kept in cache."""
    cli = lighthouse.install(cache)
    reports = cache / "lighthouse"
    results = {}
    for (name, kind), url in pages.items():
        progress(f"lighthouse: {name} {kind} page ({runs} run(s))")
        try:
            done = [lighthouse.audit(cli, url, reports / f"{name.split()[0].lower()}-{kind}-{i + 1}.json")
                    for i in range(runs)]
        except Unavailable as exc:
            results[name, kind] = exc
            continue
        median = lighthouse.median_scores(done)
        typical = next((r for r in done if lighthouse.scores(r)["performance"] == median["performance"]), done[0])
        results[name, kind] = (median, typical)
    return results


# Output ------------------------------------------------------------------------------------------

def ms(values: list[float]) -> str:
    values = [v * 1000 for v in values]
    return f"{statistics.median(values):.0f} ms ({min(values):.0f}–{max(values):.0f})"


def size(n: float) -> str:
    return f"{n / 1000:.1f} kB" if n >= 1000 else f"{n:.0f} B"


def weight(pair: tuple[float, float]) -> str:
    return f"{size(pair[0])} ({size(pair[1])} gz)"


def medians(pairs: list[tuple[int, int]]) -> tuple[float, float]:
    return statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)


def cell(value) -> str:
    if isinstance(value, Unavailable):
        text = f"not measured: {value}"
        return text if len(text) <= 60 else text[:59] + "…"
    return NONE if value is None else value


def print_table(columns: dict[str, str], rows: list[tuple[str, dict]]) -> None:
    """columns: name → heading; rows: (label, name → text or Unavailable; a missing name prints —)."""
    table = [["measure", *columns.values()]]
    table += [[label, *(cell(values.get(name)) for name in columns)] for label, values in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
    for n, r in enumerate(table):
        print("  ".join(text.ljust(w) for text, w in zip(r, widths)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))


def score_text(scores: dict) -> str:
    return "/".join(NONE if s is None else str(s) for s in scores.values())


def verdict(met: bool | None) -> str:
    return {True: "MET", False: "MISSED", None: "NOT JUDGED"}[met]


def address(root: str, page: str) -> str:
    """The URL of a page of a served site, as its canonical link gives it (…/ for …/index.html)."""
    return root + page.removesuffix("index.html")


# Main --------------------------------------------------------------------------------------------

def serve_sites(editio: Editio, cache: Path, scratch: Path, servers: contextlib.ExitStack):
    """Every generator (or why it is unavailable), and for each available one its site, built and
    served: name → (site folder, URL).

    editio's site comes first: its Markdown export is the peers' input. These builds also warm every
    generator up before the timed builds."""
    progress("building the sites to serve …")
    port, work = browser.free_port(), scratch / "served-editio"
    editio.prepare(work)
    try:
        editio.build(work, f"http://127.0.0.1:{port}/")
    except Unavailable as exc:
        sys.exit(f"editio's build failed, nothing to measure: {exc}")
    generators: dict[str, Generator | Unavailable] = {"editio": editio, **peers(cache, editio.markdown(work))}
    built = {"editio": (editio.site(work), port)}
    for name, generator in generators.items():
        if name == "editio" or isinstance(generator, Unavailable):
            continue
        port, work = browser.free_port(), scratch / f"served-{name.split()[0].lower()}"
        try:
            generator.prepare(work)
            generator.build(work, f"http://127.0.0.1:{port}/")
            built[name] = (generator.site(work), port)
        except Unavailable as exc:
            generators[name] = exc
    sites = {name: (site, servers.enter_context(browser.served(site, port))) for name, (site, port) in built.items()}
    return generators, sites


def lighthouse_pages(generators: dict[str, Generator], sites: dict) -> dict[tuple[str, str], str]:
    """(name, "article" or "search") → URL of each page Lighthouse audits."""
    pages = {}
    for name, (_, url) in sites.items():
        generator = generators[name]
        pages[name, "article"] = address(url, generator.article)
        if generator.search_page not in (None, generator.article):
            pages[name, "search"] = address(url, generator.search_page)
    return pages


def main() -> None:
    args = parse_args()
    seed = next((PROJECT / "seeds").glob("*.txt"))
    with tempfile.TemporaryDirectory(prefix="editio-bench-") as tmp, contextlib.ExitStack() as servers:
        scratch = Path(tmp)
        generators, sites = serve_sites(Editio(seed), args.cache, scratch, servers)
        available = {n: g for n, g in generators.items() if not isinstance(g, Unavailable)}

        builds = measure_builds(available, args.runs, scratch)
        extract_times = measure_extract(seed, args.runs)
        weights = {}
        for name, (site, _) in sites.items():
            try:
                weights[name] = page_weight(available[name], site)
            except Unavailable as exc:
                weights[name] = exc

        searchable = {n: address(url, available[n].search_page) for n, (_, url) in sites.items()
                      if n in SEARCH_BOXES}
        try:
            probes = measure_search(searchable, args.runs)
        except Unavailable as exc:
            probes = {name: exc for name in searchable}

        reloads = {}
        if args.live:
            try:
                reloads = live.measure(seed, args.runs, progress)
            except Unavailable as exc:
                reloads = {kind: exc for kind in LIVE_TARGETS}

        audits = {}
        if args.lighthouse:
            pages = lighthouse_pages(available, sites)
            try:
                audits = measure_lighthouse(pages, args.lighthouse_runs, args.cache)
            except Unavailable as exc:
                audits = {page: exc for page in pages}

    report(args, seed, generators, builds, extract_times, weights, probes, audits, reloads)
    if args.scale:
        with tempfile.TemporaryDirectory(prefix="tmp-scale-", dir=PROJECT) as tmp:
            results = scale.measure(scale.SIZES, 1, Path(tmp), progress)
        print("\n" + "\n".join(scale.report(results)))


def report(args, seed, generators, builds, extract_times, weights, probes, audits, reloads) -> None:
    columns = {name: name if isinstance(g, Unavailable) else f"{name} {g.version}"
               for name, g in generators.items()}

    def per(results: dict, fn) -> dict:
        """name → fn(result), or the Unavailable that stood in for the result."""
        out = {}
        for name, g in generators.items():
            value = g if isinstance(g, Unavailable) else results.get(name)
            out[name] = value if value is None or isinstance(value, Unavailable) else fn(value)
        return out

    def first_search(part):
        """The median bytes of the first query's probes: part(probe) → (raw, gzip)."""
        return lambda probes_of: weight(medians([part(p) for p in probes_of if p.query == QUERIES[0]]))

    def lighthouse_row(kind: str) -> dict:
        row = {}
        for name, g in generators.items():
            if isinstance(g, Unavailable):
                row[name] = g
            elif kind == "search" and g.search_page == g.article:
                row[name] = "(the article page)"
            elif (name, kind) in audits:
                result = audits[name, kind]
                row[name] = result if isinstance(result, Unavailable) else score_text(result[0])
        return row

    rows = [
        ("cold full build (new process, empty folder)", per(builds, lambda b: ms(b["cold"]))),
        ("rebuild after a one-word change to the input", per(builds, lambda b: ms(b["rebuild"]))),
        ("  editio's extract stage alone (in process)", {"editio": ms(extract_times)}),
        *[(f"serve: {kind} saved → its words shown in the page (saves 0.5 s apart)", {"editio": cell(values) if isinstance(values, Unavailable)
                                                            else ms([v / 1000 for v in values])})
          for kind, values in reloads.items()],
        ("article page: HTML", per(weights, lambda w: weight(w["html"]))),
        ("own CSS (files the pages link)", per(weights, lambda w: weight(w["css"]) if w["css"][0] else "none")),
        ("own JS (files the pages load)", per(weights, lambda w: weight(w["js"]) if w["js"][0] else "none")),
        (f"first search {QUERIES[0]!r}: bytes, page open → results",
         per(probes, first_search(lambda p: (p.load_bytes[0] + p.query_bytes[0], p.load_bytes[1] + p.query_bytes[1])))),
        ("  of which after the query", per(probes, first_search(lambda p: p.query_bytes))),
        (f"time to first results ({len(QUERIES)} queries × {args.runs} runs)",
         per(probes, lambda p: ms([q.ms / 1000 for q in p]))),
    ]
    if args.lighthouse:
        rows += [("Lighthouse perf/a11y/best-pr./SEO: article", lighthouse_row("article")),
                 ("Lighthouse perf/a11y/best-pr./SEO: search", lighthouse_row("search"))]

    print(f"editio benchmark, {datetime.now():%Y-%m-%d %H:%M}: {os.cpu_count()} CPUs, Python "
          f"{platform.python_version()}, seed {seed.relative_to(PROJECT)}")
    print(f"Times: median of {args.runs} runs (min–max). Lighthouse "
          + (f"{lighthouse.VERSION}: median of {args.lighthouse_runs} run(s) a page, mobile defaults."
             if args.lighthouse else "not run (--no-lighthouse)."))
    print()
    print_table(columns, rows)
    for name, g in generators.items():
        if isinstance(g, Unavailable):
            print(f"\n{name} not measured: {g}")
    for label, values in rows:
        for name, value in values.items():
            if isinstance(value, Unavailable) and not isinstance(generators[name], Unavailable):
                print(f"\n{label.strip()}, {name}: not measured: {value}")
    print_targets(generators, builds, weights, audits)
    print_live_targets(generators, builds, reloads)
    print_shortfalls(audits)


def print_targets(generators, builds, weights, audits) -> None:
    """The targets of issue 6, each with what was measured and MET / MISSED / NOT JUDGED."""
    mine = builds.get("editio")
    timed_ok = isinstance(mine, dict)
    lines = []
    for kind, target, label in (("cold", COLD_TARGET, "cold full build"),
                                ("rebuild", REBUILD_TARGET, "rebuild after one correction")):
        if not timed_ok:
            lines.append((f"{label} < {target:g} s", cell(mine), None))
            continue
        own = statistics.median(mine[kind])
        lines.append((f"{label} < {target:g} s", f"{own * 1000:.0f} ms", own < target))
        others = {n: builds.get(n) for n in generators if n != "editio"}
        known = {n: statistics.median(b[kind]) for n, b in others.items() if isinstance(b, dict)}
        measured = ", ".join(f"{n} {t * 1000:.0f} ms" for n, t in known.items()) or "no peer measured"
        met = all(own < t for t in known.values()) if len(known) == len(others) else None
        lines.append((f"{label} faster than both peers", f"{own * 1000:.0f} ms vs {measured}", met))
    w = weights.get("editio")
    label = "popover JS < 8 KB = 8192 B, littlefoot's size (raw)"
    if isinstance(w, dict):
        lines.append((label, f"{' + '.join(w['article js files'])}: {w['article js'][0]} B "
                             f"({w['article js'][1]} B gz); with search.js {w['js'][0]} B",
                      w["article js"][0] < POPOVER_JS_TARGET))
    else:
        lines.append((label, cell(w), None))
    for kind in ("article", "search"):
        result = audits.get(("editio", kind))
        label = f"Lighthouse 100 in all four categories, {kind} page"
        if result is None or isinstance(result, Unavailable):
            lines.append((label, cell(result) if result else "not run", None))
        else:
            lines.append((label, score_text(result[0]), all(s == 100 for s in result[0].values())))
    print("\nTargets (issue 6):")
    width = max(len(t) for t, _, _ in lines)
    for target, measured, met in lines:
        print(f"  {verdict(met):10}  {target.ljust(width)}  {measured}")


def print_live_targets(generators, builds, reloads) -> None:
    """The targets of issue 12: the editor's loop and the cold build."""
    lines = []
    for kind, target in LIVE_TARGETS.items():
        values = reloads.get(kind)
        label = f"{kind} saved → its words shown in the page ≤ {target} ms (median; saves 0.5 s apart)"
        if values is None or isinstance(values, Unavailable):
            lines.append((label, cell(values) if values else "not run (--no-live)", None))
        else:
            lines.append((label, f"{statistics.median(values):.0f} ms", statistics.median(values) <= target))
    mine, peer = builds.get("editio"), builds.get("MkDocs Material")
    if isinstance(mine, dict):
        own = statistics.median(mine["cold"])
        lines.append((f"cold full build ≤ {COLD_TARGET_12:g} s", f"{own * 1000:.0f} ms", own <= COLD_TARGET_12))
        if isinstance(peer, dict):
            theirs = statistics.median(peer["cold"])
            lines.append(("cold full build no slower than MkDocs Material in the same run",
                          f"{own * 1000:.0f} ms vs {theirs * 1000:.0f} ms", own <= theirs))
    print("\nTargets (issues 12 and 19):")
    width = max(len(t) for t, _, _ in lines)
    for target, measured, met in lines:
        print(f"  {verdict(met):10}  {target.ljust(width)}  {measured}")


def print_shortfalls(audits) -> None:
    """Every Lighthouse audit that cost a page points (from the run with the median performance)."""
    printed = False
    for (name, kind), result in audits.items():
        if isinstance(result, Unavailable) or all(s == 100 for s in result[0].values()):
            continue
        if not printed:
            print("\nLighthouse audits under 100 (the run with the median performance score; "
                  "served by python -m http.server: no compression, no cache headers):")
            printed = True
        print(f"\n{name}, {kind} page ({result[1]['finalDisplayedUrl']}):")
        for line in lighthouse.shortfalls(result[1]):
            print(f"  {line}")


if __name__ == "__main__":
    main()
