"""Markup in a seed or in a correction is shown as text everywhere: pages, JSON-LD, meta tags, exports.
Every page carries a Content-Security-Policy that allows only the site's own scripts (and WebAssembly,
which Pagefind needs)."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree, html

from conftest import PROJECT

SEED = PROJECT / "tests" / "seeds" / "lourdes-prefect.txt"
TITLE = "The Prefect and the Grotto: Lourdes and the State, 1858–1872"
PAYLOADS = {
    "title": "</script><script>alert('title')</script>",
    "paragraph": "<img src=x onerror=alert('paragraph')>",
    "note": "[click me](javascript:alert('note'))",
    "reference": "\"><svg onload=alert('reference')>",
}
CSP = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self'; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    """A site built from a seed and corrections that try to inject markup."""
    text = SEED.read_text(encoding="utf-8")
    text = text.replace(TITLE, TITLE + " " + PAYLOADS["title"])
    text = text.replace("ordered the grotto at Lourdes to be closed.",
                        "ordered the grotto at Lourdes to be closed. " + PAYLOADS["paragraph"])
    notes_at = text.index("\nNotes\n")
    first_note = re.compile(r"\n- 1\. ").search(text, notes_at)
    text = text[:first_note.end()] + PAYLOADS["note"] + " " + text[first_note.end():]
    refs_at = text.index("\nReferences\n")
    line_end = text.index("\n", text.index(".", refs_at + 12))
    text = text[:line_end] + " " + PAYLOADS["reference"] + text[line_end:]
    out = tmp_path_factory.mktemp("hostile")
    seed = out / "hostile.txt"
    seed.write_text(text, encoding="utf-8")
    (out / "edition" / "hostile").mkdir(parents=True)
    (out / "edition" / "hostile" / "corrections.yaml").write_text(
        "emendations:\n"
        "  - source: \"The closure was unpopular.\"\n"
        "    edition: \"The closure was <b onmouseover=alert('emendation')>unpopular</b>.\"\n"
        "    reason: \"\\\"><script>alert('reason')</script>\"\n", encoding="utf-8")
    result = subprocess.run([sys.executable, str(PROJECT / "build.py"), "--seed", str(seed), "--out", str(out)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return out / "site"


def pages(site: Path):
    for page in sorted(site.rglob("*.html")):
        yield page, html.parse(str(page)).getroot()


def test_no_markup_reaches_any_page(hostile):
    checked = 0
    indexed = hostile.with_name("site.cache") / "hostile" / "site" / ".records" / "hostile.html"  # what Pagefind reads
    for page, doc in [*pages(hostile), (indexed, html.parse(str(indexed)).getroot())]:
        for script in doc.xpath("//script"):
            assert script.get("type") == "application/ld+json" or (
                script.get("src", "").endswith(("static/notes.js", "static/search.js")) and not script.text), page
        for element in doc.iter():
            if not isinstance(element.tag, str):
                continue
            for name, value in element.attrib.items():
                assert not name.lower().startswith("on"), (page, element.tag, name)
                assert not value.strip().lower().startswith("javascript:"), (page, element.tag, value)
        assert not doc.xpath("//svg | //img[@src='x'] | //b")
        checked += 1
    assert checked == 8  # index, search, archive index, bibliography; the article, apparatus, archive; the records


def test_payloads_are_shown_as_text(hostile):
    article = html.parse(str(hostile / "hostile" / "index.html")).getroot()
    text = article.text_content()
    for payload in PAYLOADS.values():
        assert payload in text
    assert "<b onmouseover=alert('emendation')>unpopular</b>" in text
    emended = article.xpath('//span[@data-editorial="emendation"]')[0]
    assert emended.get("data-reason") == "\"><script>alert('reason')</script>"
    meta = {m.get("name"): m.get("content") for m in article.xpath("//meta[@name]")}
    assert meta["citation_title"].endswith(PAYLOADS["title"])
    ld_text = article.xpath('//script[@type="application/ld+json"]')[0].text
    assert "</script" not in ld_text.lower() and "<" not in ld_text
    assert json.loads(ld_text)["headline"].endswith(PAYLOADS["title"])


def test_exports_keep_payloads_as_text(hostile):
    downloads = hostile / "hostile" / "downloads"
    tei = etree.parse(str(downloads / "hostile.tei.xml"))
    assert not tei.xpath("//*[local-name()='script' or local-name()='img' or local-name()='b']")
    assert PAYLOADS["paragraph"] in "".join(tei.getroot().itertext())
    json.loads((downloads / "hostile.csl.json").read_text(encoding="utf-8"))


def test_every_page_has_the_content_security_policy(built):
    for page, doc in pages(built):
        policy = doc.xpath('//meta[@http-equiv="Content-Security-Policy"]/@content')
        assert policy == [CSP], page


def test_no_script_runs_in_the_browser(browser, hostile):
    import functools
    import http.server
    import threading
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(hostile))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    page = browser.new_page(viewport={"width": 1024, "height": 800})  # popovers; sidenotes below
    dialogs, violations = [], []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        page.goto(base + "hostile/")
        page.locator("#noteref-1").hover()
        page.locator(".note-popover").wait_for()
        page.locator("#p1").hover()
        page.set_viewport_size({"width": 1440, "height": 900})
        page.locator(".sidenote").first.wait_for()
        page.locator("#noteref-1").hover()
        page.goto(base + "search.html?q=alert")
        page.locator("#search-results li").first.wait_for()
        page.locator("#search-results li").first.hover()
    finally:
        page.close()
        server.shutdown()
        server.server_close()
    assert dialogs == []
    assert violations == []
