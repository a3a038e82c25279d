"""Small invented seeds (tests/seeds/*.txt), each checked against its <name>.expect.yaml.

The expectations say what a careful editor reads in the text, not what the extractor happened
to produce. Every check is exact: listed items must all be found, and nothing unlisted may be.
"""
from __future__ import annotations

import copy
import functools
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from editio.extract import extract
from editio.link import link

SEEDS = sorted(Path(__file__).parent.glob("seeds/*.txt"))
BIB_FIELDS = ("key", "authors", "role", "type", "year", "title", "container", "volume", "issue",
              "pages", "edition", "place", "publisher", "container_editors", "line", "section")
META_FIELDS = ("title", "authors", "journal", "volume", "issue", "year", "pages", "doi", "issn")

pytestmark = pytest.mark.parametrize("seed", SEEDS, ids=[p.stem for p in SEEDS])


@functools.cache
def run(seed: Path):
    """(edition, report, expectations) for one seed, extracted once."""
    expect = yaml.safe_load(seed.with_name(seed.stem + ".expect.yaml").read_text(encoding="utf-8"))
    edition, report = extract(seed, seed.name)
    return edition, report, expect


def text_problems(what: str, text: str, lines: list[int], want: dict) -> list[str]:
    """Checks on a block or note: text, starts, ends, contains and absent (lists), lines."""
    found = [("text", text == want.get("text", text)), ("starts", text.startswith(want.get("starts", ""))),
             ("ends", text.endswith(want.get("ends", ""))), ("lines", lines == want.get("lines", lines))]
    found += [(f"contains {part!r}", part in text) for part in want.get("contains", [])]
    found += [(f"absent {part!r}", part not in text) for part in want.get("absent", [])]
    return [f"{what}: {check} fails on {text!r} (lines {lines})" for check, ok in found if not ok]


def fits(item, want: dict) -> bool:
    """Whether a Repair or Doubt matches an expected item; 'number' is the number a
    rejected-number doubt quotes, '*_contains' a substring of that field."""
    for key, value in want.items():
        if key == "number":
            m = re.match(r"'([^']*)'", item.detail)
            if not m or m.group(1) != str(value):
                return False
        elif key.endswith("_contains"):
            if str(value) not in getattr(item, key[:-len("_contains")]):
                return False
        elif getattr(item, key) != value:
            return False
    return True


def check_items(found: list, expected: dict) -> None:
    """Repairs or doubts: the kinds and counts exactly as expected, each expected item found once."""
    expected, problems = expected or {}, []
    for kind in sorted(set(expected) | {i.kind for i in found}):
        pool = [i for i in found if i.kind == kind]
        for want in expected.get(kind, []):
            hit = next((i for i in pool if fits(i, want)), None)
            if hit is None:
                problems.append(f"missing {kind} {want}")
            else:
                pool.remove(hit)
        problems += [f"unexpected {kind} line {i.line}: {i.detail} {getattr(i, 'before', '')!r}" for i in pool]
    assert not problems, "\n".join(problems)


def test_metadata(seed):
    edition, _, expect = run(seed)
    want = {k: expect["metadata"].get(k, "") for k in META_FIELDS}
    assert {k: getattr(edition.metadata, k) for k in META_FIELDS} == want
    assert edition.title.text == expect["metadata"]["title"]
    assert edition.title.lines == expect["title_lines"]


def test_structure(seed):
    edition, report, expect = run(seed)
    got = [{"heading": s.heading.text if s.heading else None, "paragraphs": [p.id for p in s.paragraphs]}
           for s in edition.sections]
    assert got == expect["sections"]
    assert report.counts["paragraphs"] == expect["paragraphs"]
    abstract = edition.abstract
    assert abstract is not None and abstract.markers == []
    assert not text_problems("abstract", abstract.text, abstract.lines, expect["abstract"])


def test_paragraph_text(seed):
    edition, _, expect = run(seed)
    found = {b.id: b for b in edition.blocks()}
    problems = [p for bid, want in expect["paragraph_text"].items()
                for p in text_problems(bid, found[bid].text, found[bid].lines, want)]
    assert not problems, "\n".join(problems)


def test_markers(seed):
    edition, report, expect = run(seed)
    want = {n: {"printed_n": None, **w} for n, w in expect["markers"].items()}
    got = {m.n: {"block": b.id, "form": m.form, "printed": m.printed, "line": m.line, "printed_n": m.printed_n,
                 "follows": b.text[:m.offset][-len(want[m.n]["follows"]):] if m.n in want else b.text[:m.offset][-30:]}
           for b in edition.blocks() for m in b.markers}
    assert len(got) == sum(len(b.markers) for b in edition.blocks()), "a note has two markers"
    wrong = {n: {k: (got.get(n, {}).get(k), w[k]) for k in w if got.get(n, {}).get(k) != w[k]}
             for n, w in want.items() if got.get(n) != w}
    wrong.update({n: ("unexpected marker", g) for n, g in got.items() if n not in want})
    assert not wrong, "markers differ (got, expected): " + repr(wrong)
    assert report.markers_by_form == dict(Counter(w["form"] for w in want.values()))


def test_notes(seed):
    edition, _, expect = run(seed)
    assert [n.n for n in edition.notes] == list(range(1, expect["notes"] + 1))
    notes = {n.n: n for n in edition.notes}
    problems = [p for n, want in expect["note_text"].items()
                for p in text_problems(f"note {n}", notes[n].text, notes[n].lines, want)]
    assert not problems, "\n".join(problems)


def test_repairs(seed):
    _, report, expect = run(seed)
    check_items(report.repairs, expect["repairs"])


def test_doubts(seed):
    _, report, expect = run(seed)
    assert [d.note for d in report.doubts if d.kind == "unanchored-note"] == expect["unanchored"]
    check_items(report.doubts, expect["doubts"])


def test_bibliography(seed):
    """The references as printed; for an article without them (entries with `note:`), the works its notes cite
    in full, which the link stage reads from the notes."""
    edition, _, expect = run(seed)
    fields = BIB_FIELDS + (("note",) if any("note" in w for w in expect["bibliography"]) else ())
    if "note" in fields:
        edition = copy.deepcopy(edition)
        link(edition)
    got = []
    for e in edition.bibliography:
        row = {f: getattr(e, f) for f in fields}
        row["authors"] = [f"{p.family}, {p.given}" if p.given else p.family for p in e.authors]
        got.append(row)
    want = [{f: w.get(f, "") for f in fields} for w in expect["bibliography"]]
    assert len(got) == len(want), [g["key"] for g in got]
    wrong = [(w["key"], {k: (g[k], w[k]) for k in w if g[k] != w[k]}) for g, w in zip(got, want) if g != w]
    assert not wrong, "entries differ (got, expected): " + repr(wrong)
