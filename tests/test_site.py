"""The built site against the HTML contract, read with lxml."""
from __future__ import annotations

import json
import re
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
            target = target.partition("?")[0]  # a query (search.html?article=…) is not part of the file's path
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
    assert text.count("<script") == 2  # the JSON-LD and notes.js, nothing from the text
    assert "\ue000" not in text and "\ue001" not in text


def test_paragraphs_have_stable_ids_and_pilcrow_links(article):
    paragraphs = article.xpath('//main//p[starts-with(@id, "p")]')
    assert [p.get("id") for p in paragraphs] == [f"p{i}" for i in range(1, 42)]
    for p in paragraphs:
        pilcrow = p.xpath('./a[@class="pilcrow"]')
        assert len(pilcrow) == 1 and pilcrow[0].get("href") == f"#{p.get('id')}"


def test_bibliography_says_where_each_work_is_cited(article):
    black = article.get_element_by_id("black-1994-party")
    cited = [a.text for a in black.xpath('.//span[@class="cited-in"]/a')]
    assert cited == ["6", "9", "10", "12", "24", "27", "41", "87"]
    assert all(a.get("href") == f"#note-{a.text}" for a in black.xpath('.//span[@class="cited-in"]/a'))


def test_citations_and_archival_references_in_notes(article):
    note21 = article.get_element_by_id("note-21")
    assert [a.get("href") for a in note21.xpath('.//a[@class="citation"]')] == ["#carr-1960-socialism"]
    ref = article.get_element_by_id("note-39").xpath('.//*[@data-archive]')[0]
    assert {k: ref.get(f"data-{k}") for k in ("archive", "fond", "opis", "delo", "listy")} == {
        "archive": "RGASPI", "fond": "17", "opis": "21", "delo": "2669", "listy": "57"}
    assert article.xpath('count(//*[@data-archive])') == 54


def test_metadata_for_reference_managers(article):
    meta = {m.get("name"): m.get("content") for m in article.xpath("//meta[@name]")}
    assert meta["citation_title"].startswith("'Merciless War' against Trifles")
    assert meta["citation_author"] == "Yiannis Kokosalakis"
    assert (meta["citation_journal_title"], meta["citation_volume"], meta["citation_issue"]) == (
        "Revolutionary Russia", "28", "1")
    assert (meta["citation_firstpage"], meta["citation_lastpage"]) == ("48", "68")
    assert meta["citation_doi"] == "10.1080/09546545.2015.1053697"
    ld = json.loads(article.xpath('//script[@type="application/ld+json"]')[0].text)
    assert ld["@type"] == "ScholarlyArticle" and ld["sameAs"] == "https://doi.org/10.1080/09546545.2015.1053697"
    assert ld["isPartOf"]["isPartOf"]["isPartOf"]["name"] == "Revolutionary Russia"
    assert article.xpath('//meta[@property="og:type"]/@content') == ["article"]


def test_nothing_is_requested_from_outside(built):
    for page in built.rglob("*.html"):
        doc = html.parse(str(page)).getroot()
        for url in doc.xpath("//script/@src | //link[@rel='stylesheet']/@href | //img/@src | //iframe/@src"):
            assert not re.match(r"^(https?:)?//", url), (page, url)
    for css in built.rglob("*.css"):
        assert "url(" not in css.read_text(encoding="utf-8") and "@import" not in css.read_text(encoding="utf-8")
