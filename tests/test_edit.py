"""The edit mode's server side (editio/edit.py) on tiny files and on the seed: an entry is added to
corrections.yaml as a person would type it and nothing else in the file moves; undo takes out exactly that
entry; the words quoted are the edition's own, unique where they stand; what the page may not ask is refused,
word for word."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SEED
from editio import corrections, edit, link, yamlio
from editio.extract import extract
from editio.job import EditionWork, Job

ENTRY = {"note": 5, "after": "and Lev Kamenev.", "where": "p3", "reason": "Daniels and Schapiro"}
FILES = {
    "none": None,
    "comment only": "# Kept by hand.\n",
    "block style": "# Head.\n\nmarkers:\n  - note: 2\n    after: \"x y z\"\n    reason: r  # why\n\n# Next.\nemendations:\n"
                   "  - {where: note 1, source: a, edition: b, reason: c}\n",
    "flow entries": "markers:\n  - {note: 51, after: \"place new pressures upon workers.\", reason: \"…\"}\n",
    "list at column 0": "markers:\n- note: 2\n  after: w\n  reason: r\n",
    "empty list": "markers: []\naccept:\n  - {doubt: inferred, about: x, reason: y}\n",
    "no final newline": "# Only a comment",
}


@pytest.mark.parametrize("name", FILES)
def test_an_entry_goes_in_and_comes_out_leaving_every_other_line(name):
    text = FILES[name]
    added = edit.add_entry(text, "markers", ENTRY)
    data = yamlio.loads(added, name)
    assert dict(data["markers"][-1]) == ENTRY
    before = yamlio.loads(text, name) if text else None
    for section, items in (before or {}).items():
        if section != "markers":
            assert data[section] == items
    if text and text.endswith("\n") and "markers: []" not in text:
        kept = [ln for ln in text.splitlines() if ln.strip()]
        assert all(ln in added.splitlines() for ln in kept)  # comments, order and layout as they were
    removed = edit.remove_entry(added, "markers", ENTRY)
    if text is None:
        assert removed.strip() == edit.HEADER.strip()
    elif "markers: []" not in text and text.endswith("\n"):
        assert removed == text


def test_an_entry_reads_as_a_person_writes_it():
    added = edit.add_entry("# Mine.\n", "emendations", {"where": "note 30", "source": "a 2200strong party",
                                                        "edition": "a 2200-strong party", "reason": "Lost hyphen."})
    assert added == ("# Mine.\n\nemendations:\n  - where: note 30\n    source: a 2200strong party\n"
                     "    edition: a 2200-strong party\n    reason: Lost hyphen.\n")
    quoted = edit.add_entry(None, "accept", {"doubt": "inferred", "about": "yes: no", "reason": "true"})
    assert yamlio.loads(quoted, "x")["accept"][0] == {"doubt": "inferred", "about": "yes: no", "reason": "true"}


def test_a_section_written_on_one_line_is_left_to_the_editor():
    with pytest.raises(edit.Refused) as refused:
        edit.add_entry("markers: [{note: 2, after: w, reason: r}]\n", "markers", ENTRY)
    assert refused.value.why == ("the 'markers' section of corrections.yaml is written on one line (flow style): "
                                 "add this entry by hand, or write the section as a list")


def test_undo_of_an_entry_changed_by_hand_is_refused():
    added = edit.add_entry("# x\n", "markers", ENTRY).replace("Daniels", "Schapiro")
    with pytest.raises(edit.Refused) as refused:
        edit.remove_entry(added, "markers", ENTRY)
    assert refused.value.status == 409


# --- entries from what the page sends, on the seed ----------------------------------------------------------

@pytest.fixture(scope="module")
def seed_edition():
    edition, report = extract(SEED, SEED.name)
    return edition, report


def _shown_before(edition, block_id: str, words: str) -> str:
    block = {b.id: b for b in edition.blocks()}[block_id]
    shown, _ = edit.visible(block.text)
    return shown[:shown.index(words) + len(words)]


def test_a_marker_after_the_place_clicked_quotes_the_fewest_words_unique_there(seed_edition):
    edition, report = seed_edition
    before = _shown_before(edition, "p3", "faction of Zinoviev and Lev Kamen")  # clicked inside the word
    section, fields = edit.entry({"action": "marker", "note": 5, "where": "p3", "before": before, "reason": "r"},
                                 edition, report)
    assert (section, fields) == ("markers", {"note": 5, "after": "and Lev Kamenev.", "where": "p3", "reason": "r"})
    assert len(corrections._find(edition, fields["after"], "p3")) == 1


def test_an_emendation_of_words_found_twice_takes_the_words_before_them(seed_edition):
    edition, report = seed_edition
    note = next(n for n in edition.notes if n.text.count("Ibid") == 0 and n.text.count(", ") >= 2)
    shown, _ = edit.visible(note.text)
    first = shown.index(", ")
    second = shown.index(", ", first + 1)
    section, fields = edit.entry({"action": "emend", "where": f"note {note.n}", "before": shown[:second],
                                 "source": ",", "edition": ";", "reason": "r"}, edition, report)
    assert section == "emendations" and fields["source"].endswith(",") and fields["edition"].endswith(";")
    assert fields["source"][:-1] == fields["edition"][:-1] and len(fields["source"]) > 1
    assert len(corrections._find(edition, fields["source"], f"note {note.n}")) == 1


def test_a_lacuna_and_an_accepted_doubt(seed_edition):
    edition, report = seed_edition
    before = _shown_before(edition, "p12", "to elect their delegations. The")
    assert edit.entry({"action": "lacuna", "where": "p12", "before": before, "reason": "r"}, edition, report) == (
        "lacunae", {"after": "their delegations. The", "where": "p12", "reason": "r"})
    index = next(i for i, d in enumerate(x for x in report.doubts if not x.resolved_by) if d.kind == "inferred")
    section, fields = edit.entry({"action": "accept", "doubt": index, "reason": "As printed."}, edition, report)
    assert section == "accept" and fields["doubt"] == "inferred" and fields["reason"] == "As printed."


def test_a_link_doubt_settled_by_choosing_the_entry(tmp_path):
    seed = Path(__file__).parent / "seeds" / "gorky-car-plant-author-date.txt"
    edition, report = extract(seed, seed.name)
    work = EditionWork(seed, "gorky", seed.name)
    work.edition, work.report = edition, report
    link.stage(Job(tmp_path, tmp_path / "edition", tmp_path / "site", [work]))
    doubt = next(d for d in report.doubts if d.kind == "unresolved-citation" and d.note == 8)
    section, fields = edit.entry({"action": "link", "note": 8, "text": doubt.excerpt, "target": "kuromiya-1988b-crisis",
                                  "reason": "The crisis of 1928 is the subject of 1988b."}, edition, report)
    assert section == "citations" and fields == {"note": 8, "text": "Kuromiya 1988, p. 301",
                                                 "target": "kuromiya-1988b-crisis",
                                                 "reason": "The crisis of 1928 is the subject of 1988b."}
    written = edit.add_entry(None, section, fields)
    loaded = corrections.Corrections("c", {"citations": [(1, corrections.LinkCitation(**fields))]})
    assert corrections.apply_citations(edition, report.doubts, loaded) == []
    assert yamlio.loads(written, "x")["citations"][0]["target"] == "kuromiya-1988b-crisis"
    with pytest.raises(edit.Refused) as refused:
        edit.entry({"action": "link", "note": 8, "text": doubt.excerpt, "target": "nobody-1900", "reason": "r"},
                   edition, report)
    assert refused.value.why == "no bibliography entry has the key 'nobody-1900'"


REFUSALS = [
    ({"action": "marker", "note": 5, "where": "p3", "before": "x", "reason": ""},
     "give the reason (the evidence) for this decision"),
    ({"action": "marker", "note": 5, "where": "p999", "before": "x", "reason": "r"},
     "there is no block 'p999' in this edition"),
    ({"action": "marker", "note": 5, "where": "p3", "before": "words nowhere in it", "reason": "r"},
     "the words before the place in p3 ('…words nowhere in it') occur 0 times there: click again, or type more "
     "of the words"),
    ({"action": "marker", "note": 999, "where": "p3", "before": "Lev Kamenev.", "reason": "r"}, "there is no note 999"),
    ({"action": "unknown", "reason": "r"}, "unknown action 'unknown'"),
    ({"action": "marker", "note": "5", "where": "p3", "before": "Lev Kamenev.", "reason": "r"}, "'note' must be a number"),
]


@pytest.mark.parametrize("request_, why", REFUSALS)
def test_what_the_page_may_not_ask_is_refused(seed_edition, request_, why):
    with pytest.raises(edit.Refused) as refused:
        edit.entry(request_, *seed_edition)
    assert refused.value.why == why


def test_a_file_changed_since_the_page_saw_it_is_not_written(seed_edition):
    with pytest.raises(edit.Refused) as refused:
        edit.change({"action": "accept", "doubt": 0, "reason": "r", "digest": edit.digest("# as the page saw it\n")},
                    "# changed by hand\n", *seed_edition)
    assert (refused.value.status, refused.value.why) == (409, (
        "corrections.yaml was changed (by hand, or in another page) since this page was loaded: nothing was "
        "written; the page reloads with the file as it is now"))


class Headers(dict):
    pass


@pytest.mark.parametrize("headers, method, why", [
    ({"Host": "127.0.0.1:8000", "Origin": "http://127.0.0.1:8000", "X-Editio-Secret": "s"}, "POST", ""),
    ({"Host": "localhost:8000", "Origin": "http://localhost:8000", "X-Editio-Secret": "s"}, "POST", ""),
    ({"Host": "127.0.0.1:8000", "Origin": "http://127.0.0.1:8000"}, "POST",
     "the request does not carry this run's secret"),
    ({"Host": "127.0.0.1:8000", "Origin": "https://evil.example", "X-Editio-Secret": "s"}, "POST",
     "the request does not come from this server's pages"),
    ({"Host": "rebound.example:8000", "Origin": "http://rebound.example:8000", "X-Editio-Secret": "s"}, "POST",
     "the request is not addressed to this server"),
    ({"Host": "127.0.0.1:8000", "Origin": "http://127.0.0.1:8000", "X-Editio-Secret": "s"}, "GET",
     "only POST writes"),
])
def test_only_this_servers_pages_may_write(headers, method, why):
    assert edit.allowed(method, Headers(headers), "s", 8000) == why
