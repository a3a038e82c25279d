"""The editor's loop, timed: `build.py serve` on a copy of the project, the article open in headless
Chromium (Playwright's default viewport, 1280 × 720), and the time from a file's write to the load
event of the page that reloaded itself with the change.

    .venv/bin/python bench/live.py [--runs N]

Two kinds of change, each made N times and undone in between (so each is a real change):
a correction (a restored marker moved to the next paragraph) and a template (a word of the article
template's "How to cite"). Each save is a temporary file renamed over the old, as editors save.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import browser
from generators import Unavailable

PROJECT = Path(__file__).resolve().parent.parent
SETTLE = 1.2
"""Seconds between two changes: the whole build of the one before has finished."""


def copy_project(root: Path, seed: Path) -> None:
    shutil.copy(PROJECT / "build.py", root)
    for folder in ("editio", "templates", "static"):
        shutil.copytree(PROJECT / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
    (root / "seeds").mkdir()
    shutil.copy(seed, root / "seeds")
    (root / "edition" / seed.stem).mkdir(parents=True)
    shutil.copy(PROJECT / "edition" / seed.stem / "corrections.yaml", root / "edition" / seed.stem)


def save(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def changes(root: Path, seed: Path) -> dict[str, tuple[Path, str, str]]:
    """kind → (file, its text, the text changed)."""
    corrections = root / "edition" / seed.stem / "corrections.yaml"
    text = corrections.read_text(encoding="utf-8")
    moved = re.sub(r"(  - note: 46\n    after: )\"[^\"]*\"", r'\1"protocols of Bureau sessions for 1926."', text)
    template = root / "templates" / "article.html.j2"
    page = template.read_text(encoding="utf-8")
    return {"correction": (corrections, text, moved),
            "template": (template, page, page.replace("How to cite</h2>", "How to cite this edition</h2>", 1))}


def measure(seed: Path, runs: int, progress=lambda text: None) -> dict[str, list[float]]:
    """kind → milliseconds from each write to the reloaded page's load event."""
    with tempfile.TemporaryDirectory(prefix="editio-live-") as tmp:
        root = Path(tmp)
        copy_project(root, seed)
        port = browser.free_port()
        log = root / "serve.log"
        server = subprocess.Popen([sys.executable, str(root / "build.py"), "serve", "--port", str(port)],
                                  cwd=root, stdout=open(log, "w"), stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while "serving " not in log.read_text():
                if server.poll() is not None or time.monotonic() > deadline:
                    raise Unavailable(f"build.py serve did not start: {log.read_text()[-300:]}")
                time.sleep(0.05)
            with browser.chromium() as chromium:
                page = chromium.new_page()
                page.goto(f"http://127.0.0.1:{port}/{seed.stem}/")
                page.wait_for_timeout(500)
                times: dict[str, list[float]] = {kind: [] for kind in changes(root, seed)}
                for i in range(runs):
                    progress(f"live reload: run {i + 1}/{runs}")
                    for kind, (path, text, changed) in changes(root, seed).items():
                        for content in (changed, text):  # the change, then back
                            with page.expect_event("load", timeout=10_000):
                                written = time.time() * 1000
                                save(path, content)
                            loaded = page.evaluate("performance.timing.loadEventEnd")
                            while not loaded:  # read within the load event itself
                                page.wait_for_timeout(5)
                                loaded = page.evaluate("performance.timing.loadEventEnd")
                            if content is changed:
                                times[kind].append(loaded - written)
                            time.sleep(SETTLE)
                return times
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    seed = next((PROJECT / "seeds").glob("*.txt"))
    for kind, values in measure(seed, args.runs, lambda t: print(t, file=sys.stderr)).items():
        print(f"{kind} → reloaded page: median {statistics.median(values):.0f} ms "
              f"({min(values):.0f}–{max(values):.0f}) over {len(values)}")


if __name__ == "__main__":
    main()
