#!/usr/bin/env python3
"""Benchmark at scale: collections of invented articles (editio.corpus) built cold, their size, a reader's
first searches, corrections timed in serve, printed as a table with the targets of issue 19.

    .venv/bin/python bench/scale.py [--sizes 1 100 500 1000] [--runs N] [--no-search]

Every build is `build.py --seed <the collection's seeds> --out <an empty folder>` in a new process, in a
temporary folder; the project's edition/ and _site/ are not touched. bench/benchmark.py prints the same
table after its own. See bench/README.md for what each figure means.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(PROJECT / "bench"))

from editio import corpus, yamlio  # noqa: E402

SIZES = (1, 100, 500, 1000)
COLD_TARGET, COLD_AT = 90.0, 1000       # seconds, cold, on these 2-core machines (issue 19)
MEMORY_TARGET, MEMORY_AT = 1024 ** 3, 1000
SITE_TARGET, FILES_TARGET = 400 * 1024, 20  # per article, everything included, at the largest size
SEARCH_BYTES, SEARCH_REQUESTS, SEARCH_MS = 300 * 1024, 50, 300.0  # a first search, at the largest size
REBUILD_TARGET, INDEX_TARGET = 1.5, 30.0  # seconds from a correction saved in serve to its page, to the index


class Peak:
    """The largest memory a process and all its descendants held at once, sampled every 50 ms: the sum
    of their proportional set sizes (a page shared by forked workers counts once in all)."""

    def __init__(self, pid: int):
        self.pid, self.bytes, self._done = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def stop(self) -> int:
        self._done.set()
        self._thread.join()
        return self.bytes

    def _watch(self) -> None:
        while not self._done.wait(0.05):
            self.bytes = max(self.bytes, sum(_pss(pid) for pid in _tree(self.pid)))


def _tree(root: int) -> list[int]:
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += [child for child, parent in parents.items() if parent == pid]
    return found


def _pss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def build(seeds: list[Path], out: Path, memory: bool = True) -> tuple[float, int]:
    """(seconds, peak bytes or 0 when memory is False) of one build of seeds into out, in a new process.
    Sampling the memory costs the machine some CPU: the rebuilds, timed to a tenth of a second, are not
    sampled."""
    command = [sys.executable, str(PROJECT / "build.py"), "--seed", *map(str, seeds), "--out", str(out)]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = Peak(process.pid) if memory else None
    _, err = process.communicate(timeout=1800)
    seconds = time.perf_counter() - started
    memory = peak.stop() if peak else 0
    if process.returncode:
        raise RuntimeError(f"the build of {len(seeds)} articles failed: {err.strip()[-500:]}")
    return seconds, memory


def correct(out: Path, slug: str, serial: int) -> str:
    """An emendation of the article's first paragraph written to its corrections.yaml (the paragraph's
    search record changes too); the edition's new reading, to look for in the rebuilt site."""
    edition = yamlio.read(out / "edition" / slug / "edition.yaml")
    paragraph = edition["sections"][0]["paragraphs"][0]
    source = " ".join(paragraph["text"].split(" ")[:4])
    reading = f"{source} (emended {serial})"
    (out / "edition" / slug / "corrections.yaml").write_text(yamlio.dumps({"emendations": [
        {"where": paragraph["id"], "source": source, "edition": reading,
         "reason": f"benchmark correction {serial}"}]}), encoding="utf-8")
    return reading


def served_corrections(seeds: list[Path], out: Path, slug: str, runs: int) -> list[tuple[float, float, float]]:
    """(seconds to the article's page served with the correction, to the search index made again, and the
    whole site's rebuild as serve reports it) of corrections saved one after another to one article while
    `build.py serve` serves the collection (each after the one before is indexed)."""
    import urllib.request
    import browser
    port = browser.free_port()
    log = out / "serve.log"
    command = [sys.executable, str(PROJECT / "build.py"), "serve", "--seed", *map(str, seeds), "--out", str(out),
               "--port", str(port)]
    process = subprocess.Popen(command, stdout=open(log, "w"), stderr=subprocess.STDOUT)
    try:
        _wait(lambda: "serving " in log.read_text(), process, 600)
        timings = []
        for run in range(runs):
            indexed = log.read_text().count("search index made again in")
            reading = correct(out, slug, 100 + run)
            started = time.perf_counter()
            _wait(lambda: reading in urllib.request.urlopen(f"http://127.0.0.1:{port}/{slug}/", timeout=10)
                  .read().decode("utf-8"), process, 120, step=0.02)
            pages = time.perf_counter() - started
            _wait(lambda: log.read_text().count("search index made again in") > indexed, process, 300)
            index = time.perf_counter() - started
            rebuilt = float(re.findall(r"rebuilt in ([\d.]+) s", log.read_text())[-1])
            timings.append((pages, index, rebuilt))
        return timings
    finally:
        process.terminate()
        process.wait(30)


def _wait(done, process, timeout: float, step: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("serve stopped or did not answer in time")
        time.sleep(step)


def site_size(site: Path) -> tuple[int, int]:
    """(bytes, files) of everything the site folder holds."""
    files = [p for p in site.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


def queries(out: Path, slug: str) -> list[str]:
    """What a reader looks for in the last article of the collection: one of its shelfmarks as printed, a
    phrase from one of its notes, its author's name."""
    edition = yamlio.read(out / "edition" / slug / "edition.yaml")
    files = [c["archive"] for n in edition["notes"] for c in n.get("citations", []) if c.get("archive")]
    a = files[-1]
    shelfmark = f"{a['archive']} f. {a['fond']}" + (f" op. {a['opis']}" if a.get("opis") else "") + f" d. {a['delo']}"
    phrase = next(m.group(0) for n in reversed(edition["notes"])
                  for m in [re.search(r"(?<![\w*])[A-Za-z]{3,}(?: [A-Za-z]{3,}){2}(?![\w*])", n["text"])] if m)
    return [shelfmark, phrase, edition["metadata"]["authors"][0].split()[-1]]


def searches(site: Path, wanted: list[str]) -> list:
    """bench/browser.py's typed first search of each query, on the site served by http.server."""
    import browser
    with browser.chromium() as chromium, browser.served(site, browser.free_port()) as url:
        return [browser.typed(chromium, url, q) for q in wanted]


def measure(sizes, runs: int, scratch: Path, progress=print, search: bool = True) -> dict:
    """{"cold": {size: [(seconds, peak bytes)]}, "site": {size: (bytes, files)}, "search": {size: [Typed]},
    "rebuild": [seconds], "rebuild_of": size}: the rebuild is one correction in one article of the largest
    collection measured."""
    results = {"cold": {}, "site": {}, "search": {}, "rebuild": [], "rebuild_of": max(sizes)}
    for size in sizes:
        seeds = corpus.write(size, scratch / f"seeds-{size}")
        results["cold"][size] = []
        for run in range(runs):
            progress(f"scale: {size} article(s), cold build {run + 1}/{runs}")
            out = scratch / f"out-{size}-{run}"
            results["cold"][size].append(build(seeds, out))
        results["site"][size] = site_size(out / "site")
        if search:
            progress(f"scale: {size} article(s), first searches in Chromium")
            results["search"][size] = searches(out / "site", queries(out, seeds[-1].stem))
        if size == results["rebuild_of"]:
            progress(f"scale: corrections to one article of {size} while build.py serve serves them")
            results["rebuild"] = served_corrections(seeds, out, seeds[len(seeds) // 2].stem, max(3, runs))
        for run in range(runs):
            shutil.rmtree(scratch / f"out-{size}-{run}", ignore_errors=True)
    return results


def _mark(ok: bool) -> str:
    return f"{'MET' if ok else 'MISSED':10}"


def report(results: dict) -> list[str]:
    """The scale table and the targets, as lines."""
    lines = ["Collections of invented articles (editio.corpus), built cold: build.py --seed … --out EMPTY in a new",
             "process; peak memory = the largest sum of the build's processes' PSS (Pagefind included); the site",
             "= every file of the site folder, per article.", "",
             f"{'articles':>8}  {'cold build':>11}  {'per article':>11}  {'peak memory':>11}  {'site/article':>12}"
             f"  {'files/article':>13}"]
    for size, done in results["cold"].items():
        seconds = statistics.median(s for s, _ in done)
        memory = max(m for _, m in done)
        size_bytes, files = results["site"][size]
        lines.append(f"{size:>8}  {seconds:>9.2f} s  {seconds / size * 1000:>8.0f} ms  {memory / 2 ** 20:>8.0f} MB"
                     f"  {size_bytes / size / 1024:>9.0f} KB  {files / size:>13.1f}")
    if results["search"]:
        lines += ["", "First search of a reader (Chromium, empty cache, http.server without compression): the search",
                  "page opened, the query typed a key every 40 ms, until its first results; bytes as served (gzip",
                  "equivalent in brackets) and requests from opening the page; time from the last keystroke.", ""]
        for size, probes in results["search"].items():
            for p in probes:
                lines.append(f"{size:>8}  {p.query[:40]!r:44} {p.bytes[0] / 1024:>5.0f} KB ({p.bytes[1] / 1024:.0f})"
                             f"  {p.requests:>3} requests  {p.ms:>5.0f} ms")
    if results["rebuild"]:
        for name, values in (("its page served with it", [p for p, _, _ in results["rebuild"]]),
                             ("the whole site rebuilt and put in place", [r for _, _, r in results["rebuild"]]),
                             ("the search index made again", [i for _, i, _ in results["rebuild"]])):
            lines.append(f"\none correction in one article of {results['rebuild_of']} in build.py serve, {name}: "
                         f"{statistics.median(values):.2f} s (median of {len(values)}; {min(values):.2f}–"
                         f"{max(values):.2f})")
    lines += ["", "Targets (issue 19):"]
    largest = max(results["cold"])
    if COLD_AT in results["cold"]:
        seconds = statistics.median(s for s, _ in results["cold"][COLD_AT])
        lines.append(f"  {_mark(seconds <= COLD_TARGET)}  {COLD_AT} articles cold <= {COLD_TARGET:g} s: {seconds:.2f} s")
    if MEMORY_AT in results["cold"]:
        memory = max(m for _, m in results["cold"][MEMORY_AT])
        lines.append(f"  {_mark(memory <= MEMORY_TARGET)}  peak memory at {MEMORY_AT} articles <= 1 GB: "
                     f"{memory / 2 ** 20:.0f} MB")
    size_bytes, files = results["site"][largest]
    lines.append(f"  {_mark(size_bytes / largest <= SITE_TARGET)}  site per article at {largest} <= 400 KB: "
                 f"{size_bytes / largest / 1024:.0f} KB")
    lines.append(f"  {_mark(files / largest <= FILES_TARGET)}  files per article at {largest} <= {FILES_TARGET}: "
                 f"{files / largest:.1f}")
    for p in results["search"].get(largest, []):
        ok = p.bytes[0] <= SEARCH_BYTES and p.requests <= SEARCH_REQUESTS and p.ms <= SEARCH_MS
        lines.append(f"  {_mark(ok)}  first search {p.query[:40]!r} at {largest}: <= 300 KB, 50 requests, 300 ms: "
                     f"{p.bytes[0] / 1024:.0f} KB, {p.requests}, {p.ms:.0f} ms")
    if results["rebuild"]:
        pages = statistics.median(p for p, _, _ in results["rebuild"])
        index = statistics.median(i for _, i, _ in results["rebuild"])
        lines.append(f"  {_mark(pages <= REBUILD_TARGET)}  one correction in one article of {results['rebuild_of']}, "
                     f"its pages updated <= {REBUILD_TARGET:g} s: {pages:.2f} s")
        lines.append(f"  {_mark(index <= INDEX_TARGET)}  … and the search index brought up to date <= "
                     f"{INDEX_TARGET:g} s: {index:.2f} s")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help="collection sizes (default "
                        + " ".join(map(str, SIZES)) + ")")
    parser.add_argument("--runs", type=int, default=1, help="cold builds of each size (default 1)")
    parser.add_argument("--no-search", action="store_true", help="skip the first searches in Chromium")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tmp-scale-", dir=PROJECT) as tmp:
        results = measure(args.sizes, args.runs, Path(tmp), lambda text: print(text, file=sys.stderr, flush=True),
                          search=not args.no_search)
    print(f"editio at scale: {os.cpu_count()} CPUs")
    print("\n".join(report(results)))


if __name__ == "__main__":
    main()
