"""The reader of Word manuscripts: invented articles written as their authors' .docx (python-docx, the notes
parts written here: python-docx has none) read exactly as written; what it reads inside a paragraph; every
refusal, word for word."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
import typeset
from docx import Document
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from editio.extract import extract
from editio.extract.common import Work
from editio.extract.docx import GIVE_DOCX, NO_DOCX, RESAVE, read_docx
from editio.problems import EditionError

W = nsdecls("w")
PIECES = re.compile(r"(\*[^*]+\*|\^\d+)")
PARTS = {"footnote": (CT.WML_FOOTNOTES, RT.FOOTNOTES), "endnote": (CT.WML_ENDNOTES, RT.ENDNOTES)}
ARTICLES = ["volga-horse-fairs", "kazan-tram-depot"]


# --- manuscripts ----------------------------------------------------------------------------------------------

def runs(text: str, ref=lambda n: ("footnote", str(n))) -> str:
    """Text as Word's runs: *…* in italics (w:i), ^N the reference of note N (ref gives its kind and id)."""
    out = []
    for part in PIECES.split(text):
        if part.startswith("^"):
            kind, key = ref(int(part[1:]))
            out.append(f'<w:r><w:rPr><w:rStyle w:val="{kind.capitalize()}Reference"/></w:rPr>'
                       f'<w:{kind}Reference w:id="{key}"/></w:r>')
        elif part:
            italic = part.startswith("*") and len(part) > 1
            out.append(f'<w:r>{"<w:rPr><w:i/></w:rPr>" if italic else ""}'
                       f'<w:t xml:space="preserve">{escape(part[1:-1] if italic else part)}</w:t></w:r>')
    return "".join(out)


def paragraph(doc, text: str = "", style: str | None = None, ref=lambda n: ("footnote", str(n)), xml: str = ""):
    """A paragraph in a style, its text as runs(), then raw runs (xml)."""
    p = doc.add_paragraph(style=style)
    for child in list(parse_xml(f"<w:x {W}>{runs(text, ref)}{xml}</w:x>")):
        p._p.append(child)


def note(kind: str, key: str, text: str) -> str:
    """A Word note: its paragraphs (parted in text by a blank line), the first beginning with the note's own mark."""
    mark = (f'<w:r><w:rPr><w:rStyle w:val="{kind.capitalize()}Reference"/></w:rPr><w:{kind}Ref/></w:r>'
            '<w:r><w:t xml:space="preserve"> </w:t></w:r>')
    paragraphs = "".join(f'<w:p><w:pPr><w:pStyle w:val="{kind.capitalize()}Text"/></w:pPr>{mark if i == 0 else ""}'
                         f"{runs(p)}</w:p>" for i, p in enumerate(text.split("\n\n")))
    return f'<w:{kind} w:id="{key}">{paragraphs}</w:{kind}>'


def save(doc, path: Path, notes: dict[str, list[str]]) -> Path:
    """The document saved with its notes parts (kind -> its notes' XML), Word's separators first."""
    for kind, xml in notes.items():
        separators = "".join(f'<w:{kind} w:type="{t}" w:id="{i}"><w:p><w:r><w:{t}/></w:r></w:p></w:{kind}>'
                             for i, t in ((-1, "separator"), (0, "continuationSeparator")))
        content_type, relationship = PARTS[kind]
        part = Part(PackURI(f"/word/{kind}s.xml"), content_type,
                    f"<w:{kind}s {W}>{separators}{''.join(xml)}</w:{kind}s>".encode(), doc.part.package)
        doc.part.relate_to(part, relationship)
    doc.save(path)
    return path


def manuscript(a: typeset.Article, path: Path, kinds=("footnote",)) -> Path:
    """The invented article as its author's manuscript: the title in the Title style, the author line, the abstract,
    headings in Heading 1 and 2, note n of kinds[n % len(kinds)] (ids unlike the numbers, the parts holding the
    notes in reverse: the numbers come from the order of the references), the references after a heading."""
    ids = {n: (kinds[n % len(kinds)], str(1000 - n)) for n in a.notes}
    doc = Document()
    paragraph(doc, a.title, "Title")
    paragraph(doc, ", ".join(a.authors))
    paragraph(doc, a.abstract)
    for i, s in enumerate(a.sections):
        if s["heading"]:
            paragraph(doc, s["heading"], f"Heading {1 + i % 2}", ids.get)
        for p in s["paragraphs"]:
            paragraph(doc, p, ref=ids.get)
    if a.references:
        paragraph(doc, "References", "Heading 1")
        for entry in a.references:
            paragraph(doc, entry)
    notes: dict[str, list[str]] = {}
    for n in sorted(a.notes, reverse=True):
        kind, key = ids[n]
        notes.setdefault(kind, []).append(note(kind, key, a.notes[n]))
    return save(doc, path, notes)


def lines(path: Path) -> list[str]:
    return [ln.text for ln in read_docx(path, Work(path.name))[0]]


def problem(path: Path):
    with pytest.raises(EditionError) as caught:
        extract(path, path.name)
    (p,) = caught.value.problems
    return p.path, p.line, p.what, p.value, p.todo


# --- invented articles, read exactly as written -------------------------------------------------------------

@pytest.mark.parametrize("kinds", [("footnote",), ("endnote",), ("footnote", "endnote")],
                         ids=["footnotes", "endnotes", "both"])
@pytest.mark.parametrize("name", ARTICLES)
def test_article_read_as_written(tmp_path, name, kinds):
    a = typeset.load(typeset.ARTICLES[[p.stem for p in typeset.ARTICLES].index(name)])
    path = manuscript(a, tmp_path / f"{name}.docx", kinds)
    edition, report = extract(path, path.name)
    want = typeset.expected(a)
    blocks = [("title", edition.title), ("abstract", edition.abstract)] + [
        (kind, b) for s in edition.sections
        for kind, b in ([("heading", s.heading)] if s.heading else []) + [("paragraph", p) for p in s.paragraphs]]
    assert [(kind, b.text) for kind, b in blocks] == want.blocks
    assert {m.n: (i, m.offset) for i, (_, b) in enumerate(blocks) for m in b.markers} == want.markers
    assert {m.form for _, b in blocks for m in b.markers} == {"superscript"}
    assert {n.n: n.text for n in edition.notes} == want.notes
    assert [e.raw for e in edition.bibliography] == want.references
    c = report.counts
    assert c["markers"] == c["notes"] == c["notes_anchored"] == len(a.notes)
    assert {b.page for _, b in blocks} | {n.page for n in edition.notes} == {""}
    assert edition.metadata.authors == a.authors
    mixed = [d.detail for d in report.doubts if "both footnotes" in d.detail]
    if len(kinds) == 2:
        footnotes = len(a.notes) // 2  # the even ones
        assert mixed == [(f"the manuscript has both footnotes ({footnotes}) and endnotes ({len(a.notes) - footnotes}): "
                          "they are numbered through as one sequence, in the order of their markers")]
    else:
        assert not mixed
    # The lines are those of the text seed, the title standing before the author line as in the manuscript.
    seed = typeset.text_seed(a).split("\n")
    assert lines(path) == [seed[2], "", seed[0], ""] + seed[4:]


# --- inside a paragraph ------------------------------------------------------------------------------------

def small(tmp_path: Path, *body, notes: dict[str, list[str]] | None = None, name: str = "small.docx") -> Path:
    """A manuscript of (text, style, xml) paragraphs; its notes those given, or one footnote (id 1)."""
    doc = Document()
    for text, style, xml in body:
        paragraph(doc, text, style, xml=xml)
    return save(doc, tmp_path / name, {"footnote": [note("footnote", "1", "A note.")]} if notes is None else notes)


def test_a_note_of_several_paragraphs_is_one_line(tmp_path):
    path = small(tmp_path, ("The text.^1", None, ""),
                 notes={"footnote": [note("footnote", "1", "First, *Kniga*, 12.\n\nSecond paragraph.\n\nThird.")]})
    assert lines(path)[-2:] == ["1. First, *Kniga*, 12. Second paragraph. Third.", ""]


def test_tracked_changes_read_as_word_shows_them(tmp_path):
    changes = ('<w:del w:id="7" w:author="A"><w:r><w:delText xml:space="preserve"> never</w:delText></w:r></w:del>'
               '<w:r><w:t xml:space="preserve"> closed in </w:t></w:r>'
               '<w:ins w:id="8" w:author="A"><w:r><w:t>1930</w:t></w:r></w:ins>'
               '<w:moveFrom w:id="9" w:author="A"><w:r><w:t> moved</w:t></w:r></w:moveFrom><w:r><w:t>.</w:t></w:r>')
    path = small(tmp_path, ("The fair", None, changes), ("Then.^1", None, ""))
    assert lines(path)[:2] == ["The fair closed in 1930.", ""]


def test_italics_on_and_off(tmp_path):
    off = '<w:r><w:rPr><w:rStyle w:val="Emphasis"/><w:i w:val="{}"/></w:rPr><w:t xml:space="preserve">{}</w:t></w:r>'
    path = small(tmp_path, ("", None, off.format("0", "plain ") + off.format("false", "also plain ")
                            + '<w:r><w:rPr><w:rStyle w:val="Emphasis"/></w:rPr><w:t>styled</w:t></w:r>'
                            + '<w:r><w:rPr><w:i/></w:rPr><w:t xml:space="preserve"> and </w:t></w:r>'
                            + '<w:r><w:rPr><w:i w:val="1"/></w:rPr><w:t>direct </w:t></w:r>'
                            + '<w:r><w:rPr><w:i w:val="off"/></w:rPr><w:t xml:space="preserve">words</w:t></w:r>'),
                 ("A quotation in an italic paragraph style.^1", "Quote", ""))
    assert lines(path)[:4] == ["plain also plain *styled and direct* words", "",
                               "A quotation in an italic paragraph style.¹", ""]


def test_marker_stands_outside_italics(tmp_path):
    path = small(tmp_path, ("See *Konskie iarmarki*^1 and *more* *words*.", None, ""))
    assert lines(path)[0] == "See *Konskie iarmarki*¹ and *more words*."


def test_links_fields_and_controls_read_as_text(tmp_path):
    xml = ('<w:hyperlink r:id="rId99" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
           '<w:r><w:t>Linked</w:t></w:r></w:hyperlink>'
           '<w:smartTag w:uri="u" w:element="place"><w:r><w:t xml:space="preserve"> Kazan</w:t></w:r></w:smartTag>'
           '<w:fldSimple w:instr=" DATE "><w:r><w:t xml:space="preserve"> 1926</w:t></w:r></w:fldSimple>'
           '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> REF x </w:instrText></w:r>'
           '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t xml:space="preserve"> result</w:t></w:r>'
           '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
           '<w:sdt><w:sdtPr><w:alias w:val="x"/></w:sdtPr><w:sdtContent><w:r><w:tab/><w:t>in</w:t></w:r>'
           '<w:r><w:br/><w:t>control</w:t><w:noBreakHyphen/><w:t>text.</w:t></w:r></w:sdtContent></w:sdt>')
    path = small(tmp_path, ("", None, xml), ("More.^1", None, ""))
    assert lines(path)[0] == "Linked Kazan 1926 result in control-text."


def test_title_block_abstract_typed_notes_heading_and_references(tmp_path):
    path = small(tmp_path, ("Fairs without Horses", "Title", ""), ("Trade and Requisition", "Subtitle", ""),
                 ("Marina Tveretskaia", None, ""), ("Abstract", "Heading 1", ""),
                 ("The fairs did not survive.", None, ""), ("", None, ""), ("The text.^1", None, ""),
                 ("Notes", "Heading 1", ""), ("Bibliography", "Heading 1", ""), ("Orekhov, Pavel. *Konskie*.", None, ""),
                 ("Sorin, Ilya. Buyer.", None, ""))
    assert lines(path) == ["Fairs without Horses: Trade and Requisition", "", "Marina Tveretskaia", "",
                           "Abstract The fairs did not survive.", "", "The text.¹", "", "Notes", "", "1. A note.", "",
                           "Bibliography", "", "Orekhov, Pavel. *Konskie*.", "Sorin, Ilya. Buyer.", ""]


def test_author_line_above_the_title(tmp_path):
    path = small(tmp_path, ("Marina Tveretskaia", None, ""), ("Fairs without Horses", "Title", ""),
                 ("The fairs did not survive.", None, ""), ("The text.^1", None, ""))
    edition, _ = extract(path, path.name)
    assert (edition.title.text, edition.metadata.authors) == ("Fairs without Horses", ["Marina Tveretskaia"])


def test_table_cells_read_and_text_boxes_left_aside(tmp_path):
    doc = Document()
    box = ('<w:r><w:pict><v:shape xmlns:v="urn:schemas-microsoft-com:vml"><v:textbox><w:txbxContent><w:p><w:r>'
           "<w:t>A text box.</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict></w:r>")
    paragraph(doc, "Before the table.", xml=box)
    table = doc.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Horses", "1929"
    paragraph(doc, "After it.^1")
    path = save(doc, tmp_path / "table.docx", {"footnote": [note("footnote", "1", "A note.")]})
    assert lines(path)[:8] == ["Before the table.", "", "Horses", "", "1929", "", "After it.¹", ""]


def test_strict_open_xml(tmp_path):
    path = small(tmp_path, ("Fairs without Horses", "Title", ""), ("The *fair* closed.^1", None, ""))
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    for name in ("word/document.xml", "word/footnotes.xml", "word/styles.xml"):
        _replace(path, name, parts[name].replace(b"http://schemas.openxmlformats.org/wordprocessingml/2006/main",
                                                 b"http://purl.oclc.org/ooxml/wordprocessingml/main"))
    assert lines(path) == ["Fairs without Horses", "", "The *fair* closed.¹", "", "Notes", "", "1. A note.", ""]


# --- refusals ------------------------------------------------------------------------------------------------

def test_missing_file(tmp_path):
    assert problem(tmp_path / "gone.docx") == ("gone.docx", 0, "cannot read the file", "No such file or directory",
                                               "check the path and its permissions")


def test_text_file_named_docx(tmp_path):
    path = tmp_path / "text.docx"
    path.write_text("Fairs without Horses\n\nNotes\n\n1. A note.\n")
    assert problem(path) == ("text.docx", 0, "this file is named .docx but is no Word document (.docx)", "",
                             "give the manuscript as Word saves it (.docx), or the article's text as a .txt seed")


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)


@pytest.mark.parametrize("streams, what, todo", [
    (["WordDocument", "1Table"], "this is an old Word document (Word 97–2003, .doc), not a .docx",
     "open it in Word or LibreOffice, save it as a Word document (.docx) and give that"),
    (["EncryptionInfo", "EncryptedPackage"], "the Word document is encrypted (it opens only with its password)",
     "save a copy without the password (in Word: File › Info › Protect Document) and give that"),
    (["Workbook"], NO_DOCX, GIVE_DOCX),
], ids=["doc", "encrypted", "other-ole"])
def test_ole_compound_file(tmp_path, streams, what, todo):
    path = tmp_path / "old.docx"
    path.write_bytes(OLE + b"".join(s.encode("utf-16-le").ljust(64, b"\0") for s in streams))
    assert problem(path) == ("old.docx", 0, what, "", todo)


def test_zip_without_document(tmp_path):
    path = tmp_path / "odt.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", "<office:document-content/>")
    assert problem(path) == ("odt.docx", 0, NO_DOCX + ": the zip archive holds no word/document.xml", "", GIVE_DOCX)


def test_cut_short(tmp_path):
    path = small(tmp_path, ("The text.^1", None, ""))
    path.write_bytes(path.read_bytes()[:3000])
    assert problem(path) == ("small.docx", 0, "the Word document is damaged or cut short", "File is not a zip file",
                             "give the whole file, as Word saved it")


def _replace(path: Path, name: str, content: bytes) -> Path:
    """The package with one part's content replaced."""
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts[name] = content
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in parts.items():
            z.writestr(n, data)
    return path


@pytest.mark.parametrize("part", ["word/document.xml", "word/footnotes.xml", "word/styles.xml"])
def test_damaged_xml(tmp_path, part):
    path = _replace(small(tmp_path, ("The text.^1", None, "")), part, f"<w:document {W}><w:body>".encode())
    assert problem(path) == ("small.docx", 0, f"the Word document is damaged: {part} is not well-formed XML",
                             "Premature end of data in tag body line 1, line 1, column 92", RESAVE)


def test_entities_are_not_resolved(tmp_path):
    xml = (f'<!DOCTYPE d [<!ENTITY secret SYSTEM "file:///etc/hostname">]><w:document {W}><w:body><w:p><w:r>'
           '<w:t>Text&secret;</w:t><w:footnoteReference w:id="1"/></w:r></w:p></w:body></w:document>')
    path = _replace(small(tmp_path, ("x", None, "")), "word/document.xml", xml.encode())
    assert lines(path)[0] == "Text¹"


def test_zip_bomb_refused_before_it_is_read(tmp_path):
    path = small(tmp_path, ("The text.^1", None, ""))
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist() if n != "word/document.xml"}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in parts.items():
            z.writestr(n, data)
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            for _ in range(50):
                f.write(b" " * 2**20)
            f.write(b" ")
    assert path.stat().st_size < 2**20
    what = "word/document.xml would be 51 MB uncompressed, more than an article holds (at most 50 MB)"
    assert problem(path) == ("small.docx", 0, what, "", "give the manuscript as Word saved it")


def test_no_notes(tmp_path):
    path = small(tmp_path, ("Title", "Title", ""), ("A text without notes.", None, ""), notes={})
    todo = ("an edition needs the notes: give the manuscript with its notes as Word's footnotes or endnotes, "
            "or its text as a .txt seed")
    assert problem(path) == ("small.docx", 0, "the manuscript has no footnotes or endnotes", "", todo)


def test_note_with_a_mark_of_its_own(tmp_path):
    star = '<w:r><w:footnoteReference w:customMarkFollows="1" w:id="1"/></w:r><w:r><w:t>*</w:t></w:r>'
    path = small(tmp_path, ("Fairs without Horses", "Title", star), ("The text.", None, ""))
    what = "a footnote has a mark of its own instead of a number (after the words quoted)"
    assert problem(path) == ("small.docx", 0, what, "Fairs without Horses",
                             "let Word number it, or move its text into a numbered note")


def test_reference_to_a_note_that_is_not_there(tmp_path):
    path = small(tmp_path, ("The text.^1 More.^2", None, ""))
    what = "the Word document is damaged: the text calls footnote 2, which word/footnotes.xml does not hold"
    assert problem(path) == ("small.docx", 0, what, "The text.¹ More.", RESAVE)
