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

import faulthandler
import functools
import hashlib
import http.server
import json
import os
import pickle
import queue
import re
import secrets
import shutil
import signal
import tempfile
import threading
import time
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, unquote_to_bytes, urlsplit

from . import corrections, edit, extract, render, search
from .job import Cancelled
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
  // The place is what is read (the first element with an id at the top of the window, and how far down it
  // stands), not a distance from the top: parts of a page laid out only near the screen have no height yet.
  var key = "editio-scroll:" + location.pathname, saved = sessionStorage.getItem(key), box = null;
  history.scrollRestoration = "manual";  // the browser's own would put back the distance from the top
  if (saved !== null) {
    sessionStorage.removeItem(key);
    var kept = JSON.parse(saved), read = kept.id && document.getElementById(kept.id);
    if (!read) scrollTo(0, kept.y);
    else (function settle(frames) {  // what is laid out on the way may move it again: a few frames to settle
      scrollBy(0, read.getBoundingClientRect().top - kept.top);
      if (frames) requestAnimationFrame(function () { settle(frames - 1); });
    })(5);
  }
  var events = new EventSource("/__editio__/events?page=" + encodeURIComponent(location.pathname));
  function place() {
    var read = [].find.call(document.querySelectorAll("main [id]"), function (e) {
      return e.getBoundingClientRect().top >= 0;
    });
    return { y: scrollY, id: read ? read.id : "", top: read ? read.getBoundingClientRect().top : 0 };
  }
  function reload() {
    sessionStorage.setItem(key, JSON.stringify(place()));
    location.reload();
  }
  // An article's text changed (not its templates): the page fetched and its own parts replaced where they
  // stand, in the page as it is (no new page to load, lay out and paint from the start). A page of another
  // shape, or in edit mode (which keeps its own state), is reloaded.
  function update() {
    var at = place();
    fetch(location.href, { cache: "no-store" }).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.text();
    }).then(function (text) {
      var next = new DOMParser().parseFromString(text, "text/html"), kids = next.body.children;
      var mine = document.body.children, same = document.body.className === next.body.className &&
        !document.body.classList.contains("editio-editing") && mine.length >= kids.length &&
        [].every.call(kids, function (k, i) { return k.tagName === mine[i].tagName; });
      if (!same) return reload();
      document.title = next.title;
      [].slice.call(kids).forEach(function (k, i) {
        if (k.outerHTML !== mine[i].outerHTML) mine[i].replaceWith(document.adoptNode(k));
      });
      if (box) box.remove();  // built: the problems of the build before are gone
      box = null;
      document.dispatchEvent(new Event("editio:replaced"));
      var read = at.id && document.getElementById(at.id);
      if (read) scrollBy(0, read.getBoundingClientRect().top - at.top);
    }).catch(reload);
  }
  events.addEventListener("reload", function (e) {
    if (e.data === "article") update(); else reload();
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
EDIT_FILES = {CHANNEL + "edit.js": ("edit.js", "text/javascript"), CHANNEL + "edit.css": ("edit.css", "text/css")}
"""The edit mode's script and style (editio/edit.js, edit.css), served here only."""


def inject(secret: str) -> bytes:
    """What every HTML page served here gets before </head>: the reload script, and the edit mode with this
    run's secret (the only way a page of another site could not learn it)."""
    return (f'<meta name="editio-secret" content="{secret}">'
            f'<link rel="stylesheet" href="{CHANNEL}live.css"><script src="{CHANNEL}live.js" defer></script>'
            f'<link rel="stylesheet" href="{CHANNEL}edit.css"><script src="{CHANNEL}edit.js" defer></script>'
            ).encode("utf-8")


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
    secret: str = ""
    """Made for this run; the edit mode's requests must carry it."""
    port: int = 0
    """The port served on (the Host and Origin a request to write must name)."""
    editor: edit.Editor | None = None
    """The edit mode's writes and state."""

    def send(self, name: str, data: str = "") -> None:
        with self.lock:
            self.version += 1
            self.event = (name, data)
            self.lock.notify_all()


MAX_REQUEST_LINE = 8192
"""Bytes a request line may have: a longer one is answered 414 (browsers and servers keep to about 8 KB)."""


class Handler(http.server.SimpleHTTPRequestHandler):
    """The site's files, the pages held in memory first, HTML with the reload script; the channel.

    Whatever a request says, the answer is an HTTP response (a 4xx for a malformed request, a 500 for a
    fault of ours) and nothing is printed; no file outside the site's folder is ever served."""

    live: Live
    default_request_version = "HTTP/1.0"  # so that an answer to a line too broken to name a version has a status line
    head_only = False
    """Whether the request is a HEAD: GET's answer without its body."""
    replied = False
    """Whether the response's headers have gone out (after which an error can only close the connection)."""

    def log_message(self, *args):
        pass

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")  # a reload always fetches the rebuilt page
        self.replied = True
        super().end_headers()

    def handle_one_request(self):
        self.head_only = self.replied = False
        try:
            super().handle_one_request()
        except ConnectionError:  # the client went away: there is no one to answer
            self.close_connection = True
        except Exception as exc:  # a fault of ours: the client is told, the server goes on, the console stays quiet
            self.close_connection = True
            self.log_error("%r answering %r", exc, getattr(self, "requestline", ""))
            if not self.replied:
                self._headers_buffer = []  # a half-made response is dropped for the 500
                # send_error reads these, which a request that failed early has not set
                self.command, self.requestline = getattr(self, "command", None), getattr(self, "requestline", "")
                try:
                    self.send_error(HTTPStatus.INTERNAL_SERVER_ERROR)
                except Exception:  # the connection is gone too: closing it is all there is left
                    pass

    def parse_request(self):
        if len(self.raw_requestline) > MAX_REQUEST_LINE:
            self.command, self.requestline, self.close_connection = None, "", True  # as the standard 64 KB refusal
            self.send_error(HTTPStatus.REQUEST_URI_TOO_LONG)
            return False
        if not super().parse_request():
            return False
        if len(self.requestline.split()) < 3:  # HTTP/0.9's "GET /", whose answer would have no status line
            self.send_error(HTTPStatus.BAD_REQUEST, "No HTTP version in the request line")
            return False
        if http_version(self.request_version) < (1, 0):
            self.send_error(HTTPStatus.HTTP_VERSION_NOT_SUPPORTED)
            return False
        return True

    def send_error(self, code, message=None, explain=None):
        if getattr(self, "request_version", "HTTP/0.9") == "HTTP/0.9":  # an HTTP/0.9 answer has no status line
            self.request_version = self.default_request_version
        super().send_error(code, message, explain)

    def do_HEAD(self):
        self.head_only = True
        self.do_GET()

    def do_GET(self):
        target = self._target()
        if target is None:
            return
        path, query = target
        if path == CHANNEL + "events":
            return self._events(parse_qs(query).get("page", ["/"])[0])
        if path in (CHANNEL + "live.js", CHANNEL + "live.css"):
            body, kind = (LIVE_JS, "text/javascript") if path.endswith(".js") else (LIVE_CSS, "text/css")
            return self._send(body.encode("utf-8"), kind)
        if path in EDIT_FILES:
            name, kind = EDIT_FILES[path]
            return self._send((Path(edit.__file__).parent / name).read_bytes(), kind)
        if path == CHANNEL + "edit/state":
            return self._edit_state(parse_qs(query).get("slug", [""])[0])
        root = os.path.realpath(self.directory)
        files = [site_file(root, name) for name in served_names(path)]
        if None in files:
            return self.send_error(HTTPStatus.NOT_FOUND, "File not found")
        file = files[0]
        page = os.path.relpath(file, root).replace(os.sep, "/")
        with self.live.lock:
            held = self.live.pages.get(page)
        if held is None and page.endswith(".html"):
            held = file_bytes(file)
        if held is None:  # checked above: the file the standard handler finds for self.path is inside the site
            return super().do_HEAD() if self.head_only else super().do_GET()
        if page.endswith(".html"):
            held = held.replace(b"</head>", inject(self.live.secret) + b"</head>", 1)
        self._send(held, self.guess_type(page))
        if page.endswith(".html") and not self.head_only:
            with self.live.lock:
                self.live.fetched += 1
                self.live.lock.notify_all()

    def do_POST(self):
        target = self._target()
        if target is None:
            return
        if target[0] != CHANNEL + "edit":
            return self.send_error(HTTPStatus.METHOD_NOT_ALLOWED, "Only the edit mode writes")
        why = edit.allowed("POST", self.headers, self.live.secret, self.live.port)
        if why:
            return self._json(HTTPStatus.FORBIDDEN, {"why": why})
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            return self._json(HTTPStatus.LENGTH_REQUIRED, {"why": "say how long the request is"})
        if not 0 < length <= edit.MAX_BODY:
            return self._json(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"why": "the request is empty or too long"})
        try:
            request = json.loads(self.rfile.read(length).decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return self._json(HTTPStatus.BAD_REQUEST, {"why": "the request is not JSON"})
        if not isinstance(request, dict):
            return self._json(HTTPStatus.BAD_REQUEST, {"why": "the request is not an object"})
        with self.live.lock:  # one write at a time: each is checked against the file as it is
            try:
                result = self.live.editor.write(request)
            except edit.Refused as exc:
                return self._json(exc.status, {"why": exc.why})
        self._json(HTTPStatus.OK, result)

    def _edit_state(self, slug: str):
        if self.headers.get("Host", "") not in {f"127.0.0.1:{self.live.port}", f"localhost:{self.live.port}"} or \
                self.headers.get("X-Editio-Secret", "") != self.live.secret or self.live.editor is None:
            return self._json(HTTPStatus.FORBIDDEN, {"why": "only this server's pages may ask"})
        try:
            return self._json(HTTPStatus.OK, self.live.editor.state(slug))
        except edit.Refused as exc:
            return self._json(exc.status, {"why": exc.why})

    def _json(self, status: int, data: dict):
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _target(self) -> tuple[str, str] | None:
        """The request's path (decoded, without empty or '.' segments) and its query; None, once a 400 is
        sent, when the path is not one. self.path becomes that path, so that the standard handler finds
        the very file checked here."""
        target = decoded_target(self.path)
        if target is None:
            self.send_error(HTTPStatus.BAD_REQUEST, "Bad request path")
            return None
        path, query = plain_path(target[0]), target[1]
        self.path = quote(path) + (f"?{query}" if query else "")
        return path, query

    def _send(self, body: bytes, kind: str):
        self.send_response(200)
        self.send_header("Content-Type", kind + ("; charset=utf-8" if kind.startswith("text/") else ""))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not self.head_only:
            self.wfile.write(body)

    def _events(self, page: str):
        live = self.live
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        if self.head_only:  # no page is opened by asking what its stream would be
            return
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


def decoded_target(target: str) -> tuple[str, str] | None:
    """A request target's path, percent-decoded as UTF-8, and its query; None when the path is not text
    (bytes that are not UTF-8) or holds a control character (NUL, CR, LF...), which no file of a site has."""
    try:
        url = urlsplit(target)
        path = unquote_to_bytes(url.path.encode("latin-1")).decode("utf-8")  # the request line was read as latin-1
    except (ValueError, UnicodeError):  # ValueError: also urlsplit's broken '[host]'
        return None
    if any(c < " " or c == "\x7f" for c in path):
        return None
    return path, url.query


def plain_path(path: str) -> str:
    """path without its empty and '.' segments, from one slash (a redirect to it is never read as '//host'),
    its trailing slash kept."""
    parts = [part for part in path.split("/") if part not in ("", ".")]
    return "/" + "/".join(parts) + ("/" if parts and path.endswith("/") else "")


def served_names(path: str) -> list[str]:
    """The paths the standard handler may answer path with: a folder's index pages, or the path itself
    (the first is the page the request names)."""
    return [path + "index.html", path + "index.htm"] if path.endswith("/") else [path]


def site_file(root: str, path: str) -> str | None:
    """The file under root (resolved) that a request's decoded path names, links followed; None when the
    path climbs ('..' between either slash: a backslash is a separator somewhere) or a link leads out of root."""
    if ".." in re.split(r"[/\\]", path):
        return None
    file = os.path.realpath(os.path.join(root, *path.split("/")))  # realpath does not raise on loops or long names
    return file if file == root or file.startswith(root + os.sep) else None


def file_bytes(file: str) -> bytes | None:
    """The bytes of a file, None when it is not one that can be read (a folder, a name too long...)."""
    try:
        return Path(file).read_bytes() if os.path.isfile(file) else None
    except OSError:
        return None


def http_version(version: str) -> tuple[int, int]:
    """'HTTP/1.1' -> (1, 1); the standard parser has checked the form."""
    major, minor = version.removeprefix("HTTP/").split(".")
    return int(major), int(minor)


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


class Server(http.server.ThreadingHTTPServer):
    """serve's server: a thread for each request; connections waiting to be taken up queue in the hundreds, not
    socketserver's 5 (past which the system drops them and a browser retries a second or more later)."""

    daemon_threads = True
    request_queue_size = 128


class Reindexer:
    """The search index made again after a build put the pages in place with the old one (Job.index_later),
    in a thread of its own: one Pagefind run at a time; a request made while one runs waits for it and is then
    made from the newest build; an index made from records a newer build has replaced is thrown away. The
    new index is swapped in under the builder's lock, never while a build puts a site in place."""

    def __init__(self, lock: threading.Lock, log):
        self.lock, self.log = lock, log
        self.wanted = None
        self.process = None
        self.stopped = False
        self.changed = threading.Condition()
        threading.Thread(target=self._loop, daemon=True).start()

    def request(self, job) -> None:
        with self.changed:
            self.wanted = job
            self.changed.notify()

    def stop(self) -> None:
        """No other run; the one under way (a process group of its own) killed."""
        with self.changed:
            self.stopped, self.wanted = True, None
            self.changed.notify()
            process = self.process
        _kill(process)

    def _started(self, process) -> None:
        """Told of each Pagefind process a run starts (a large collection is indexed in several): one started
        after stop() is killed at once."""
        with self.changed:
            self.process = process
            stopped = self.stopped
        if stopped:
            _kill(process)

    def _loop(self) -> None:
        while True:
            with self.changed:
                self.changed.wait_for(lambda: self.wanted is not None or self.stopped)
                if self.stopped:
                    return
                job, self.wanted = self.wanted, None
            started = time.perf_counter()
            try:
                made = search.remake(job, self._started)
            except EditionError as exc:
                if not self.stopped:
                    self.log(f"error: the search index was not made again: {exc.problems[0]}")
                continue
            except Exception as exc:  # a fault of the indexing itself: said; the site keeps its index
                self.log(f"error: the search index was not made again ({type(exc).__name__}: {exc}); please "
                         "report this")
                continue
            with self.changed:
                self.process = None
                superseded = self.wanted is not None or self.stopped
            if superseded:
                shutil.rmtree(made, ignore_errors=True)
                continue
            with self.lock:
                search.swap_in(made, job.site_dir)
            self.log(f"search index made again in {time.perf_counter() - started:.2f} s")


def _kill(process) -> None:
    if process is not None and process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


class Builder:
    """Rebuilds in the warm process: the open pages at once, the whole site when the files are quiet (its
    search index after it, in the background)."""

    def __init__(self, make_job, build_site, article_stages, live: Live, log=print):
        self.make_job, self.build_site, self.article_stages, self.live = make_job, build_site, article_stages, live
        self.committing = threading.Lock()
        """Held while a build puts its site in place, and while a new search index is swapped in."""
        self.reindexer = Reindexer(self.committing, log)
        self.extracted: dict[str, tuple[str, bytes]] = {}
        """Slug -> (digest of its seed, the edition and report as extracted, pickled): kept while the seed is
        unchanged."""
        self.inputs = ""
        """Digest of the files the site on disk was built from ('' after a failure: build again)."""
        self.previewed: dict[str, bytes] = {}
        """The pages the open pages were reloaded with since the last build."""
        self.links: dict = {}
        """The links of each article's notes, kept across previews (Job.link_memo)."""
        self.previews = 0
        """How many previews were made: a build that ends after a newer preview leaves its pages served."""

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
        """The pages of the articles whose seed or corrections changed (of every open article, after a
        template changed), from the first stage the change touches, served from memory until the whole
        site is rebuilt; the open pages reloaded with them. A failure is shown at once over the open pages."""
        try:
            job = self.make_job()
            change = classify(paths, job)
            with self.live.lock:
                open_slugs = {p.split("/", 1)[0] for p in self.live.open_pages.values() if "/" in p}
            touched = open_slugs if change.templates or change.static else change.seeds | change.corrections
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
            self.previews += 1
        self.previewed.update(pages)
        if not (touched & open_slugs or change.static):
            return
        # Corrections change the articles' text only: the open pages put it in place of theirs.
        only_text = not (change.templates or change.static or change.seeds)
        self.live.send("reload", "article" if only_text else "page")
        with self.live.lock:  # the reader sees the change before the rest of the site is rebuilt
            self.live.lock.wait_for(lambda: self.live.fetched > fetched, timeout=SETTLE)

    def build(self, stop: threading.Event | None = None) -> tuple[bool, float]:
        """The whole site, swapped in; (whether anything was built, seconds taken). stop: set when the files
        change again, which stops the build before its next stage (nothing built)."""
        started = time.perf_counter()
        with self.live.lock:
            previews = self.previews
        try:
            job = replace(self.make_job(), index_later=True, stop=stop)
            inputs = self.digest(job)
            if inputs == self.inputs:
                return False, 0.0
            with self.committing:
                self.build_site(job)
            if job.index_pending:
                self.reindexer.request(job)
        except Cancelled:
            return False, 0.0
        except EditionError as exc:
            self._failed(exc)
            return True, time.perf_counter() - started
        self.inputs = inputs
        with self.live.lock:
            if self.previews != previews:  # the open pages show a newer change: the next build brings it
                return True, time.perf_counter() - started
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

    def _extracted(self, work):
        """A copy of the work with its edition and report as extracted (kept while its seed is unchanged)."""
        seed = work.seed.read_bytes()
        digest = hashlib.sha256(seed).hexdigest()
        if self.extracted.get(work.slug, ("",))[0] != digest:
            # Kept pickled: a copy is then made in a third of the time deepcopy takes (the later stages change it).
            extracted = extract.extract(work.seed, work.label)
            self.extracted[work.slug] = (digest, pickle.dumps(extracted, pickle.HIGHEST_PROTOCOL))
        edition, report = pickle.loads(self.extracted[work.slug][1])
        return replace(work, edition=edition, report=report)

    def checked(self, slug: str, text: str | None):
        """The article's (edition, report) with the corrections of text (None: its corrections.yaml as it is),
        through the stages check runs before rendering; EditionError with their problems."""
        job = self.make_job()
        work = next((w for w in job.works if w.slug == slug), None)
        if work is None:
            raise KeyError(slug)
        work = self._extracted(work)
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / slug
            folder.mkdir()
            current = job.edition_dir / slug / corrections.FILE
            if text is None and current.is_file():
                text = current.read_text(encoding="utf-8")
            if text is not None:
                (folder / corrections.FILE).write_text(text, encoding="utf-8")
            one = replace(job, works=[work], files={}, edition_dir=Path(tmp), strict=False)
            start = self.article_stages.index(extract.stage) + 1
            for stage in self.article_stages[start:self.article_stages.index(render.stage)]:
                one = stage(one)
        return one.works[0].edition, one.works[0].report

    def _article_pages(self, job, work) -> dict[str, bytes]:
        work = self._extracted(work)
        one = replace(job, works=[work], files={}, link_memo=self.links)
        start = self.article_stages.index(extract.stage) + 1
        for stage in self.article_stages[start:self.article_stages.index(render.stage) + 1]:
            one = stage(one)
        prefix = f"{work.slug}/"
        return {path: body.encode("utf-8") if isinstance(body, str) else body
                for path, body in one.files.items() if path.startswith(prefix) and "/" not in path[len(prefix):]}


class Builds:
    """The whole site built in a thread of its own, so that a save is shown in the open pages at once even
    while the build of the save before runs (and that build is stopped at its next stage: see Builder.build)."""

    def __init__(self, builder: Builder, log):
        self.builder, self.log = builder, log
        self.wanted, self.stop, self.closing = threading.Event(), threading.Event(), False
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def request(self) -> None:
        self.wanted.set()

    def cancel(self) -> None:
        """The build under way, if any, is of files that have changed again: stop it."""
        self.stop.set()

    def close(self) -> None:
        """Stop the build under way and wait for it (a site is never left half put in place)."""
        self.closing = True
        self.stop.set()
        self.wanted.set()
        self.thread.join(60)

    def _loop(self) -> None:
        while True:
            self.wanted.wait()
            if self.closing:
                return
            self.wanted.clear()
            self.stop.clear()
            try:
                built, seconds = self.builder.build(self.stop)
            except Exception as exc:  # a fault of the build itself: said, and serve goes on with the last site
                self.log(f"error: the rebuild failed ({type(exc).__name__}: {exc}); the last good site is served; "
                         "please report this")
                continue
            if built:
                problems = self.builder.live.problems
                self.log(f"rebuilt in {seconds:.2f} s" + (f": {len(problems)} problem(s)" if problems else ""))
                for problem in problems:
                    self.log(f"error: {problem}")


def serve(make_job, build_site, article_stages, problems: list[Problem], port: int, log=print) -> None:
    """Serve the site of make_job() on 127.0.0.1:port, rebuilt with build_site(job) on every change of its
    sources, until Ctrl-C; problems: those of the first build, if it failed."""
    import watchfiles  # only when serving

    # kill -USR1 <pid> prints where every thread of a serve that seems stuck is (to its standard error).
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    # Ctrl-C (SIGINT) stops serve even when it was started ignoring it, as a shell starts a script's background
    # job: Python then leaves SIGINT ignored, and serve could only be killed.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    job = make_job()
    live = Live(job.site_dir, problems=[str(p) for p in problems])
    handler = type("LiveHandler", (Handler,), {"live": live})
    try:
        server = Server(("127.0.0.1", port), functools.partial(handler, directory=str(job.site_dir)))
    except OSError as exc:
        raise EditionError([Problem(f"127.0.0.1:{port}", 0, "cannot serve the site there",
                                    exc.strerror or str(exc), "choose another port with --port N")]) from None
    builder = Builder(make_job, build_site, article_stages, live, log)
    live.secret, live.port = secrets.token_urlsafe(24), server.server_address[1]
    live.editor = edit.Editor(lambda slug: job.edition_dir / slug, builder.checked)
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
    builds = Builds(builder, log)
    try:
        while True:
            try:
                paths = batches.get(timeout=0.5)  # wakes now and then, so that Ctrl-C is heard
            except queue.Empty:
                continue
            builds.cancel()
            builder.preview(paths)
            while True:  # saves in quick succession: each shown, one build when they stop
                try:
                    more = batches.get(timeout=QUIET)
                except queue.Empty:
                    break
                builds.cancel()
                builder.preview(more)
            builds.request()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        builds.close()
        builder.reindexer.stop()
        server.shutdown()
        server.server_close()
        log("stopped")


def _sources(_, path: str) -> bool:
    """Not an editor's backup, lock or swap file."""
    name = Path(path).name
    return not name.startswith((".", "#")) and not name.endswith(("~", ".swp", ".tmp"))
