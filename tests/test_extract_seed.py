"""Golden tests on the real seed. Every expectation here was checked by reading the seed."""
from __future__ import annotations

from editio.textrules import SUPERSCRIPTS

UNANCHORED = [5, 6, 9, 26, 27, 28, 31, 32, 33, 34, 39, 46, 51, 58, 59, 67, 68, 70,
              75, 76, 77, 78, 79, 80, 81, 82, 83]


def markers(edition):
    return {m.n: (b, m) for b in edition.blocks() for m in b.markers}


def test_metadata_from_cover_page(real):
    m = real[0].metadata
    assert m.title.startswith("'MERCILESS WAR' AGAINST TRIFLES: THE LENINGRAD PARTY ORGANISATION")
    assert m.title.endswith("ZINOVIEV OPPOSITION")
    assert m.authors == ["Yiannis Kokosalakis"]
    assert (m.journal, m.volume, m.issue, m.year, m.pages) == ("Revolutionary Russia", "28", "1", "2015", "48–68")
    assert m.doi == "10.1080/09546545.2015.1053697"
    assert m.issn == "0954-6545 (Print) 1743-7873 (Online)"


def test_sections_and_paragraphs(real):
    edition = real[0]
    headings = [s.heading.text if s.heading else None for s in edition.sections]
    assert headings == [None, "The rise and fall of the Opposition", "Leningrad returns to the fold",
                        "The new leadership gets to work", "Conclusion", "Acknowledgements"]
    assert [len(s.paragraphs) for s in edition.sections] == [2, 9, 8, 17, 4, 1]
    assert edition.abstract.text.startswith("This article examines the process")
    assert edition.abstract.markers == []
    ids = [p.id for s in edition.sections for p in s.paragraphs]
    assert ids == [f"p{i}" for i in range(1, 42)]


def test_page_breaks_rejoined(real):
    edition, report = real
    joins = sorted(r.line for r in report.repairs if r.kind == "page-break-join")
    assert joins == [31, 39, 47, 57, 69, 87, 95, 103, 113, 121, 131]
    para = {p.id: p for s in edition.sections for p in s.paragraphs}
    assert "specific issues affected the stated ideological goals" in para["p2"].text
    assert para["p2"].lines == [29, 31]
    vasil = next(p for p in para.values() if 101 in p.lines)
    assert "reviewed the activity of the Vasileostrovskii raikom." in vasil.text


def test_lacuna_reported_not_joined(real):
    edition, report = real
    lacunae = [d for d in report.doubts if d.kind == "suspected-lacuna"]
    assert [d.line for d in lacunae] == [61]
    para = next(p for s in edition.sections for p in s.paragraphs if p.lines == [61])
    assert para.text.endswith("to elect their delegations. The")


def test_hyphen_repairs(real):
    _, report = real
    fixes = {(r.kind, r.before, r.after, r.line) for r in report.repairs
             if r.kind in ("dehyphenation", "hyphen-restored")}
    assert fixes == {("dehyphenation", "Evdo-kimov's", "Evdokimov's", 87),
                     ("hyphen-restored", "rank-andfile", "rank-and-file", 75)}


def test_eighty_seven_notes(real):
    notes = real[0].notes
    assert [n.n for n in notes] == list(range(1, 88))
    assert notes[0].text.startswith("An earlier version of this paper was presented")
    assert notes[86].text == ("Black, 'Party Crisis'; Chase, Workers; Hatch, 'The \"Lenin Levy\"; "
                              "Merridale, Moscow Politics; Shimotomai, Moscow under Stalinist Rule.")
    assert not any("References" in n.text or "Marina S." in n.text or "ROSSPEN" in n.text for n in notes)


def test_notes_recovered_and_merged(real):
    edition, report = real
    notes = {n.n: n for n in edition.notes}
    recovered = {(r.line, r.after) for r in report.repairs if r.kind == "note-number-recovered"}
    assert recovered == {(157, "13"), (175, "30")}
    assert notes[13].text.startswith("As a rule, the first names of contributors")
    assert notes[30].text.startswith("Some clarificatory remarks need to be made here.")
    assert notes[30].text.endswith("the manner of work of the new regional leadership.")
    assert notes[10].lines == [152, 154]
    assert "Piotr Zalutskii. He noted that the factors" in notes[10].text
    assert notes[10].text.endswith("See also Black, 'Party Crisis', 110–12.")
    assert notes[56].lines == [202, 204]
    assert notes[56].text.endswith("did not leave in search of better terms of employment. "
                                   "RGASPI, f. 17, op. 21, d. 2675, l. 18.")


def test_markers_in_every_printed_form(real):
    edition, report = real
    found = markers(edition)
    assert sorted(set(range(1, 88)) - set(found)) == UNANCHORED
    assert len(found) == 60
    assert report.markers_by_form == {"after-quote": 3, "after-space": 16, "glued": 2, "superscript": 39}
    title, m1 = found[1]
    assert title.id == "title" and m1.form == "superscript" and m1.offset == len(title.text)
    block, m13 = found[13]
    assert block.text[:m13.offset].endswith("Korolev") and m13.printed == "¹³"
    block, m14 = found[14]
    assert block.text[:m14.offset].endswith("Leonov Tram depot.") and m14.form == "after-space"
    block, m8 = found[8]
    assert block.text[:m8.offset].endswith("temporary character of the situation.") and m8.form == "glued"
    block, m21 = found[21]
    assert block.text[:m21.offset].endswith("restrain his more aggressive followers.'") and m21.form == "after-quote"
    block, m2 = found[2]
    assert block.text[:m2.offset].endswith("first decade of Soviet rule,")
    assert block.text[m2.offset:].startswith(" the aftermath")


def test_damaged_marker_repaired_from_sequence(real):
    edition, report = real
    block, m43 = markers(edition)[43]
    assert m43.printed_n == 48 and m43.printed == " 48"
    assert block.text[:m43.offset].endswith("factionalism by local Party leaders.")
    fixes = [(r.line, r.before, r.after) for r in report.repairs if r.kind == "marker-repaired"]
    assert fixes == [(75, "48", "43")]
    assert markers(edition)[48][1].printed == "⁴⁸"


def test_dates_and_counts_stay_text(real):
    edition = real[0]
    text = " ".join(b.text for b in edition.blocks())
    assert not any(c in text for c in SUPERSCRIPTS)
    assert "Kirov, on 1 December 1934. To a large extent" in text
    assert "in 1918. Although we may speculate" in text
    assert "hovered around a dismal 30%," in text


def test_unanchored_notes_reported_with_stretch(real):
    edition, report = real
    doubts = [d for d in report.doubts if d.kind == "unanchored-note"]
    assert [d.note for d in doubts] == UNANCHORED
    d51 = next(d for d in doubts if d.note == 51)
    assert d51.detail.endswith("between marker 50 and marker 52")
    assert "Regime of Economy" in d51.excerpt
    d5 = next(d for d in doubts if d.note == 5)
    assert "between marker 4 and marker 7" in d5.detail


def test_bibliography(real):
    entries = real[0].bibliography
    assert len(entries) == 41
    keys = [e.key for e in entries]
    assert len(set(keys)) == 41
    assert keys[:2] == ["astakhova-2007-stenogrammy", "black-1994-party"]
    first, black = entries[0], entries[1]
    assert first.role == "editor" and [p.family for p in first.authors] == ["Astakhova", "Gorskaya", "Vatlin"]
    assert black.type == "article-journal" and black.container == "Europe-Asia Studies"
    assert (black.volume, black.issue, black.year, black.pages) == ("46", "1", "1994", "107–26")
    by_key = {e.key: e for e in entries}
    repeated = by_key["black-1928-zinoviev"]
    assert repeated.raw.startswith("———.") and repeated.authors[0].family == "Black"
    damaged = by_key["priestland-2007-stalinism"]
    assert damaged.raw.startswith(". Stalinism") and damaged.authors[0].family == "Priestland"
    assert by_key["carr-1960-socialism"].title == "Socialism in One Country"
    assert by_key["weiner-1991-razmychka"].type == "chapter"
    assert by_key["roh-2010-stalins"].type == "thesis"
    assert by_key["xiv-1926-sezd"].authors == []
    assert by_key["pavlova-1993-stalinizm"].place == "Novosibirsk"
    assert entries[-1].key == "xiv-1926-sezd"
