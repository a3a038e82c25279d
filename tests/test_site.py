"""The built site against the HTML contract, read with lxml."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urldefrag, urljoin

import pytest
from lxml import html


@pytest.fixture(scope="module")
def article(built, article_path):
    return html.parse(str(built / article_path)).getroot()


def test_every_note_is_reached_from_its_marker_and_back(article):
    refs = article.xpath('//a[@role="doc-noteref"]')
    assert [int(a.text) for a in refs] == list(range(1, 88))
    for a in refs:
        n = a.text
        assert a.get("id") == f"noteref-{n}" and a.get("href") == f"#note-{n}"
        note = article.get_element_by_id(f"note-{n}")
        back = note.xpath('.//a[@role="doc-backlink"]')
        assert [b.get("href") for b in back] == [f"#noteref-{n}"]


def test_endnotes_section_holds_all_notes(article):
    sections = article.xpath('//section[@role="doc-endnotes"]')
    assert len(sections) == 1
    items = sections[0].xpath(".//li")
    assert [li.get("id") for li in items] == [f"note-{n}" for n in range(1, 88)]
    assert items[86].text_content().strip().startswith("Black, 'Party Crisis'")


def test_restored_markers_are_visibly_editorial(article):
    restored = article.xpath('//a[@role="doc-noteref"][@data-editorial="restored"]')
    assert sorted(int(a.text) for a in restored) == [5, 6, 9, 26, 27, 28, 31, 32, 33, 34, 39, 46, 51, 58, 59,
                                                      67, 68, 70, 75, 76, 77, 78, 79, 80, 81, 82, 83]
    assert all(a.get("title", "").startswith("Marker restored by the editor: ") for a in restored)
    assert not article.xpath('//p[@class="unanchored"]')


def test_bibliography_contract(article, real):
    section = article.xpath('//section[@role="doc-bibliography"]')[0]
    ids = [li.get("id") for li in section.xpath(".//li")]
    assert ids == [e.key for e in real[0].bibliography]
    assert all(re.fullmatch(r"[a-z][a-z0-9-]*", i) for i in ids)


def test_marker_on_title_and_emphasis_rendered(article):
    h1 = article.xpath("//h1")[0]
    assert h1.xpath('.//a[@role="doc-noteref"]')[0].text == "1"
    assert article.xpath('//p//em[text()="Leningradskaia pravda"]')
    assert "*" not in article.get_element_by_id("p3").text_content()


def test_repaired_marker_keeps_the_printed_number(article):
    a = article.get_element_by_id("noteref-43")
    assert a.get("data-printed") == "48"


def test_ids_unique_and_internal_links_resolve(built):
    broken = []
    for page in sorted(built.rglob("*.html")):
        doc = html.parse(str(page)).getroot()
        ids = doc.xpath("//@id")
        assert len(ids) == len(set(ids)), f"duplicate ids in {page}"
        for href in doc.xpath("//a/@href | //link/@href"):
            if re.match(r"^[a-z]+:", href):
                continue
            target, frag = urldefrag(urljoin(page.relative_to(built).as_posix(), href))
            path = built / (target or page.relative_to(built).as_posix())
            if path.is_dir() or target.endswith("/") or not target:
                path = path / "index.html" if (path.is_dir() or target.endswith("/")) else path
            if not path.exists():
                broken.append(f"{page.name}: {href}")
                continue
            if frag and path.suffix == ".html" and not html.parse(str(path)).getroot().xpath(f'//*[@id="{frag}"]'):
                broken.append(f"{page.name}: {href}")
    assert broken == []


def test_no_markup_from_text(built, article_path):
    text = (built / article_path).read_text(encoding="utf-8")
    assert "<script" not in text
    assert "\ue000" not in text and "\ue001" not in text
