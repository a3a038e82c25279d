"""Serve: the site on 127.0.0.1, rebuilt as its sources change, the open pages reloaded.

`build.py serve` builds, then serves the site (one thread per request) while this module watches
seeds/, edition/*/corrections.yaml, templates/ and static/ (watchfiles). A change is rebuilt in the warm
process in two steps. First the pages a reader has open: each open article from the first stage the
change touches (its extracted text kept in memory while its seed is unchanged), served from memory
before the files on disk, and the open pages are told to reload. Then the whole build, as on the
command line, which swaps the site and lets go of the pages held in memory. A failed rebuild leaves the
last good site served and sends its problems to the open pages, which show them over the text (the
same words as on the command line) until the next good build.

Only pages served here carry the reload script, added to each HTML response as it is sent: the site on
disk, and the published site, have no trace of it.
"""
from __future__ import annotations

import copy
import functools
import hashlib
import http.server
import json
import queue
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from . import extract, render
from .problems import EditionError, Problem

CHANNEL = "/__editio__/"
"""Where the reload script and its event stream are served (never a path of the site)."""
STEP = 10
"""Milliseconds without a further change before a batch of changes is rebuilt (an editor's save
pattern, a temporary file renamed over the old, comes as one batch; saves that change nothing more
build nothing)."""
QUIET = 0.1
"""Seconds without a further change before the whole site is built (saves in quick succession: one build)."""
SETTLE = 0.3
"""Seconds the whole build waits, after the open pages were told to reload, for them to be fetched (so
that a reader sees the change before the rest of the site is rebuilt)."""

LIVE_JS = """// Reload when the site is rebuilt, keeping the place; show the problems of a failed rebuild.
(function () {
  "use strict";
  var key = "editio-scroll:" + location.pathname, saved = sessionStorage.getItem(key), box = null;
  if (saved !== null) { sessionStorage.removeItem(key); scrollTo(0, +saved); }
  var events = new EventSource("/__editio__/events?page=" + encodeURIComponent(location.pathname));
  events.addEventListener("reload", function () {
    sessionStorage.setItem(key, String(scrollY));
    location.reload();
  });
  events.addEventListener("problems", function (e) {
    var problems = JSON.parse(e.data);
    if (box) box.remove();
    box = null;
    if (!problems.length) return;
    box = document.createElement("div");
    box.className = "editio-problems";
    box.setAttribute("role", "alert");
    var h = document.createElement("p");
    h.textContent = "The last change was not built: the page shows the last good build.";
    var list = document.createElement("ul");
    problems.forEach(function (p) {
      var li = document.createElement("li");
      li.textContent = p;
      list.appendChild(li);
    });
    box.append(h, list);
    document.body.appendChild(box);
  });
})();
"""
LIVE_CSS = (".editio-problems{position:fixed;left:1rem;right:1rem;bottom:1rem;z-index:99;max-height:45vh;overflow:auto;"
            "background:#fff4f2;color:#3b0a00;border:2px solid #b3261e;border-radius:6px;padding:.6rem 1rem;"
            "font:.9rem/1.45 ui-monospace,monospace;box-shadow:0 6px 24px rgb(0 0 0/.25)}"
            ".editio-problems ul{margin:.3rem 0 0;padding-left:1.2rem}")
INJECT = (f'<link rel="stylesheet" href="{CHANNEL}live.css"><script src="{CHANNEL}live.js" defer></script>'
          .encode("utf-8"))


@dataclass
class Live:
    """What the server threads share with the builder."""

    site: Path
    """The site's folder on disk."""
    pages: dict[str, bytes] = field(default_factory=dict)
    """Pages newer than the site on disk, by path (served before the files)."""
    problems: list[str] = field(default_factory=list)
    """The problems of the last rebuild, if it failed."""
    open_pages: dict[int, str] = field(default_factory=dict)
    """Pages open in a browser (by their event stream), by path."""
    version: int = 0
    """Counts the events sent (each stream waits for the next)."""
    fetched: int = 0
    """Counts the pages served (the builder waits for the reloaded ones)."""
    event: tuple[str, str] = ("problems", "[]")
    """The last event: (name, data)."""
    lock: threading.Condition = field(default_factory=threading.Condition)

    def send(self, name: str, data: str = "") -> None:
        with self.lock:
            self.version += 1
            self.event = (name, data)
            self.lock.notify_all()


class Handler(http.server.SimpleHTTPRequestHandler):
    """The site's files, the pages held in memory first, HTML with the reload script; the channel."""

    live: Live

    def log_message(self, *args):
        pass

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")  # a reload always fetches the rebuilt page
        super().end_headers()

    def do_GET(self):
        url = urlsplit(self.path)
        if url.path == CHANNEL + "events":
            return self._events(parse_qs(url.query).get("page", ["/"])[0])
        if url.path in (CHANNEL + "live.js", CHANNEL + "live.css"):
            body, kind = (LIVE_JS, "text/javascript") if url.path.endswith(".js") else (LIVE_CSS, "text/css")
            return self._send(body.encode("utf-8"), kind)
        file = Path(self.translate_path(url.path))  # inside the site, whatever the path says
        if url.path.endswith("/"):
            file = file / "index.html"
        try:
            page = file.relative_to(self.live.site.resolve()).as_posix()
        except ValueError:
            return super().do_GET()
        with self.live.lock:
            held = self.live.pages.get(page)
        if held is None and page.endswith(".html") and file.is_file():
            held = file.read_bytes()
        if held is None:
            return super().do_GET()
        if page.endswith(".html"):
            held = held.replace(b"</head>", INJECT + b"</head>", 1)
        self._send(held, self.guess_type(page))
        if page.endswith(".html"):
            with self.live.lock:
                self.live.fetched += 1
                self.live.lock.notify_all()

    def _send(self, body: bytes, kind: str):
        self.send_response(200)
        self.send_header("Content-Type", kind + ("; charset=utf-8" if kind.startswith("text/") else ""))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _events(self, page: str):
        live = self.live
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        me = id(self)
        with live.lock:
            live.open_pages[me] = page_path(page)
            seen, (name, data) = live.version, ("problems", json.dumps(live.problems))
        try:
            self._event(name, data)
            while True:
                with live.lock:
                    live.lock.wait_for(lambda: live.version != seen, timeout=15)
                    changed, seen, (name, data) = live.version != seen, live.version, live.event
                if changed:
                    self._event(name, data)
                else:
                    self.wfile.write(b": still here\n\n")
                    self.wfile.flush()
        except OSError:  # the page was closed
            pass
        finally:
            with live.lock:
                live.open_pages.pop(me, None)

    def _event(self, name: str, data: str):
        self.wfile.write(f"event: {name}\ndata: {data}\n\n".encode("utf-8"))
        self.wfile.flush()


def page_path(path: str) -> str:
    """A request's path as a file of the site ('/a/' -> 'a/index.html')."""
    path = unquote(path).lstrip("/")
    return path + "index.html" if not path or path.endswith("/") else path


@dataclass
class Change:
    """What a batch of file changes touches."""

    seeds: set[str] = field(default_factory=set)
    """Articles whose seed changed (by slug)."""
    corrections: set[str] = field(default_factory=set)
    """Articles whose corrections changed (by slug)."""
    templates: bool = False
    """Whether a template changed (every page is rendered again)."""
    static: bool = False
    """Whether a static file changed (copied again)."""


def classify(paths, job) -> Change:
    """What the changed paths touch in the build of job."""
    change, project = Change(), job.project
    seeds = {w.seed.resolve(): w.slug for w in job.works}
    for raw in paths:
        path = Path(raw)
        if path.resolve() in seeds:
            change.seeds.add(seeds[path.resolve()])
        elif path.name == "corrections.yaml" and path.parent.parent.resolve() == job.edition_dir.resolve():
            change.corrections.add(path.parent.name)
        elif project / "templates" in path.parents:
            change.templates = True
        elif project / "static" in path.parents:
            change.static = True
    return change


class Builder:
    """Rebuilds in the warm process: the open pages at once, the whole site when the files are quiet."""

    def __init__(self, make_job, build_site, article_stages, live: Live):
        self.make_job, self.build_site, self.article_stages, self.live = make_job, build_site, article_stages, live
        self.extracted: dict[str, tuple[str, object, object]] = {}
        """Slug -> (digest of its seed, the edition and report as extracted): kept while the seed is unchanged."""
        self.inputs = ""
        """Digest of the files the site on disk was built from ('' after a failure: build again)."""
        self.previewed: dict[str, bytes] = {}
        """The pages the open pages were reloaded with since the last build."""

    def digest(self, job) -> str:
        """What the site is made from, so that a save that changes nothing builds nothing."""
        h = hashlib.sha256()
        for path in sorted(p for folder in ("templates", "static") for p in (job.project / folder).rglob("*")
                           if p.is_file()) + [w.seed for w in job.works] + [
                job.edition_dir / w.slug / "corrections.yaml" for w in job.works]:
            h.update(str(path).encode())
            h.update(path.read_bytes() if path.is_file() else b"-")
        return h.hexdigest()

    def preview(self, paths) -> None:
        """The open articles' pages, from the first stage the change touches, served from memory; the
        open pages reloaded with them. A failure is shown at once over the open pages."""
        try:
            job = self.make_job()
            change = classify(paths, job)
            with self.live.lock:
                open_slugs = {p.split("/", 1)[0] for p in self.live.open_pages.values() if "/" in p}
            touched = (open_slugs if change.templates or change.static
                       else (change.seeds | change.corrections) & open_slugs)
            pages: dict[str, bytes] = {}
            for work in job.works:
                if work.slug in touched:
                    pages.update(self._article_pages(job, work))
        except EditionError as exc:
            self._failed(exc)
            return
        if change.static:
            static = job.project / "static"
            pages.update({f"static/{p.relative_to(static).as_posix()}": render.static_file(p)
                          for p in static.rglob("*") if p.is_file()})
        if not pages:
            return
        with self.live.lock:
            self.live.pages = pages
            self.live.problems = []
            fetched = self.live.fetched
        self.previewed.update(pages)
        self.live.send("reload")
        with self.live.lock:  # the reader sees the change before the rest of the site is rebuilt
            self.live.lock.wait_for(lambda: self.live.fetched > fetched, timeout=SETTLE)

    def build(self) -> tuple[bool, float]:
        """The whole site, swapped in; (whether anything was built, seconds taken)."""
        started = time.perf_counter()
        try:
            job = self.make_job()
            inputs = self.digest(job)
            if inputs == self.inputs:
                return False, 0.0
            self.build_site(job)
        except EditionError as exc:
            self._failed(exc)
            return True, time.perf_counter() - started
        self.inputs = inputs
        with self.live.lock:
            stale = any(not (self.live.site / p).is_file() or (self.live.site / p).read_bytes() != body
                        for p, body in self.previewed.items())
            had_problems = bool(self.live.problems)
            self.live.pages.clear()
            self.live.problems = []
        if stale or had_problems or not self.previewed:
            self.live.send("reload")
        self.previewed = {}
        return True, time.perf_counter() - started

    def _failed(self, exc: EditionError) -> None:
        with self.live.lock:
            self.live.pages.clear()
            self.live.problems = [str(p) for p in exc.problems]
        self.live.send("problems", json.dumps(self.live.problems))
        self.inputs = ""  # the same files again are built again: the editor may be fixing something else
        self.previewed = {}

    def _article_pages(self, job, work) -> dict[str, bytes]:
        seed = work.seed.read_bytes()
        digest = hashlib.sha256(seed).hexdigest()
        if self.extracted.get(work.slug, ("",))[0] != digest:
            edition, report = extract.extract(work.seed, work.label)
            self.extracted[work.slug] = (digest, edition, report)
        _, edition, report = self.extracted[work.slug]
        work = replace(work, edition=copy.deepcopy(edition), report=copy.deepcopy(report))
        one = replace(job, works=[work], files={})
        start = self.article_stages.index(extract.stage) + 1
        for stage in self.article_stages[start:self.article_stages.index(render.stage) + 1]:
            one = stage(one)
        prefix = f"{work.slug}/"
        return {path: body.encode("utf-8") if isinstance(body, str) else body
                for path, body in one.files.items() if path.startswith(prefix) and "/" not in path[len(prefix):]}


def serve(make_job, build_site, article_stages, problems: list[Problem], port: int, log=print) -> None:
    """Serve the site of make_job() on 127.0.0.1:port, rebuilt with build_site(job) on every change of its
    sources, until Ctrl-C; problems: those of the first build, if it failed."""
    import watchfiles  # only when serving

    job = make_job()
    live = Live(job.site_dir, problems=[str(p) for p in problems])
    handler = type("LiveHandler", (Handler,), {"live": live})
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port),
                                                 functools.partial(handler, directory=str(job.site_dir)))
    except OSError as exc:
        raise EditionError([Problem(f"127.0.0.1:{port}", 0, "cannot serve the site there",
                                    exc.strerror or str(exc), "choose another port with --port N")]) from None
    server.daemon_threads = True
    builder = Builder(make_job, build_site, article_stages, live)
    builder.inputs = "" if problems else builder.digest(job)
    watched = sorted({w.seed.parent for w in job.works} | {job.edition_dir} |
                     {job.project / "templates", job.project / "static"})
    stop, batches = threading.Event(), queue.Queue()

    def watch():
        for changes in watchfiles.watch(*watched, step=STEP, stop_event=stop, watch_filter=_sources):
            batches.put({path for _, path in changes})

    threading.Thread(target=server.serve_forever, daemon=True).start()
    threading.Thread(target=watch, daemon=True).start()
    log(f"serving {job.site_dir} at http://127.0.0.1:{server.server_address[1]}/; rebuilt on every change of "
        f"{', '.join(str(p) for p in watched)} (Ctrl-C to stop)")
    try:
        while True:
            try:
                paths = batches.get(timeout=0.5)  # wakes now and then, so that Ctrl-C is heard
            except queue.Empty:
                continue
            builder.preview(paths)
            while True:  # saves in quick succession: each shown, one build when they stop
                try:
                    more = batches.get(timeout=QUIET)
                except queue.Empty:
                    break
                builder.preview(more)
            built, seconds = builder.build()
            if built:
                log(f"rebuilt in {seconds:.2f} s" + (f": {len(live.problems)} problem(s)" if live.problems else ""))
                for problem in live.problems:
                    log(f"error: {problem}")
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
        log("stopped")


def _sources(_, path: str) -> bool:
    """Not an editor's backup, lock or swap file."""
    name = Path(path).name
    return not name.startswith((".", "#")) and not name.endswith(("~", ".swp", ".tmp"))
