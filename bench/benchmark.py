#!/usr/bin/env python3
"""Benchmark: speed of extraction and builds, printed as a table (median of N runs).

    .venv/bin/python bench/benchmark.py [--runs N]

Builds go to a temporary folder (the project's edition/ and _site/ are not touched).
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from editio.extract import extract  # noqa: E402


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    seed = next((PROJECT / "seeds").glob("*.txt"))
    corrections = PROJECT / "edition" / seed.stem / "corrections.yaml"
    rows = []
    rows.append(("extract (in process)", timed(lambda: extract(seed, "seed"), args.runs)))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        folder = out / "edition" / seed.stem
        folder.mkdir(parents=True)
        shutil.copy(corrections, folder / "corrections.yaml")
        command = [sys.executable, str(PROJECT / "build.py"), "--seed", str(seed), "--out", str(out)]

        def cold():
            shutil.rmtree(out / "site", ignore_errors=True)
            for name in ("edition.yaml", "report.yaml"):
                (folder / name).unlink(missing_ok=True)
            subprocess.run(command, check=True, capture_output=True)

        rows.append(("cold full build (new process)", timed(cold, args.runs)))
        text = (folder / "corrections.yaml").read_text(encoding="utf-8")
        flips = iter(range(10 ** 6))

        def rebuild():
            changed = text.replace("The end of the sentence, as usual in the article.",
                                   f"The end of the sentence, as usual in the article ({next(flips)}).")
            (folder / "corrections.yaml").write_text(changed, encoding="utf-8")
            subprocess.run(command, check=True, capture_output=True)

        rows.append(("rebuild after changing one correction", timed(rebuild, args.runs)))
    print(f"{'measure':45} {'median':>9} {'min':>9} {'max':>9}   (runs={args.runs})")
    for name, values in rows:
        print(f"{name:45} {statistics.median(values) * 1000:7.0f} ms {min(values) * 1000:6.0f} ms "
              f"{max(values) * 1000:6.0f} ms")


if __name__ == "__main__":
    main()
