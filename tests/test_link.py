"""The resolver on tiny cases of each kind (tests/link_cases/*.yaml), and golden links on the real seed."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from editio import bibentry, yamlio
from editio.bibentry import entry_key
from editio.link import link
from editio.records import BibEntry, Block, Edition, Metadata, Note, Source

CASES = sorted(Path(__file__).parent.glob("link_cases/*.yaml"))


def tiny_edition(case) -> Edition:
    entries, keys = [], set()
    for i, raw in enumerate(case["bibliography"]):
        p = bibentry.parse_entry(raw)
        authors = entries[-1].authors if p.repeats_author else p.authors
        entry = BibEntry("", p.type, authors, p.role, p.year, p.title, raw=raw, line=i + 1)
        entry.key = entry_key(entry, keys)
        entries.append(entry)
    notes = [Note(i + 1, n["text"], [i + 1]) for i, n in enumerate(case["notes"])]
    return Edition(Source("x", "", 0), Metadata("t", []), Block("title", "t"), None, [], notes, entries)


def describe(c) -> list:
    if c.archive:
        a = c.archive
        target = f"{a.archive}/{a.fond}/{a.opis}/{a.delo}"
        return [c.kind, target, a.listy, a.tom]
    if c.periodical:
        return [c.kind, c.periodical, c.dates]
    if c.kind == "xref":
        return [c.kind, c.to_note]
    return [c.kind, c.target, c.locator, c.confidence]


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_cases(path):
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    edition = tiny_edition(case)
    doubts, repairs = link(edition)
    for note, want in zip(edition.notes, case["notes"]):
        got = [describe(c)[:len(w)] for c, w in zip(note.citations, want["expect"])]
        assert len(note.citations) == len(want["expect"]), (note.text, [describe(c) for c in note.citations])
        assert got == want["expect"], note.text
        kinds = sorted(d.kind for d in doubts if d.note == note.n)
        expected = sorted(want.get("doubts", []) + ["unresolved-citation"] * want.get("unresolved", 0))
        assert kinds == expected, note.text
        read = sorted(r.kind for r in repairs if r.line == note.lines[0])
        assert read == sorted(want.get("repairs", [])), note.text


@pytest.fixture(scope="module")
def linked(built, seed):
    data = yamlio.read(built.parent / "edition" / seed.stem / "edition.yaml")
    problems = []
    edition = yamlio.from_data(Edition, data, "edition.yaml", problems)
    assert problems == []
    return {n.n: n for n in edition.notes}


def test_golden_works(linked):
    def works(n):
        return [(c.target, c.locator, c.confidence) for c in linked[n].citations if c.kind == "work"]
    assert works(21) == [("carr-1960-socialism", "vol. 2, 120", "high")]
    assert works(38) == [("stalin-1948-polnoe", "vol. 8, 394", "high")]
    assert works(45) == [("lenin-1970-polnoe", "vol. 42, 58", "high")]
    assert works(48) == [("astakhova-2007-stenogrammy", "693-702", "medium")]
    assert works(3)[3] == ("kirilinna-2002-neizvestnii", "", "high")
    assert works(6) == [("black-1994-party", "", "high"), ("lih-1928-zinoviev", "", "high"),
                        ("black-1928-zinoviev", "", "high")]
    assert works(85)[2:] == [("carr-1960-socialism", "201", "high"), ("pavlova-1993-stalinizm", "introduction", "high")]
    assert works(26) == [("xiv-1926-sezd", "486", "high")]  # a title-led entry, cited by its title
    assert sum(1 for n in linked.values() if any(c.target for c in n.citations if c.kind == "work")) == 36


def test_golden_ibid_and_archives(linked):
    ibid30 = [c for c in linked[30].citations if c.kind == "ibid"]
    assert [(c.target, c.locator) for c in ibid30] == [("khlevniuk-1996-bolshevistkoe", "320")]
    note44 = linked[44].citations[0]
    assert note44.editorial == "corrected" and note44.repeats == "n43-1"
    assert (note44.archive.delo, note44.archive.listy) == ("2669", "58")
    assert linked[15].citations[0].archive.listy == "9"
    assert linked[72].citations[0].archive.listy == "14"
    assert all(c.repeats for n in linked.values() for c in n.citations if c.kind == "ibid")
    notes_by_file = Counter()
    for n in linked.values():
        for delo in {c.archive.delo for c in n.citations if c.archive}:
            notes_by_file[delo] += 1
    assert notes_by_file == {"2668": 8, "2669": 10, "2670": 14, "2672": 1, "2674": 17, "2675": 2}
    periodicals = [(n.n, c.periodical) for n in linked.values() for c in n.citations if c.kind == "periodical"]
    assert periodicals == [(23, "Izvestiia"), (28, "Leningradskaia pravda"), (32, "Leningradskaia Pravda")]


# --- serve's memo of links ------------------------------------------------------------------------

def test_links_kept_by_serve_give_the_same_edition_and_are_made_again_when_a_note_changes(tmp_path):
    """serve keeps each article's links by the notes and bibliography they were made from (Job.link_memo):
    every file of the article built with links kept is the file built without, and a correction that changes
    a note links the notes again."""
    import pickle
    from dataclasses import replace

    import build
    from conftest import PROJECT, SEED

    out = tmp_path / "out"
    (out / "edition" / SEED.stem).mkdir(parents=True)
    corrections = out / "edition" / SEED.stem / "corrections.yaml"
    text = (PROJECT / "edition" / SEED.stem / "corrections.yaml").read_text(encoding="utf-8")
    corrections.write_text(text, encoding="utf-8")
    job = build.make_job(build.parse_args(["--seed", str(SEED), "--out", str(out)]))
    extracted = pickle.dumps(build.ARTICLE[0](replace(job, works=job.works[:1])).works[0])

    def files(memo):
        one = replace(job, works=[pickle.loads(extracted)], files={}, link_memo=memo)
        for stage in build.ARTICLE[1:]:
            one = stage(one)
        return one.files

    memo: dict = {}
    linked = files(None)
    assert files(memo) == linked and memo  # linked, and kept
    kept = memo[SEED.stem]
    assert files(memo) == linked and memo[SEED.stem] is kept  # from the memo

    corrections.write_text(text.replace('edition: "Ibid., l. 9."', 'edition: "Ibid., ll. 9–10."'), encoding="utf-8")
    relinked = files(None)
    assert relinked != linked
    assert files(memo) == relinked and memo[SEED.stem] is not kept  # the note changed: linked again
