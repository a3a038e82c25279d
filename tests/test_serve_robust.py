"""The `serve` HTTP server against what a client may send (issue 18, item 5): NUL and bytes that are not
UTF-8 in the path, overlong request lines, unknown methods, Range, '..' in every encoding, links out of
the site, request lines without a version, broken headers, and ten thousand random requests over raw
sockets. Each is answered with an HTTP status (a 4xx for a malformed request, 501 for an unknown method),
no file from outside the site's folder is ever sent, nothing is printed, and the site is served as
before: the pages held in memory first, HTML with the reload script, `Cache-Control: no-store`."""
from __future__ import annotations

import concurrent.futures
import functools
import os
import random
import re
import socket
import threading
import time

import pytest

from editio.serve import CHANNEL, Handler, Live, Server, inject

SECRET = b"f3a9c1-the-secret-outside-the-site-7d2e"
"""What the file outside the site's folder holds: no response may ever contain it."""
TIMEOUT = 2.0
"""Seconds a request may wait for its whole answer (the server closes the connection after each)."""
FUZZ = 10_000
PAGE = b"<!doctype html><html><head><title>%s</title></head><body>%s</body></html>"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A small site, a secret beside it, and links from the site to the secret (and one that stays in)."""
    root = tmp_path_factory.mktemp("serve")
    (root / "secret.txt").write_bytes(SECRET)
    site = root / "site"
    for name, body in {"index.html": PAGE % (b"Home", b"home"), "about.html": PAGE % (b"About", b"about"),
                       "sub/index.html": PAGE % (b"Sub", b"sub"), "sub/page.html": PAGE % (b"Page", b"on disk"),
                       "static/style.css": b"body { color: #222; }\n" * 20,
                       "\u00e9t\u00e9.html": PAGE % (b"Ete", b"ete"),
                       "files/data.bin": bytes(range(256)), "bare/readme.txt": b"no index here\n"}.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_bytes(body)
    (site / "leak.txt").symlink_to(root / "secret.txt")
    (site / "leak.html").symlink_to(root / "secret.txt")
    (site / "outside").symlink_to(root)
    (site / "bare" / "index.htm").symlink_to(root / "secret.txt")  # the standard handler's second index
    (site / "alias.html").symlink_to(site / "about.html")
    return site


@pytest.fixture(scope="module")
def server(site):
    """The handler as editio.serve.serve starts it, without the builder and the watcher."""
    live = Live(site)
    handler = type("LiveHandler", (Handler,), {"live": live})
    httpd = Server(("127.0.0.1", 0), functools.partial(handler, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd.server_address, live
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def quiet(capsys):
    """The server threads print to sys.stderr (socketserver's traceback of a request that raised): nothing may come."""
    yield
    err = capsys.readouterr().err
    assert "Traceback" not in err and "Exception occurred" not in err, err


def exchange(address, raw: bytes) -> bytes:
    """All the server answers raw with, until it closes the connection (b'' when it answers nothing)."""
    with socket.create_connection(address, timeout=TIMEOUT) as s:
        try:
            s.sendall(raw)
            s.shutdown(socket.SHUT_WR)  # a truncated request ends here, not at the timeout
        except OSError:  # answered and closed before all of it was sent: the answer is still there to read
            pass
        chunks = []
        try:
            while chunk := s.recv(65536):
                chunks.append(chunk)
        except ConnectionResetError:  # closed with part of the request unread: what came before counts
            pass
        return b"".join(chunks)


def request(line: bytes | str, *headers: bytes | str) -> bytes:
    def raw(x):
        return x.encode("latin-1") if isinstance(x, str) else x
    return b"".join(raw(x) + b"\r\n" for x in (line, *headers)) + b"\r\n"


def status(response: bytes) -> int | None:
    match = re.match(rb"HTTP/1\.[01] (\d{3}) ", response)
    return int(match.group(1)) if match else None


def split(response: bytes) -> tuple[dict[str, str], bytes]:
    """(headers by lower-case name, body)."""
    head, _, body = response.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")[1:]
    return {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}, body


def get(address, path: str, *headers: str, method: str = "GET") -> bytes:
    return exchange(address, request(f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", *headers))


TRAVERSALS = ["/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2e/secret.txt", "/%252e%252e/secret.txt",
              "/..%2fsecret.txt", "/%2e%2e%2fsecret.txt", "/sub/../../secret.txt", "/sub/%2e%2e/%2e%2e/secret.txt",
              "/..\\secret.txt", "/%5c..%5csecret.txt", "/..%5csecret.txt", "//../secret.txt", "//etc/passwd",
              "/etc/passwd", "http://127.0.0.1/../secret.txt", "../secret.txt", "/leak.txt", "/leak.html",
              "/outside/secret.txt", "/outside", "/outside/", "/bare/", "/bare/index.htm"]

CASES = [
    ("NUL", request("GET /%00 HTTP/1.1"), 400),
    ("NUL inside a page's name", request("GET /a%00b.html HTTP/1.1"), 400),
    ("NUL in a folder's name", request("GET /sub%00/ HTTP/1.1"), 400),
    ("a 10 KB path", request("GET /" + "a" * 10_240 + " HTTP/1.1"), 414),
    ("a 70 KB path (the standard handler's limit)", request("GET /" + "a" * 70_000 + " HTTP/1.1"), 414),
    ("a 300-byte name", request("GET /" + "a" * 300 + ".html HTTP/1.1"), 404),
    ("percent-escapes that are not UTF-8", request("GET /%ff%fe HTTP/1.1"), 400),
    ("raw bytes that are not UTF-8", request(b"GET /\xff.html HTTP/1.1"), 400),
    ("an escaped surrogate", request("GET /%ed%a0%80.html HTTP/1.1"), 400),
    ("CR LF in the path", request("GET /%0d%0aSet-Cookie:%20x=1 HTTP/1.1"), 400),
    ("an unclosed '[' in an absolute target", request("GET http://[::1/index.html HTTP/1.1"), 400),
    *((f"GET {path}", request(f"GET {path} HTTP/1.1"), 404) for path in TRAVERSALS),
    ("PUT", request("PUT / HTTP/1.1", "Content-Length: 4") + b"body", 501),
    ("DELETE", request("DELETE /index.html HTTP/1.1"), 501),
    ("PATCH", request("PATCH /index.html HTTP/1.1"), 501),
    ("OPTIONS *", request("OPTIONS * HTTP/1.1"), 501),
    ("BREW", request("BREW / HTTP/1.1"), 501),
    ("a lower-case method", request("get / HTTP/1.1"), 501),
    ("a method of control bytes", request(b"\x01\x02\x7f / HTTP/1.1"), 501),
    ("HTTP/0.9's request line", request("GET /index.html"), 400),
    ("a request line of one word", request("GET"), 400),
    ("a request line of four words", request("GET / HTTP/1.1 more"), 400),
    ("HTTP/0.9 named", request("GET / HTTP/0.9"), 505),
    ("HTTP/2.0", request("GET / HTTP/2.0"), 505),
    ("a version that is not HTTP", request("GET / FTP/1.0"), 400),
    ("a version of 11-digit numbers", request("GET / HTTP/1.00000000001"), 400),
    ("no Host", request("GET /index.html HTTP/1.1"), 200),
    ("an HTTP/1.0 request", request("GET /index.html HTTP/1.0"), 200),
    ("an absolute target", request("GET http://127.0.0.1/index.html HTTP/1.1"), 200),
    ("raw UTF-8 in the path", request("GET /\u00e9t\u00e9.html HTTP/1.1".encode()), 200),
    ("101 headers", request("GET / HTTP/1.1", *(f"X-{i}: {i}" for i in range(101))), 431),
    ("a 70 KB header line", request("GET / HTTP/1.1", "X-Long: " + "a" * 70_000), 431),
    ("a header line without a colon", request("GET /index.html HTTP/1.1", "no colon here"), 200),
    ("a header with a bare CR", request("GET /index.html HTTP/1.1", "X-Injected: a\rSet-Cookie: x=1"), 200),
    ("a folded header", request("GET /index.html HTTP/1.1", "X-Folded: a", " b"), 200),
    ("If-Modified-Since that is no date", request("GET /static/style.css HTTP/1.1", "If-Modified-Since: soon"), 200),
    ("Expect: 100-continue", request("GET /index.html HTTP/1.1", "Expect: 100-continue"), 200),
    ("request line ended by LF alone", b"GET /index.html HTTP/1.1\nHost: x\n\n", 200),
    ("a truncated request", b"GET /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Cut: ", 200),
]


@pytest.mark.parametrize("raw, expected", [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_each_malformed_request_has_its_status(server, raw, expected):
    response = exchange(server[0], raw)
    assert status(response) == expected, response[:300]
    assert SECRET not in response
    headers, _ = split(response)
    assert "set-cookie" not in headers
    assert headers.get("cache-control") == "no-store"


def test_nothing_outside_the_site_is_served_whatever_the_path_says(server, site):
    secret = site.parent / "secret.txt"
    for path in TRAVERSALS + [f"/{secret}", f"/{os.path.relpath(secret, site)}", f"//{secret}", f"/%2f{secret}"]:
        for method in ("GET", "HEAD"):
            response = get(server[0], path, method=method)
            assert status(response) == 404 and SECRET not in response, (method, path, response[:200])


def test_a_link_that_stays_inside_is_followed(server):
    response = get(server[0], "/alias.html")
    assert status(response) == 200 and b"<title>About</title>" in response


@pytest.mark.parametrize("value", ["bytes=0-3", "bytes=-5", "bytes=99999-", "bytes=3-1", "bytes=oops",
                                   "lines=1-2", "bytes=0-1,4-5,9-", "bytes=" + "0-1," * 2000])
def test_range_is_ignored_the_whole_file_is_sent(server, site, value):
    for path, whole in (("/static/style.css", (site / "static/style.css").read_bytes()),
                        ("/files/data.bin", bytes(range(256)))):
        response = get(server[0], path, f"Range: {value}")
        assert status(response) == 200 and split(response)[1] == whole
    page = get(server[0], "/index.html", f"Range: {value}")
    assert status(page) == 200 and split(page)[1].endswith(b"</html>")


def test_head_is_get_without_its_body(server):
    for path in ("/index.html", "/sub/", "/static/style.css", CHANNEL + "live.js", "/nowhere.html"):
        got, head = get(server[0], path), get(server[0], path, method="HEAD")
        assert status(head) == status(got), path
        (got_headers, body), (head_headers, nothing) = split(got), split(head)
        assert nothing == b"" and head_headers["content-length"] == got_headers["content-length"] == str(len(body))


def test_head_of_the_event_stream_opens_no_page(server):
    address, live = server
    started = time.monotonic()
    response = get(address, CHANNEL + "events?page=/index.html", method="HEAD")
    assert status(response) == 200 and split(response)[0]["content-type"] == "text/event-stream"
    assert time.monotonic() - started < TIMEOUT and live.open_pages == {}


def test_pages_are_served_as_before(server):
    address, live = server
    response = get(address, "/index.html")
    headers, body = split(response)
    assert status(response) == 200 and inject("") + b"</head>" in body and headers["cache-control"] == "no-store"
    assert headers["content-type"] == "text/html; charset=utf-8" and headers["content-length"] == str(len(body))
    assert inject("") in split(get(address, "/sub/"))[1] and inject("") in split(get(address, "/"))[1]
    assert split(get(address, "/static/style.css"))[1].startswith(b"body {")
    for name, kind in (("live.js", "text/javascript"), ("live.css", "text/css")):
        response = get(address, CHANNEL + name)
        assert status(response) == 200 and split(response)[0]["content-type"] == f"{kind}; charset=utf-8"
    fetched = live.fetched
    get(address, "/about.html?from=here#there")
    assert live.fetched == fetched + 1


def test_a_page_held_in_memory_comes_before_the_file(server):
    address, live = server
    with live.lock:
        live.pages["sub/page.html"] = PAGE % (b"Page", b"held in memory")
        live.pages["sub/new.html"] = PAGE % (b"New", b"not on disk yet")
    try:
        for path, text in (("/sub/page.html", b"held in memory"), ("/sub/./page.html", b"held in memory"),
                           ("/sub//new.html", b"not on disk yet"), ("/sub/%6eew.html", b"not on disk yet")):
            response = get(address, path)
            assert status(response) == 200 and text in response and inject("") in response, path
    finally:
        with live.lock:
            live.pages.clear()


@pytest.mark.parametrize("path, location", [("/sub", "/sub/"), ("/sub?x=1", "/sub/?x=1"), ("/%2F%2Fsub", "/sub/"),
                                            ("//sub", "/sub/"), ("/./sub", "/sub/")])
def test_a_folder_is_redirected_on_this_site(server, path, location):
    response = get(server[0], path)
    assert status(response) == 301 and split(response)[0]["location"] == location  # never '//host'


def test_a_fault_of_ours_is_a_500_and_the_server_goes_on(server):
    address, live = server
    with live.lock:
        live.pages["broken.html"] = object()  # what no page is: the handler fails on it
    try:
        response = get(address, "/broken.html")
        assert status(response) == 500 and b"Traceback" not in response
    finally:
        with live.lock:
            live.pages.clear()
    assert status(get(address, "/index.html")) == 200


METHODS = ["GET"] * 30 + ["HEAD"] * 8 + ["PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT", "BREW", "get",
                                         "GET\x00", "", "G ET"]
"""Mostly what reaches the files (POST is left out: it is the edit mode's, tested with it)."""
SEGMENTS = ["index.html", "about.html", "sub", "page.html", "static", "style.css", "files", "data.bin", "bare",
            "index.htm", "leak.txt", "leak.html", "outside", "secret.txt", "alias.html", "__editio__", "live.js",
            "..", ".", "", "%2e%2e", "%2E%2e", "%252e%252e", "..%2f", "..\\", "%5c..", "%00", "a%00b", "%ff", "%c3",
            "%0d%0a", "\u00e9t\u00e9.html", "%C3%A9t%C3%A9.html", "~", "*", "?", "#", ";", "%"]
VERSIONS = ["HTTP/1.1"] * 30 + ["HTTP/1.0"] * 10 + ["", "HTTP/0.9", "HTTP/2.0", "HTTP/1.1.1", "HTTP/x.y", "http/1.1",
                                                    "HTTP/1.1 extra"]
HEADERS = ["Host: 127.0.0.1", "Host:", "Host: evil.example", "Range: bytes=0-3", "Range: bytes=oops",
           "Range: bytes=-1", "If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT", "If-Modified-Since: never",
           "If-None-Match: *", "Connection: keep-alive", "Connection: close", "Expect: 100-continue",
           "Content-Length: 5", "Content-Length: -1", "Content-Length: 99999999999999999999",
           "Transfer-Encoding: chunked",
           "Cookie: a=b", "no colon at all", ": no name", " folded continuation", "X-Nul: a\x00b", "X-Bare-CR: a\rb"]


def random_path(rng: random.Random) -> bytes:
    """Segments of the site's names, dot segments in their encodings, escapes of any byte, raw bytes,
    unicode, names too long for the file system; a prefix that makes it absolute, doubled or not a path."""
    parts = []
    for _ in range(rng.choice((0, 1, 1, 2, 2, 3, 4, 8))):
        kind = rng.random()
        if kind < 0.7:
            parts.append(rng.choice(SEGMENTS).encode())
        elif kind < 0.78:
            parts.append(b"".join(b"%%%02x" % rng.randrange(256) for _ in range(rng.randint(1, 6))))
        elif kind < 0.85:
            parts.append(bytes(rng.choice(range(33, 256)) for _ in range(rng.randint(1, 12))))
        elif kind < 0.93:  # raw or escaped, as a client that does not escape would send it or a browser does
            text = "".join(chr(rng.choice((rng.randint(0xa0, 0x2fff), rng.randint(0x1f300, 0x1f6ff))))
                           for _ in range(rng.randint(1, 5))).encode("utf-8")
            parts.append(text if rng.random() < 0.3 else b"".join(b"%%%02X" % byte for byte in text))
        elif kind < 0.98:
            parts.append(b"a" * rng.choice((255, 256, 1000, 4000, 9000)))
        else:
            parts.append(bytes(rng.randrange(256) for _ in range(rng.randint(1, 20))))
    prefix = rng.choice([b"/"] * 8 + [b"//", b"", b"http://127.0.0.1/", b"\\", b"/./"])
    return prefix + b"/".join(parts) + rng.choice([b""] * 6 + [b"/", b"?page=/x", b"?%ff=%00", b"#frag"])


def random_request(rng: random.Random) -> bytes:
    """A request as a confused or hostile client might send it: mostly the shape of one, sometimes not."""
    eol = rng.choice([b"\r\n"] * 5 + [b"\n"])
    if rng.random() < 0.06:  # garbage instead of a request line
        line = bytes(rng.randrange(256) for _ in range(rng.randint(0, 300)))
    else:
        method = (rng.choice(METHODS) if rng.random() < 0.92
                  else "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ_-.!") for _ in range(rng.randint(1, 12))))
        line = b" ".join(part for part in (method.encode("latin-1"), random_path(rng),
                                            rng.choice(VERSIONS).encode()) if part)
    headers = [rng.choice(HEADERS).encode() for _ in range(rng.choice((0, 1, 1, 2, 3, 5)))]
    if rng.random() < 0.1:
        headers.append(b"X-Random: " + bytes(rng.choice(range(32, 256)) for _ in range(rng.randint(0, 200))))
    if rng.random() < 0.02:
        headers += [b"X-Many: %d" % i for i in range(rng.choice((99, 101, 150)))]
    if rng.random() < 0.02:
        headers.append(b"X-Long: " + b"b" * rng.choice((8000, 65537, 70000)))
    raw = eol.join([line, *headers]) + eol + eol + (b"body!" if rng.random() < 0.1 else b"")
    if rng.random() < 0.1:  # truncated anywhere
        raw = raw[:rng.randint(0, len(raw))]
    return raw


def blank_request_line(raw: bytes) -> bool:
    """Whether the server reads no request at all (it then closes without an answer, as the standard one does)."""
    return not raw.split(b"\n", 1)[0].decode("latin-1").split()


def test_ten_thousand_random_requests(server):
    address, _ = server
    rng = random.Random(185)  # the same requests on every run, so that a failure can be replayed
    requests = [random_request(rng) for _ in range(FUZZ)]

    def answer(raw: bytes) -> bytes:
        try:
            return exchange(address, raw)
        except TimeoutError:
            pytest.fail(f"no answer in {TIMEOUT} s to {raw[:300]!r}")

    with concurrent.futures.ThreadPoolExecutor(8) as pool:  # the server answers several at once, as a browser asks
        responses = list(pool.map(answer, requests))
    statuses = {}
    for raw, response in zip(requests, responses):
        assert SECRET not in response, raw[:300]
        code = status(response)
        if code is None:
            assert response == b"" and blank_request_line(raw), (raw[:300], response[:300])
        else:
            assert 200 <= code < 500 or code in (501, 505), (raw[:300], response[:300])  # no 500: nothing failed
        statuses[code] = statuses.get(code, 0) + 1
    assert statuses.get(200, 0) + statuses.get(404, 0) > FUZZ // 10, statuses  # a good share got past the parser
    assert status(get(address, "/index.html")) == 200
