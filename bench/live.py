"""The editor's loop, timed: `build.py serve` on a copy of the project, the article open in headless
Chromium (Playwright's default viewport, 1280 × 720), and the time from a file's write to the moment the
page shows the change: the first frame painted with the new words, whether serve put them in place (a
correction) or reloaded the page (a template).

    .venv/bin/python bench/live.py [--runs N]

Two kinds of change, each made N times and undone in between (so each is a real change): a correction (a
restored marker moved to the next paragraph) and a template (a word of the article template's "How to
cite"). Each save is a temporary file renamed over the old, as editors save, SETTLE seconds after the one
before: the whole build the save before started may still be running.
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
SETTLE = 0.5
"""Seconds from one save to the next."""
SHOWN = {"correction": ("#p21 #noteref-46", "#p20 #noteref-46"),
         "template": ("h2:text-is('How to cite this edition')", "h2:text-is('How to cite')")}
"""kind → (what the page shows once changed, once changed back)."""
# When the page's words changed (epoch ms), whichever way serve brought the change: a page reloaded, its first
# contentful paint; a page whose text was replaced in place, the first frame painted after the first change to
# it since OBSERVE (a task queued from the frame's animation callback runs once the frame is painted).
SHOWN_AT = """(saved) => {
  const paint = performance.getEntriesByName("first-contentful-paint")[0];
  if (performance.timeOrigin > saved) return paint ? performance.timeOrigin + paint.startTime : null;
  return window.editioChanged || null;
}"""
OBSERVE = """() => {
  window.editioChanged = null;
  if (window.editioObserver) return;
  window.editioObserver = new MutationObserver(() => {
    if (window.editioChanged !== null) return;
    window.editioChanged = 0;
    requestAnimationFrame(() => setTimeout(() => { window.editioChanged = performance.timeOrigin + performance.now(); }));
  });
  window.editioObserver.observe(document.documentElement, { subtree: true, childList: true, characterData: true });
}"""


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
    """kind → milliseconds from each write to the first frame painted with the change."""
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
                last = 0.0
                for i in range(runs):
                    progress(f"live reload: run {i + 1}/{runs}")
                    for kind, (path, text, changed) in changes(root, seed).items():
                        for content, shown in zip((changed, text), SHOWN[kind]):  # the change, then back
                            time.sleep(max(0.0, last + SETTLE - time.time()))
                            page.evaluate(OBSERVE)
                            last = time.time()
                            save(path, content)
                            painted = shown_at(page, shown, last * 1000)
                            if content is changed:
                                times[kind].append(painted - last * 1000)
                return times
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()


def shown_at(page, selector: str, saved: float, timeout: float = 10) -> float:
    """When the page showing selector was painted (epoch ms), waiting for the page to change, in place or
    reloaded, after the save at saved (epoch ms)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if page.locator(selector).count():
                painted = page.evaluate(SHOWN_AT, saved)
                if painted:
                    return painted
        except Exception:  # the page is reloading itself: its old document is gone
            pass
        page.wait_for_timeout(5)
    raise Unavailable(f"the page did not show {selector!r} within {timeout:g} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    seed = next((PROJECT / "seeds").glob("*.txt"))
    for kind, values in measure(seed, args.runs, lambda t: print(t, file=sys.stderr)).items():
        print(f"{kind} → its words shown in the page: median {statistics.median(values):.0f} ms "
              f"({min(values):.0f}–{max(values):.0f}) over {len(values)}")


if __name__ == "__main__":
    main()
