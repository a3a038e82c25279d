#!/usr/bin/env python3
"""Benchmark at scale: collections of invented articles (editio.corpus) built cold, one correction
rebuilt, the peak memory of the build, printed as a table with the targets of issue 11.

    .venv/bin/python bench/scale.py [--sizes 1 10 50 100 200] [--runs N]

Every build is `build.py --seed <the collection's seeds> --out <an empty folder>` in a new process, in a
temporary folder; the project's edition/ and _site/ are not touched. bench/benchmark.py prints the same
table after its own. See bench/README.md for what each figure means.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from editio import corpus, yamlio  # noqa: E402

SIZES = (1, 10, 50, 100, 200)
TARGETS = {100: 15.0, 200: 30.0}        # seconds, cold (issue 11, on these 2-core machines)
REBUILD_TARGET, REBUILD_OF = 1.0, 100   # seconds for one correction in one article of 100
MEMORY_TARGET, MEMORY_AT = 1024 ** 3, 200


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


def measure(sizes, runs: int, scratch: Path, progress=print) -> dict:
    """{"cold": {size: [(seconds, peak bytes)]}, "rebuild": [seconds]} (rebuild: one correction in one
    article of the collection of REBUILD_OF, when that size is measured)."""
    results = {"cold": {}, "rebuild": []}
    for size in sizes:
        seeds = corpus.write(size, scratch / f"seeds-{size}")
        results["cold"][size] = []
        for run in range(runs):
            progress(f"scale: {size} article(s), cold build {run + 1}/{runs}")
            out = scratch / f"out-{size}-{run}"
            results["cold"][size].append(build(seeds, out))
        if size == REBUILD_OF:
            slug = seeds[len(seeds) // 2].stem
            for run in range(max(3, runs)):
                progress(f"scale: one correction in one article of {size}, rebuild {run + 1}")
                reading = correct(out, slug, run)
                seconds, _ = build(seeds, out, memory=False)
                page = (out / "site" / slug / "index.html").read_text(encoding="utf-8")
                if reading not in page:
                    raise RuntimeError("the correction did not reach the rebuilt site")
                results["rebuild"].append(seconds)
    return results


def report(results: dict) -> list[str]:
    """The scale table and the targets, as lines."""
    lines = ["Collections of invented articles (editio.corpus), built cold: build.py --seed … --out EMPTY",
             "in a new process; peak memory = the largest sum of the build's processes' PSS (Pagefind included).",
             "", f"{'articles':>8}  {'cold build':>12}  {'per article':>11}  {'peak memory':>11}"]
    for size, done in results["cold"].items():
        seconds = statistics.median(s for s, _ in done)
        memory = max(m for _, m in done)
        lines.append(f"{size:>8}  {seconds:>10.2f} s  {seconds / size * 1000:>8.0f} ms  {memory / 2 ** 20:>8.0f} MB")
    if results["rebuild"]:
        r = results["rebuild"]
        lines.append(f"one correction in one article of {REBUILD_OF}: {statistics.median(r):.2f} s "
                     f"(median of {len(r)}; {min(r):.2f}–{max(r):.2f})")
    lines += ["", "Targets (issue 11):"]
    for size, target in TARGETS.items():
        if size in results["cold"]:
            seconds = statistics.median(s for s, _ in results["cold"][size])
            lines.append(f"  {'MET' if seconds <= target else 'MISSED':10}  {size} articles cold <= {target:g} s: "
                         f"{seconds:.2f} s")
    if results["rebuild"]:
        seconds = statistics.median(results["rebuild"])
        lines.append(f"  {'MET' if seconds <= REBUILD_TARGET else 'MISSED':10}  one correction in one article of "
                     f"{REBUILD_OF} <= {REBUILD_TARGET:g} s: {seconds:.2f} s")
    if MEMORY_AT in results["cold"]:
        memory = max(m for _, m in results["cold"][MEMORY_AT])
        lines.append(f"  {'MET' if memory <= MEMORY_TARGET else 'MISSED':10}  peak memory at {MEMORY_AT} articles "
                     f"<= 1 GB: {memory / 2 ** 20:.0f} MB")
    sizes = sorted(results["cold"])
    if len(sizes) > 1:
        per = [statistics.median(s for s, _ in results["cold"][n]) / n for n in sizes]
        linear = all(b <= a * 1.1 for a, b in zip(per[1:], per[2:])) if len(per) > 2 else per[-1] <= per[0]
        lines.append(f"  {'MET' if linear else 'MISSED':10}  growth linear or better (time per article from "
                     f"{sizes[1]} on never grows by more than 10%): "
                     + ", ".join(f"{n}: {p * 1000:.0f} ms" for n, p in zip(sizes, per)))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help="collection sizes (default "
                        + " ".join(map(str, SIZES)) + ")")
    parser.add_argument("--runs", type=int, default=1, help="cold builds of each size (default 1)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tmp-scale-", dir=PROJECT) as tmp:
        results = measure(args.sizes, args.runs, Path(tmp), lambda text: print(text, file=sys.stderr, flush=True))
    print(f"editio at scale: {os.cpu_count()} CPUs")
    print("\n".join(report(results)))


if __name__ == "__main__":
    main()
