"""Golden links of the invented articles (tests/seeds/*.expect.yaml with `links:`): what the resolver
links, what it reports instead, what it reads by rule; then the same through the HTML contract of a
built site, as a tool reading the published edition would see it.

Every check is exact: a citation, doubt or repair the expectations do not list fails the test.
"""
from __future__ import annotations

import functools
from collections import Counter
from pathlib import Path

import pytest
import yaml
from lxml import html

import build
from editio.extract import extract
from editio.link import link
from editio.records import ArchivalRef
from editio.render import file_key

SEEDS = [p for p in sorted(Path(__file__).parent.glob("seeds/*.txt"))
         if p.with_name(p.stem + ".expect.yaml").exists()  # test_extract_small fails a seed without one
         and "links" in (yaml.safe_load(p.with_name(p.stem + ".expect.yaml").read_text(encoding="utf-8")) or {})]

pytestmark = pytest.mark.parametrize("seed", SEEDS, ids=[p.stem for p in SEEDS])


@functools.cache
def linked(seed: Path):
    """(edition, doubts, repairs, expectations) for one seed, extracted and linked once."""
    expect = yaml.safe_load(seed.with_name(seed.stem + ".expect.yaml").read_text(encoding="utf-8"))
    edition, _ = extract(seed, seed.name)
    doubts, repairs = link(edition)
    return edition, doubts, repairs, expect


def describe(c) -> list:
    """A citation as the expectations write it."""
    if c.archive is not None:
        a = c.archive
        return [c.kind, a.archive, a.fond, a.opis, a.delo, a.listy]
    if c.kind == "xref":
        return [c.kind, c.to_note]
    if c.periodical:
        return [c.kind, c.periodical, c.dates]
    return [c.kind, c.target, c.locator]


def expected_links(expect) -> dict[int, list[list]]:
    """Note -> its citations as describe() gives them (YAML may read numbers as ints)."""
    out = {}
    for n, cites in (expect.get("links") or {}).items():
        rows = [[str(v) for v in c] for c in cites]
        for row in rows:
            if row[0] == "xref":
                row[1] = int(row[1])
        out[int(n)] = rows
    return out


def test_links(seed):
    edition, _, _, expect = linked(seed)
    want = expected_links(expect)
    got = {n.n: [describe(c) for c in n.citations] for n in edition.notes if n.citations}
    wrong = {n: {"got": got.get(n, []), "expected": want.get(n, [])}
             for n in sorted(set(got) | set(want)) if got.get(n, []) != want.get(n, [])}
    assert not wrong, "links differ:\n" + "\n".join(f"note {n}: {d}" for n, d in wrong.items())


def test_link_doubts(seed):
    _, doubts, _, expect = linked(seed)
    got = {}
    for d in doubts:
        got.setdefault(d.note, []).append(d.kind)
    want = {int(n): sorted(kinds) for n, kinds in (expect.get("link_doubts") or {}).items()}
    got = {n: sorted(kinds) for n, kinds in got.items()}
    assert got == want, [(d.note, d.kind, d.detail) for d in doubts]


def test_link_repairs(seed):
    edition, _, repairs, expect = linked(seed)
    note_of = {line: n.n for n in edition.notes for line in n.lines}
    got = Counter((note_of.get(r.line), r.kind) for r in repairs)
    want = Counter((int(r["note"]), r["kind"]) for r in expect.get("link_repairs") or [])
    assert got == want, [(r.line, r.kind, r.before) for r in repairs]


@functools.cache
def built_page(seed: Path, out: Path):
    assert build.main(["--seed", str(seed), "--out", str(out)]) == 0
    return html.parse(str(out / "site" / seed.stem / "index.html")).getroot()


def test_html_contract(seed, tmp_path_factory):
    """Markers, notes, work citations and archival references as the published page carries them."""
    edition, _, _, expect = linked(seed)
    page = built_page(seed, tmp_path_factory.mktemp(seed.stem))
    markers = {a.get("href").split("#")[1] for a in page.iter("a") if a.get("role") == "doc-noteref"}
    assert markers == {f"note-{n}" for n in expect["markers"]}
    notes = page.xpath("//section[@role='doc-endnotes']//li[starts-with(@id, 'note-')]")
    assert [li.get("id") for li in notes] == [f"note-{n}" for n in range(1, expect["notes"] + 1)]
    keys = {li.get("id") for li in page.xpath("//section[@role='doc-bibliography']//li[@id]")}
    assert keys == {e["key"] for e in expect["bibliography"]}
    want = expected_links(expect)
    for li in notes:
        n = int(li.get("id").split("-")[1])
        works = [a.get("href").split("#")[1] for a in li.xpath(".//a[contains(@class, 'citation')]")]
        files = [[e.get(f"data-{k}") for k in ("archive", "fond", "opis", "delo", "listy")]
                 for e in li.xpath(".//*[@data-archive]")]
        assert works == [c[1] for c in want.get(n, []) if len(c) == 3 and c[1] in keys], f"note {n}"
        assert files == [c[1:] for c in want.get(n, []) if len(c) == 6], f"note {n}"


def test_archive_index(seed, tmp_path_factory):
    """Every file the notes cite is listed once, with the notes that cite it, grouped however it is
    printed (GARF and ГАРФ, f. r-5515 and f. R-5515), in numeric order at every level."""
    _, _, _, expect = linked(seed)
    out = tmp_path_factory.mktemp(seed.stem + "-archive")
    built_page(seed, out)
    page = html.parse(str(out / "site" / seed.stem / "archive.html")).getroot()
    listed = [(tuple(li.get(f"data-{k}") for k in ("archive", "fond", "opis", "delo")),
               sorted({int(a.get("href").split("-")[-1]) for a in li.iter("a") if "#note-" in a.get("href")}))
              for li in page.xpath("//li[@data-archive]")]
    want: dict[tuple, set[int]] = {}
    for n, cites in expected_links(expect).items():
        for c in cites:
            if len(c) == 6:
                want.setdefault(file_key(ArchivalRef(*c[1:5])), set()).add(n)
    got = {file_key(ArchivalRef(*key)): notes for key, notes in listed}
    assert len(got) == len(listed), "a file is listed twice"
    assert got == {k: sorted(v) for k, v in want.items()}

    def numeric(key):
        return [key[0]] + [(int("".join(ch for ch in v if ch.isdigit()) or 0), v) for v in key[1:]]
    keys = [file_key(ArchivalRef(*key)) for key, _ in listed]
    assert [numeric(k) for k in keys] == sorted(numeric(k) for k in keys)
