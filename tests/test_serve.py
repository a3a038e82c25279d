"""The editor's loop: `build.py serve` on a copy of the project, driven as an editor uses it: a page
open in Chromium, corrections.yaml edited, the page following by itself; a broken file shown over the
page and gone when it is fixed; a burst of saves built once; Ctrl-C."""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from conftest import PROJECT, SEED

SLUG = SEED.stem


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    """A copy of the project served by build.py serve in a process of its own."""

    def __init__(self, root: Path, **popen):
        self.root, self.port = root, free_port()
        self.log = root / "serve.log"
        self.process = subprocess.Popen([sys.executable, str(root / "build.py"), "serve", "--port", str(self.port)],
                                        cwd=root, stdout=open(self.log, "w"), stderr=subprocess.STDOUT, **popen)
        self.url = f"http://127.0.0.1:{self.port}/"
        self.wait_for("serving ")

    @property
    def corrections(self) -> Path:
        return self.root / "edition" / SLUG / "corrections.yaml"

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8")

    def wait_for(self, text: str, count: int = 1, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while self.output().count(text) < count:
            assert self.process.poll() is None, self.output()
            assert time.monotonic() < deadline, f"no {text!r} in:\n{self.output()}"
            time.sleep(0.05)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                return self.process.wait(10)
            except subprocess.TimeoutExpired:  # where it is stuck, in its log (serve's SIGUSR1), then gone
                self.process.send_signal(signal.SIGUSR1)
                time.sleep(1)
                self.process.kill()
                raise AssertionError(f"serve did not stop within 10 s of Ctrl-C:\n{self.output()[-8000:]}") from None
        return self.process.returncode


def copy_project(tmp_path: Path, seed: Path, corrections: str | None = None) -> Path:
    """A copy of the project with this seed alone and its corrections.yaml (the project's, or this text)."""
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(PROJECT / "build.py", root)
    for folder in ("editio", "templates", "static"):
        shutil.copytree(PROJECT / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
    (root / "seeds").mkdir()
    shutil.copy(seed, root / "seeds")
    (root / "edition" / seed.stem).mkdir(parents=True)
    if corrections is None:
        shutil.copy(PROJECT / "edition" / seed.stem / "corrections.yaml", root / "edition" / seed.stem)
    else:
        (root / "edition" / seed.stem / "corrections.yaml").write_text(corrections, encoding="utf-8")
    return root


@pytest.fixture
def served(tmp_path):
    server = Served(copy_project(tmp_path, SEED))
    yield server
    server.stop()


def save(path: Path, text: str) -> None:
    """As editors save: a temporary file renamed over the old."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def test_a_correction_appears_in_the_open_page_by_itself(page: Page, served):
    blocked, requests = [], []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("request", lambda r: requests.append(r.url))
    page.goto(served.url + f"{SLUG}/#p20")
    before = page.evaluate("scrollY")
    assert before > 0
    marker = page.locator("#noteref-46")
    expect(marker).to_have_attribute("data-editorial", "restored")
    text = served.corrections.read_text(encoding="utf-8")
    edited = re.sub(r"(  - note: 46\n    after: )\"[^\"]*\"", r'\1"protocols of Bureau sessions for 1926."', text)
    assert edited != text
    page.evaluate("window.beforeTheEdit = true")
    save(served.corrections, edited)
    expect(page.locator("#p21 #noteref-46")).to_be_attached(timeout=10_000)
    assert page.evaluate("window.beforeTheEdit === true")  # the text put in place, the page not reloaded
    assert abs(page.evaluate("scrollY") - before) < 5  # and the reader's place kept
    assert page.locator("#p20 #noteref-46").count() == 0 and page.locator("#noteref-46").count() == 1
    # The replaced text is set up as a loaded page's is: the marker's sidenote beside it, its popover on hover.
    page.set_viewport_size({"width": 900, "height": 700})  # no room for sidenotes: popovers
    page.locator("#p21 #noteref-46").hover()
    expect(page.locator('[role="note"]')).to_be_visible()
    expect(page.locator('[role="note"]')).to_contain_text("46")
    page.set_viewport_size({"width": 1400, "height": 800})
    expect(page.locator('aside.sidenote[data-ref="noteref-46"]')).to_have_count(1)
    served.wait_for("rebuilt in")
    assert blocked == [] and all(url.startswith(served.url) for url in requests)

    template = served.root / "templates" / "article.html.j2"  # a template: the page reloaded whole
    save(template, template.read_text(encoding="utf-8").replace("How to cite</h2>", "How to cite this edition</h2>"))
    expect(page.locator("h2", has_text="How to cite this edition")).to_be_attached(timeout=10_000)
    assert page.evaluate("window.beforeTheEdit === undefined")


def test_a_reader_in_the_endnotes_keeps_the_place(page: Page, served):
    """The notes at the foot are laid out only when near the screen: the place is kept by what is read, not by
    a distance from the top that the page's first layout does not have yet."""
    page.goto(served.url + f"{SLUG}/")
    page.locator("#note-60").scroll_into_view_if_needed()
    page.evaluate("scrollBy(0, document.getElementById('note-60').getBoundingClientRect().top - 100)")
    top = page.evaluate("document.getElementById('note-60').getBoundingClientRect().top")
    text = served.corrections.read_text(encoding="utf-8")
    page.evaluate("window.beforeTheEdit = true")
    save(served.corrections, re.sub(r"(  - note: 46\n    after: )\"[^\"]*\"", r'\1"protocols of Bureau sessions for 1926."',
                                    text))
    expect(page.locator("#p21 #noteref-46")).to_be_attached(timeout=10_000)  # the change put in place
    assert page.evaluate("window.beforeTheEdit === true")
    page.wait_for_timeout(300)
    assert abs(page.evaluate("document.getElementById('note-60').getBoundingClientRect().top") - top) < 5


def test_a_broken_file_is_shown_over_the_page_then_gone(page: Page, served):
    page.goto(served.url + f"{SLUG}/")
    text = served.corrections.read_text(encoding="utf-8")
    broken = text.replace("markers:\n", "markers: [\n", 1)
    line = text[:text.index("markers:\n")].count("\n") + 1
    save(served.corrections, broken)
    problems = page.locator(".editio-problems")
    expect(problems).to_be_visible(timeout=10_000)
    expect(problems).to_contain_text(f"edition/{SLUG}/corrections.yaml:{line + 1}: YAML syntax error at column")
    expect(page.locator("h1")).to_contain_text("'Merciless War' against Trifles")  # the last good build
    served.wait_for("error: edition/")
    save(served.corrections, text)
    expect(problems).to_have_count(0, timeout=10_000)
    expect(page.locator("#noteref-46")).to_be_attached()


def test_a_burst_of_saves_is_built_once(served):
    text = served.corrections.read_text(encoding="utf-8")
    for i in range(4):  # four saves within 100 ms, the editor's way
        save(served.corrections, text.replace("reason: >-", "reason: >-" + " " * (i % 2), 1) if i < 3 else text + "\n")
        time.sleep(0.025)
    served.wait_for("rebuilt in")
    time.sleep(1.0)
    assert served.output().count("rebuilt in") == 1, served.output()


def test_the_pages_first_then_the_search_index_in_the_background(page: Page, served):
    text = served.corrections.read_text(encoding="utf-8")
    edited = text.replace("emendations:\n", "emendations:\n  - where: p1\n    source: \"Soviet rule\"\n"
                          "    edition: \"Soviet (zyzzogeton) rule\"\n    reason: a word no page holds yet\n", 1)
    assert edited != text
    page.goto(served.url + "search.html?q=zyzzogeton")
    expect(page.locator("#search-status")).to_have_text("No results.")
    save(served.corrections, edited)
    served.wait_for("rebuilt in")
    assert "zyzzogeton" in (served.root / "_site" / SLUG / "index.html").read_text(encoding="utf-8")
    served.wait_for("search index made again in")
    output = served.output()  # the site was put in place with the index it had, the new index after it
    assert output.index("rebuilt in") < output.index("search index made again in")
    page.goto(served.url + "search.html?q=zyzzogeton")
    expect(page.locator("#search-results li > a").first).to_have_text("¶ 1 · Introduction")
    assert not [p.name for p in served.root.iterdir() if ".index-" in p.name]  # nothing left beside the site
    save(served.corrections, text)  # and back: the index follows again
    served.wait_for("search index made again in", count=2)
    page.goto(served.url + "search.html?q=zyzzogeton")
    expect(page.locator("#search-status")).to_have_text("No results.")


def test_a_collection_is_rebuilt_in_worker_processes_while_served(tmp_path):
    """Two articles: the whole build sends its articles to worker processes, which must not be sent what only
    serve's threads share (the event that stops a build): a correction is built, the site put in place."""
    root = copy_project(tmp_path, SEED)
    shutil.copy(PROJECT / "tests" / "seeds" / "bursa-petitions.txt", root / "seeds")
    server = Served(root)
    try:
        text = server.corrections.read_text(encoding="utf-8")
        save(server.corrections, re.sub(r"(  - note: 46\n    after: )\"[^\"]*\"", r'\1"protocols of Bureau sessions for 1926."',
                                        text))
        server.wait_for("rebuilt in")
        page = (root / "_site" / SLUG / "index.html").read_text(encoding="utf-8")
        assert re.search(r'<p id="p21"[^>]*>(?:(?!</p>).)*id="noteref-46"', page, re.S)
        assert "Traceback" not in server.output() and "error" not in server.output()
    finally:
        server.stop()


def test_the_site_on_disk_has_no_trace_of_the_reload_channel(served):
    site = served.root / "_site"
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".js", ".css"):
            assert b"__editio__" not in path.read_bytes(), path


def test_ctrl_c_stops_it_cleanly(served):
    assert served.stop() == 0
    assert served.output().rstrip().endswith("stopped")
    with socket.socket() as s:
        s.bind(("127.0.0.1", served.port))  # the port is free again


def test_ctrl_c_stops_it_when_started_ignoring_it(tmp_path):
    """A shell starts a script's background job with SIGINT ignored, and Python keeps it so: serve (and the
    tests' serves, when the tests ran in the background) could then only be killed."""
    server = Served(copy_project(tmp_path, SEED), preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    assert server.stop() == 0
    assert server.output().rstrip().endswith("stopped")
