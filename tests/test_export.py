"""Exports (editio/export/), checked by the tools that read them: Debian's jing validates the TEI
against tei_all, pandoc (from pypandoc-binary) reads the CSL-JSON, the BibTeX and the Markdown.

On the real seed's edition as the build makes it (with the editor's corrections), and on the small
invented seeds (extracted and linked, no corrections), so that nothing in the exports is article-specific.
Neither tool is optional: without it the tests fail and say what to install.
"""
from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from conftest import SEED
from editio import export, yamlio
from editio.export import tei
from editio.extract import extract
from editio.job import EditionWork, Job
from editio.link import link
from editio.records import Edition, Report
from editio.render import anchored_notes
from editio.textrules import plain

SCHEMA = Path(__file__).parent / "export_cases" / "tei_all.rng"
SMALL = sorted(Path(__file__).parent.glob("seeds/*.txt"))
NS = {"t": tei.TEI_NS}
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
# Debian's jing wrapper warns on stderr about optional jars it does not need.
JING_NOISE = re.compile(r"^\[warning\] /usr/bin/jing: Unable to locate .*$\n?", re.M)


@pytest.fixture(scope="module")
def article(built) -> tuple[Edition, Report]:
    """The real seed's edition and report, as the build wrote them."""
    folder = built.parent / "edition" / SEED.stem
    problems: list = []
    edition = yamlio.from_data(Edition, yamlio.read(folder / "edition.yaml"), "edition.yaml", problems)
    report = yamlio.from_data(Report, yamlio.read(folder / "report.yaml"), "report.yaml", problems)
    assert not problems
    return edition, report


@functools.cache
def small(seed: Path) -> tuple[Edition, Report]:
    edition, report = extract(seed, seed.name)
    doubts, repairs = link(edition)
    report.doubts.extend(doubts)
    report.repairs.extend(repairs)
    return edition, report


def jing(path: Path) -> None:
    """Assert the file is valid TEI: jing exits 0 and says nothing."""
    if shutil.which("jing") is None:
        pytest.fail("jing is not installed: run 'apt-get install -y jing' (Debian's RELAX NG validator)")
    result = subprocess.run(["jing", str(SCHEMA), str(path)], capture_output=True, text=True, timeout=120)
    assert (result.returncode, result.stdout, JING_NOISE.sub("", result.stderr)) == (0, "", "")


def pandoc(*args: str, stdin: str = "") -> str:
    """pandoc's output; it must exit 0 and warn about nothing."""
    try:
        import pypandoc
    except ImportError:
        pytest.fail("pypandoc-binary is not installed: run '.venv/bin/pip install pypandoc-binary'")
    result = subprocess.run([pypandoc.get_pandoc_path(), *args], input=stdin, capture_output=True,
                            text=True, timeout=120)
    assert (result.returncode, result.stderr) == (0, "")
    return result.stdout


def tei_of(edition: Edition, report: Report, tmp_path: Path) -> etree._Element:
    """The TEI export, well-formed and valid, parsed."""
    text = export.to_tei(edition, report)
    doc = etree.fromstring(text.encode("utf-8"))
    path = tmp_path / "edition.tei.xml"
    path.write_text(text, encoding="utf-8")
    jing(path)
    return doc


def words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text)


def _reading(el, skip) -> str:
    """The element's text, without the elements named in skip (the source's readings, the editor's descriptions)."""
    out = [el.text or ""]
    for child in el:
        if etree.QName(child).localname not in skip:
            out.append(_reading(child, skip))
        out.append(child.tail or "")
    return "".join(out)


def text_before_notes(el) -> dict[int, str]:
    """Note number -> the block's text before that note (notes, sources' readings and descriptions left out)."""
    before: dict[int, str] = {}
    seen: list[str] = []

    def walk(node):
        seen.append(node.text or "")
        for child in node:
            name = etree.QName(child).localname
            if name == "note":
                before[int(child.get("n"))] = "".join(seen)
            elif name not in ("sic", "desc"):
                walk(child)
            seen.append(child.tail or "")
    walk(el)
    return before


def block_elements(doc, edition: Edition) -> dict[str, etree._Element]:
    """Block id -> its TEI element (headings: the head of their section's div)."""
    ids = {el.get(XML_ID): el for el in doc.iter() if el.get(XML_ID)}
    out = {block.id: ids[block.id] for block in edition.blocks() if block.id in ids}
    for section in edition.sections:
        if section.heading:
            out[section.heading.id] = ids[section.id].find("t:head", NS)
    return out


def pandoc_notes(markdown: str) -> list[list[str]]:
    """The words of every footnote pandoc finds in the Markdown."""
    notes: list[list[str]] = []

    def strings(node) -> list[str]:
        if isinstance(node, dict):
            return [node["c"]] if node.get("t") == "Str" else [s for v in node.values() for s in strings(v)]
        return [s for v in node for s in strings(v)] if isinstance(node, list) else []

    def walk(node):
        if isinstance(node, dict):
            if node.get("t") == "Note":
                notes.append(words(" ".join(strings(node["c"]))))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(json.loads(pandoc("-f", "markdown", "-t", "json", stdin=markdown)))
    return notes


def cite_every_key(edition: Edition, bibliography: Path) -> str:
    """HTML pandoc --citeproc makes of a document citing every entry."""
    document = " ".join(f"[@{e.key}]" for e in edition.bibliography) + "\n"
    return pandoc("-f", "markdown", "-t", "html", "--citeproc", "--bibliography", str(bibliography), stdin=document)


def parse_bibtex(text: str) -> dict[str, tuple[str, dict[str, str]]]:
    """key -> (type, fields) of BibTeX as export writes it (one field a line, values in braces)."""
    entries = {}
    for m in re.finditer(r"^@(\w+)\{([^,\s]+),\n(.*?)\n\}$", text, re.M | re.S):
        fields = dict(re.findall(r"^  (\w+) = \{(.*)\},?$", m.group(3), re.M))
        assert len(fields) == m.group(3).count("\n") + 1, m.group(2)
        entries[m.group(2)] = (m.group(1), fields)
    return entries


# --- The real article -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tei(article, tmp_path_factory):
    return tei_of(*article, tmp_path_factory.mktemp("tei"))


def test_tei_notes_stand_at_their_markers(tei, article):
    edition, _ = article
    notes = tei.xpath("//t:note[@place='end']", namespaces=NS)
    assert len(notes) == len(edition.notes) == 87
    assert [n.get(XML_ID) for n in notes] == [f"note-{n.n}" for n in edition.notes]
    elements = block_elements(tei, edition)
    holder = anchored_notes(edition)
    for block in edition.blocks():
        before = text_before_notes(elements[block.id])
        for marker in block.markers:
            assert before[marker.n] == plain(block.text[:marker.offset]), (block.id, marker.n)
    assert set(holder) == {int(n.get("n")) for n in notes}
    for note in edition.notes:
        assert _reading(tei.find(f".//t:note[@n='{note.n}']", NS), ("sic",)) == plain(note.text)


def test_tei_restored_markers(tei, article):
    edition, _ = article
    restored = {m.n: m for b in edition.blocks() for m in b.markers if m.editorial}
    marked = tei.xpath("//t:note[@type='restored']", namespaces=NS)
    assert len(marked) == len(restored) == 27
    ids = {el.get(XML_ID): el for el in tei.iter() if el.get(XML_ID)}
    for note in marked:
        assert note.get("resp") == "#editor"
        reason = ids[note.get("ana").lstrip("#")]
        assert etree.QName(reason).localname == "interp"
        assert plain(restored[int(note.get("n"))].reason) in reason.text


def test_tei_emendations_and_lacuna(tei, article):
    edition, _ = article
    expected = [(e.source, e.edition) for b in edition.blocks() for e in b.emendations]
    expected += [(e.source, e.edition) for n in edition.notes for e in n.emendations]
    choices = tei.xpath("//t:choice", namespaces=NS)
    assert len(choices) == len(expected) == 4
    found = [(_reading(c.find("t:sic", NS), ()), _reading(c.find("t:corr", NS), ())) for c in choices]
    assert sorted(found) == sorted((plain(s), plain(e)) for s, e in expected)
    assert all(c.find("t:corr", NS).get("resp") == "#editor" for c in choices)
    gaps = tei.xpath("//t:gap", namespaces=NS)
    assert len(gaps) == 1 and gaps[0].get("reason") == "lost"
    assert gaps[0].find("t:desc", NS).text == plain(next(g for b in edition.blocks() for g in b.gaps).reason)


def test_tei_every_pointer_resolves(tei):
    ids = [el.get(XML_ID) for el in tei.iter() if el.get(XML_ID)]
    assert len(ids) == len(set(ids))
    pointers = [p for attr in ("target", "ana", "resp", "corresp")
                for el in tei.iter() if el.get(attr) for p in el.get(attr).split()]
    assert pointers and all(p.startswith("#") and p[1:] in ids for p in pointers), \
        sorted(p for p in pointers if p[1:] not in ids)


def test_tei_citations(tei, article):
    edition, _ = article
    citations = [c for n in edition.notes for c in n.citations]
    archival = tei.xpath("//t:note//t:bibl[@type='archival']", namespaces=NS)
    assert len(archival) == sum(1 for c in citations if c.archive) == 54
    assert len(tei.xpath("//t:note//t:bibl[@type='periodical']/t:title[@level='j']", namespaces=NS)) == 3
    works = tei.xpath("//t:note//t:bibl[not(@type)]/t:ref/@target", namespaces=NS)
    assert sorted(works) == sorted(f"#{c.target}" for c in citations if c.target)
    entries = tei.xpath("//t:back//t:listBibl/t:biblStruct/@xml:id", namespaces=NS)
    assert entries == [e.key for e in edition.bibliography]
    files = tei.xpath("//t:listBibl[@type='archival']/t:msDesc", namespaces=NS)
    assert {f.find("t:msIdentifier/t:repository", NS).text for f in files} == {"RGASPI"}
    assert sum(len(f.findall(".//t:msItem", NS)) for f in files) == len(archival)


def test_csl_json(article, tmp_path):
    edition, _ = article
    items = json.loads(export.to_csl_json(edition))
    assert len(items) == 41
    assert [i["id"] for i in items] == [e.key for e in edition.bibliography]
    assert {i["type"] for i in items} == {"book", "article-journal", "chapter", "thesis"}
    chapters = [i for i in items if i["type"] == "chapter"]
    assert all(i["editor"] and i["container-title"] for i in chapters)
    path = tmp_path / "edition.csl.json"
    path.write_text(export.to_csl_json(edition), encoding="utf-8")
    html = cite_every_key(edition, path)
    assert all(f'id="ref-{e.key}"' in html for e in edition.bibliography)


def test_bibtex(article, tmp_path):
    edition, _ = article
    text = export.to_bibtex(edition)
    entries = parse_bibtex(text)
    assert list(entries) == [e.key for e in edition.bibliography] and len(entries) == 41
    for entry in edition.bibliography:
        kind, fields = entries[entry.key]
        assert kind == {"book": "book", "article-journal": "article", "chapter": "incollection",
                        "thesis": "phdthesis"}[entry.type]
        people = fields.get("editor" if entry.role == "editor" else "author", "")
        assert all(p.family in people for p in entry.authors)
        assert fields.get("year") == entry.year
        assert "–" not in fields.get("pages", "")
        for value in fields.values():
            assert value.count("{") - value.count(r"\{") == value.count("}") - value.count(r"\}")
    path = tmp_path / "edition.bib"
    path.write_text(text, encoding="utf-8")
    html = cite_every_key(edition, path)
    assert all(f'id="ref-{e.key}"' in html for e in edition.bibliography)


def test_markdown_keeps_every_note(article):
    edition, _ = article
    markdown = export.to_markdown(edition)
    found = pandoc_notes(markdown)
    assert len(found) == len(edition.notes) == 87
    assert Counter(map(tuple, found)) == Counter(tuple(words(n.text)) for n in edition.notes)
    assert "\\[…\\]" in markdown
    assert pandoc("-f", "markdown", "-t", "plain", stdin=markdown).count("[…]") == 1


def test_stage_adds_the_downloads(article, built):
    edition, report = article
    job = Job(built.parent, built.parent / "edition", built,
              [EditionWork(SEED, SEED.stem, SEED.name, edition, report)])
    files = export.stage(job).files
    base = f"{SEED.stem}/downloads/{SEED.stem}"
    assert sorted(files) == sorted(f"{base}.{ext}" for ext in ("tei.xml", "csl.json", "bib", "md", "yaml"))
    assert files[f"{base}.yaml"] == (built.parent / "edition" / SEED.stem / "edition.yaml").read_text(encoding="utf-8")


# --- The small invented seeds -----------------------------------------------------------------

@pytest.mark.parametrize("seed", SMALL, ids=[p.stem for p in SMALL])
def test_small_seed_exports(seed, tmp_path):
    edition, report = small(seed)
    doc = tei_of(edition, report, tmp_path)
    notes = doc.xpath("//t:note[@place='end']", namespaces=NS)
    assert sorted(int(n.get("n")) for n in notes) == [n.n for n in edition.notes]
    lost = set(n.n for n in edition.notes) - set(anchored_notes(edition))
    assert {int(n.get("n")) for n in doc.xpath("//t:div[@subtype='unanchored']//t:note", namespaces=NS)} == lost
    found = pandoc_notes(export.to_markdown(edition))
    assert Counter(map(tuple, found)) == Counter(tuple(words(n.text)) for n in edition.notes)
    for name, text in (("x.csl.json", export.to_csl_json(edition)), ("x.bib", export.to_bibtex(edition))):
        (tmp_path / name).write_text(text, encoding="utf-8")
        html = cite_every_key(edition, tmp_path / name)
        assert all(f'id="ref-{e.key}"' in html for e in edition.bibliography), name
