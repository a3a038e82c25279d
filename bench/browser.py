"""Serving a built site, and what a first search costs in headless Chromium (Playwright).

A probe opens a generator's search page in a new browser context (empty cache), waits until the
network has been idle for half a second, enters a query, and records the time until the first result
is in the page and the bytes of every response before and after the query.
"""
from __future__ import annotations

import contextlib
import gzip
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from generators import Unavailable

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
QUIET = 0.5          # seconds without a request in flight that count as "network idle"
RESULT_TIMEOUT = 15  # seconds to wait for a first result


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def served(site: Path, port: int):
    """`python -m http.server` serving site on 127.0.0.1:port, for the duration of the block."""
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                               "--directory", str(site)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise Unavailable(f"http.server did not start on port {port}")
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.terminate()
        server.wait()


@dataclass(frozen=True)
class SearchBox:
    """How to search a generator's site: where the field is, what runs the query, what a result is."""
    field: str
    submit: str   # the key pressed once the query is in the field
    result: str


# editio's search page runs the query on Enter (or 60 ms after typing stops); Material searches on
# keyup, so any key that leaves the text as it is (End) runs it.
EDITIO = SearchBox(field="#search-q", submit="Enter", result="#search-results li")
MATERIAL = SearchBox(field=".md-search__input", submit="End", result=".md-search-result__item")

# Installed before the key that runs the query: resolves to the milliseconds from that key's keydown
# to the first result in the DOM (null after RESULT_TIMEOUT).
START_CLOCK = """([selector, timeout]) => {
  window.__firstResult = new Promise((resolve) => {
    let start = null;
    const observer = new MutationObserver(() => {
      if (start !== null && document.querySelector(selector)) {
        observer.disconnect();
        resolve(performance.now() - start);
      }
    });
    observer.observe(document.documentElement, { childList: true, subtree: true });
    document.addEventListener("keydown", () => { start = performance.now(); }, { capture: true, once: true });
    setTimeout(() => { observer.disconnect(); resolve(null); }, timeout);
  });
}"""


@dataclass
class Probe:
    query: str
    load_bytes: tuple[int, int]   # (as served, gzip-equivalent) from opening the page to network idle
    query_bytes: tuple[int, int]  # the same from entering the query to the results and network idle
    ms: float                     # keydown of the key that runs the query → first result in the DOM


class Traffic:
    """Requests of a page (its workers' included): how many are in flight, and what they cost."""

    def __init__(self, page):
        self.finished = []
        self.in_flight = 0
        self.last = time.monotonic()
        page.on("request", self._start)
        page.on("requestfinished", self._finish)
        page.on("requestfailed", self._done)

    def _start(self, request):
        self.in_flight += 1
        self.last = time.monotonic()

    def _finish(self, request):
        self.finished.append(request)
        self._done(request)

    def _done(self, request):
        self.in_flight -= 1
        self.last = time.monotonic()

    def settle(self, page) -> None:
        """Wait until no request has been in flight for QUIET seconds."""
        deadline = time.monotonic() + 30
        while self.in_flight > 0 or time.monotonic() - self.last < QUIET:
            if time.monotonic() > deadline:
                raise Unavailable(f"{page.url}: the network did not go idle within 30 s")
            page.wait_for_timeout(50)

    @staticmethod
    def cost(requests) -> tuple[int, int]:
        """Bytes received (headers and bodies, as served) and the same with each body gzipped
        (when that makes it smaller): what a server with compression would send."""
        raw = compressed = 0
        for request in requests:
            sizes = request.sizes()
            headers, body = sizes["responseHeadersSize"], sizes["responseBodySize"]
            raw += headers + body
            if body:  # 0: served from the browser's cache
                compressed += headers + min(body, len(gzip.compress(request.response().body())))
        return raw, compressed


def probe(browser, url: str, box: SearchBox, query: str) -> Probe:
    context = browser.new_context()
    try:
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error).splitlines()[0]))
        traffic = Traffic(page)
        page.goto(url)
        traffic.settle(page)
        opened = len(traffic.finished)
        page.focus(box.field)  # Material searches shortly after focus: let that pass with the field empty
        page.wait_for_timeout(100)
        # The query set without an input event: typed, editio's page would run it 60 ms later by itself (and
        # fetch its index meanwhile), before the key below; this times the search the key runs.
        page.eval_on_selector(box.field, "(field, value) => { field.value = value; }", query)
        page.evaluate(START_CLOCK, [box.result, RESULT_TIMEOUT * 1000])
        if page.locator(box.result).count():
            raise Unavailable(f"{url}: results for {query!r} appeared before the query was run")
        page.press(box.field, box.submit)
        ms = page.evaluate("window.__firstResult")
        if ms is None:
            raise Unavailable(f"{url}: no result for {query!r} within {RESULT_TIMEOUT} s"
                              + (f" (page error: {errors[0]})" if errors else ""))
        traffic.settle(page)
        return Probe(query, Traffic.cost(traffic.finished[:opened]), Traffic.cost(traffic.finished[opened:]), ms)
    finally:
        context.close()


@contextlib.contextmanager
def chromium():
    """Headless Chromium driven by Playwright, or Unavailable saying what is missing."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError as exc:
        raise Unavailable("Playwright is not installed in this venv (pip install -e '.[test]')") from exc
    if not Path(CHROMIUM).exists():
        raise Unavailable(f"no {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Error as exc:
            raise Unavailable(f"Chromium did not start: {exc}") from exc
        try:
            yield browser
        finally:
            browser.close()


# Installed before typing: resolves to the milliseconds from the last keydown to the first result of the query
# as typed in full (the page writes its query into the address), or null after RESULT_TIMEOUT.
TYPED_CLOCK = """([selector, query, timeout]) => {
  window.__typed = new Promise((resolve) => {
    let last = null;
    document.addEventListener("keydown", () => { last = performance.now(); }, { capture: true });
    const done = () => last !== null && document.querySelector(selector)
      && new URLSearchParams(location.search).get("q") === query;
    const observer = new MutationObserver(() => { if (done()) { observer.disconnect(); resolve(performance.now() - last); } });
    observer.observe(document.documentElement, { childList: true, subtree: true, characterData: true });
    setTimeout(() => { observer.disconnect(); resolve(null); }, timeout);
  });
}"""


@dataclass
class Typed:
    query: str
    bytes: tuple[int, int]  # (as served, gzip-equivalent) from opening the page to the first results
    requests: int           # requests from opening the page to the first results (network idle after)
    ms: float               # last keystroke → first results of the query as typed


def typed(browser, url: str, query: str, delay: float = 40) -> Typed:
    """A reader's first search on editio's search page: the page opened in a new context (empty cache), the
    query typed a key every `delay` ms (no Enter: the page searches when typing stops), until its results."""
    context = browser.new_context()
    try:
        page = context.new_page()
        traffic = Traffic(page)
        page.goto(url + "search.html")
        traffic.settle(page)
        page.evaluate(TYPED_CLOCK, [EDITIO.result, query, RESULT_TIMEOUT * 1000])
        page.type(EDITIO.field, query, delay=delay)
        ms = page.evaluate("window.__typed")
        if ms is None:
            raise Unavailable(f"{url}: no result for {query!r} within {RESULT_TIMEOUT} s")
        traffic.settle(page)
        return Typed(query, Traffic.cost(traffic.finished), len(traffic.finished), ms)
    finally:
        context.close()
