"""The reader of Word manuscripts (.docx): the author's manuscript, read from its XML (zipfile and lxml).

It gives the lines a text seed holds (title block, paragraphs separated by blank lines, a 'Notes' line and the
notes, a references line and the entries), so the structure rules after it are those of text seeds; but what an
extraction must guess at, a manuscript says:

- a note's marker is Word's footnote or endnote reference: written as superscript digits where it stands, the
  notes numbered in the order their references stand in the text, as Word numbers them (footnotes and endnotes
  together numbered through as one sequence, and that recorded);
- the notes are Word's own (word/footnotes.xml, word/endnotes.xml): written after the text under 'Notes', one a
  line, a note's paragraphs joined; a references section (a paragraph reading 'References', 'Bibliography' …,
  and one entry a paragraph after it) is written after the notes;
- the text is what Word shows with changes tracked: insertions kept, deletions left out; a field's result kept,
  its code not; links, content controls and smart tags read as text; text boxes left aside;
- italics (a run's own, or its character style's) as *…*;
- paragraphs in the manuscript's order, a table's cell by cell; the title and the author line as they stand (the
  title block's rules tell them apart, in either order), a Subtitle (or a second Title paragraph) joined to the
  title ('Title: Subtitle', as a title line ending in a colon takes the next), a paragraph reading only
  'Abstract' to the one it labels.

Lines carry no printed page. What cannot be read fails clearly: a file that is no .docx (a text file, an old
Word 97–2003 document, an encrypted one), a damaged one (zip or XML), a part larger than an article can be (a
zip bomb), a manuscript without footnotes or endnotes, and a note with a mark of its own instead of a number.
"""
from __future__ import annotations

import io
import re
import zipfile
import zlib
from pathlib import Path

from lxml import etree

from ..textrules import SUPERSCRIPTS
from .common import NOTES_HEADINGS, REFERENCES_HEADINGS, Line, Work

MAX_PART = 50 * 2**20
"""Bytes a part of the document may take uncompressed: far more than an article's text; a larger part is refused
before it is read (a zip bomb)."""
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
_NAMESPACES = {"http://schemas.openxmlformats.org/wordprocessingml/2006/main",  # Transitional: what Word writes
               "http://purl.oclc.org/ooxml/wordprocessingml/main"}  # Strict
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""An OLE compound file: an old .doc, or an encrypted Office document (the package inside, encrypted)."""
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError, RuntimeError)
"""What zipfile raises on a damaged or cut-short archive (a bad offset, a version or method never written)."""
_OFF = {"0", "false", "off"}
_LEFT_OUT = {"del", "moveFrom"}
"""Inside a paragraph: text deleted, or moved elsewhere, with its changes tracked."""
_BLOCKS = {"tbl", "tr", "tc", "sdt", "sdtContent", "customXml"}
"""What holds paragraphs of the text: tables and content controls (a text box's paragraphs are in runs)."""

NO_DOCX = "this file is named .docx but is no Word document (.docx)"
GIVE_DOCX = "give the manuscript as Word saves it (.docx), or the article's text as a .txt seed"
RESAVE = "open it in Word or LibreOffice and save it again, or give the article's text as a .txt seed"


def read_docx(path: Path, work: Work) -> tuple[list[Line], bytes]:
    """The manuscript's lines, as a text seed would hold them."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        work.fail(0, "cannot read the file", exc.strerror or str(exc), "check the path and its permissions")
    doc = _Manuscript(_archive(data, work), work)
    # Word writes the notes after the text by itself; a 'Notes' heading the author typed there would stand twice.
    paragraphs = [(style, text) for style, text in doc.paragraphs() if text and _bare(text) not in NOTES_HEADINGS]
    if not doc.numbers:
        work.fail(0, "the manuscript has no footnotes or endnotes", "",
                  "an edition needs the notes: give the manuscript with its notes as Word's footnotes or endnotes, "
                  "or its text as a .txt seed")
    # The last such heading: a section of the text may be called 'Sources', the bibliography comes at the end.
    refs = max((i for i, (_, text) in enumerate(paragraphs) if _bare(text) in REFERENCES_HEADINGS),
               default=len(paragraphs))
    out = [line for _, text in _joined(paragraphs[:refs]) for line in (text, "")] + ["Notes", ""]
    kinds = sorted({kind for kind, _ in doc.numbers})
    if len(kinds) > 1:
        counts = {kind: sum(k == kind for k, _ in doc.numbers) for kind in kinds}
        work.doubt("inferred", len(out) - 1, f"the manuscript has both footnotes ({counts['footnote']}) and endnotes "
                   f"({counts['endnote']}): they are numbered through as one sequence, in the order of their markers")
    out += [f"{n}. {doc.note(key)}" for key, n in list(doc.numbers.items())]
    if refs < len(paragraphs):
        out += ["", paragraphs[refs][1].replace("*", ""), ""] + [text for _, text in paragraphs[refs + 1:]]
    work.markers_known = True
    return [Line(i + 1, text) for i, text in enumerate(out + [""])], data


def _archive(data: bytes, work: Work) -> zipfile.ZipFile:
    if data.startswith(_OLE):
        if "EncryptedPackage".encode("utf-16-le") in data:
            work.fail(0, "the Word document is encrypted (it opens only with its password)", "",
                      "save a copy without the password (in Word: File › Info › Protect Document) and give that")
        if "WordDocument".encode("utf-16-le") in data:
            work.fail(0, "this is an old Word document (Word 97–2003, .doc), not a .docx", "",
                      "open it in Word or LibreOffice, save it as a Word document (.docx) and give that")
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except _DAMAGED as exc:
        if data.startswith(b"PK\x03\x04"):
            work.fail(0, "the Word document is damaged or cut short", str(exc), "give the whole file, as Word saved it")
        work.fail(0, NO_DOCX, "", GIVE_DOCX)


def _bare(text: str) -> str:
    """A paragraph as a heading's name is compared (italics, case and a colon aside)."""
    return text.replace("*", "").strip().rstrip(":").lower()


def _joined(paragraphs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A Subtitle (or a second Title paragraph) joined to the title, and an 'Abstract' label to its paragraph."""
    out: list[tuple[str, str]] = []
    for style, text in paragraphs:
        last = out[-1] if out else None
        if last is not None and style == "subtitle":
            out[-1] = (last[0], f"{last[1]} {text}" if last[1].endswith(":") else f"{last[1]}: {text}")
        elif last is not None and (style == last[0] == "title" or _bare(last[1]) == "abstract"):
            out[-1] = (style, f"{last[1]} {text}")
        else:
            out.append((style, text))
    return out


class _Manuscript:
    """The document's parts, read as Word shows them; its notes numbered as their references are read."""

    def __init__(self, archive: zipfile.ZipFile, work: Work):
        self.archive, self.work = archive, work
        self.document = self._part("word/document.xml")
        if self.document is None:
            work.fail(0, f"{NO_DOCX}: the zip archive holds no word/document.xml", "", GIVE_DOCX)
        namespace = etree.QName(self.document).namespace
        if namespace not in _NAMESPACES:
            work.fail(0, f"{NO_DOCX}: word/document.xml is not WordprocessingML", namespace or "", GIVE_DOCX)
        self.w = "{" + namespace + "}"
        self.styles = self._styles(self._part("word/styles.xml"))
        self.notes = {kind: self._notes(self._part(f"word/{kind}s.xml"), kind) for kind in ("footnote", "endnote")}
        self.numbers: dict[tuple[str, str], int] = {}
        """(footnote or endnote, its id) -> its number, in the order the references are read."""

    def _part(self, name: str):
        """A part's root element; None when the package has no such part."""
        try:
            info = self.archive.getinfo(name)
        except KeyError:
            return None
        if info.file_size > MAX_PART:
            self.work.fail(0, f"{name} would be {-(-info.file_size // 2**20)} MB uncompressed, more than an article "
                           f"holds (at most {MAX_PART // 2**20} MB)", "", "give the manuscript as Word saved it")
        try:
            return etree.fromstring(self.archive.read(info), _PARSER)
        except _DAMAGED as exc:
            self.work.fail(0, "the Word document is damaged or cut short", str(exc),
                           "give the whole file, as Word saved it")
        except etree.XMLSyntaxError as exc:
            self.work.fail(0, f"the Word document is damaged: {name} is not well-formed XML", exc.msg, RESAVE)

    def _tag(self, element) -> str:
        """Its name in the WordprocessingML namespace; '' for anything else (drawings, markup compatibility)."""
        tag = element.tag
        return tag[len(self.w):] if isinstance(tag, str) and tag.startswith(self.w) else ""

    def _styles(self, root) -> dict[str, tuple[str, str | None, bool | None]]:
        """Style id -> (name in lower case, the style it is based on, its italic where it sets one)."""
        styles = {}
        for style in root.iter(self.w + "style") if root is not None else ():
            name, based, italic = (style.find(self.w + tag) for tag in ("name", "basedOn", "rPr/" + self.w + "i"))
            styles[style.get(self.w + "styleId")] = (
                name.get(self.w + "val", "").lower() if name is not None else "",
                based.get(self.w + "val") if based is not None else None,
                None if italic is None else italic.get(self.w + "val", "1") not in _OFF)
        return styles

    def _notes(self, root, kind: str) -> dict[str, etree._Element]:
        """Id -> note; the separator lines Word keeps among the notes (notes of a type) are none."""
        return {note.get(self.w + "id"): note for note in (root.findall(self.w + kind) if root is not None else ())
                if note.get(self.w + "type", "normal") == "normal"}

    def paragraphs(self, within=None):
        """(style name, text) of each paragraph of the text, in reading order, its notes numbered as it goes."""
        within = self.document.find(self.w + "body") if within is None else within
        for child in within if within is not None else ():
            tag = self._tag(child)
            if tag == "p":
                style = child.find(f"{self.w}pPr/{self.w}pStyle")
                sid = style.get(self.w + "val", "") if style is not None else ""
                yield self.styles.get(sid, (sid.lower(),))[0], self._text(child)
            elif tag in _BLOCKS:
                yield from self.paragraphs(child)

    def note(self, key: tuple[str, str]) -> str:
        """A note's paragraphs as one line (its own reference mark, w:footnoteRef, is not text)."""
        return " ".join(text for _, text in self.paragraphs(self.notes[key[0]][key[1]]) if text)

    def _text(self, paragraph) -> str:
        pieces: list[tuple[str, bool]] = []
        self._pieces(paragraph, pieces)
        return _markdown(pieces)

    def _pieces(self, element, pieces: list[tuple[str, bool]]) -> None:
        """The text of a paragraph's runs as (text, italic), wherever they stand inside it."""
        for child in element:
            tag = self._tag(child)
            if tag == "r":
                self._run(child, pieces)
            elif tag and tag not in _LEFT_OUT:
                self._pieces(child, pieces)

    def _run(self, run, pieces: list[tuple[str, bool]]) -> None:
        italic = self._italic(run)
        for child in run:
            tag = self._tag(child)
            if tag == "t":
                pieces.append((child.text or "", italic))
            elif tag in ("tab", "ptab", "br", "cr"):
                pieces.append((" ", italic))
            elif tag == "noBreakHyphen":
                pieces.append(("-", italic))
            elif tag in ("footnoteReference", "endnoteReference"):
                pieces.append((self._marker(child, pieces), False))  # a marker stands outside italics

    def _marker(self, reference, pieces: list[tuple[str, bool]]) -> str:
        kind, key = self._tag(reference).removesuffix("Reference"), reference.get(self.w + "id", "")
        if reference.get(self.w + "customMarkFollows", "0") not in _OFF:
            # Word leaves such a note out of its numbering; numbered here, every later note would change its
            # number, and the text's own references to notes ('see n. 12') would point at the wrong one.
            self.work.fail(0, f"a {kind} has a mark of its own instead of a number (after the words quoted)",
                           _markdown(pieces)[-40:], "let Word number it, or move its text into a numbered note")
        if key not in self.notes[kind]:
            self.work.fail(0, f"the Word document is damaged: the text calls {kind} {key}, which word/{kind}s.xml "
                           f"does not hold", _markdown(pieces)[-40:], RESAVE)
        n = self.numbers.setdefault((kind, key), len(self.numbers) + 1)
        return "".join(SUPERSCRIPTS[int(d)] for d in str(n))

    def _italic(self, run) -> bool:
        """A run's own italic or, where it sets none, its character style's. A paragraph style's italic is left
        aside: it is the look of a kind of paragraph (a quotation, a subtitle, a heading), not emphasis."""
        props = run.find(self.w + "rPr")
        if props is None:
            return False
        own = props.find(self.w + "i")
        if own is not None:
            return own.get(self.w + "val", "1") not in _OFF
        style = props.find(self.w + "rStyle")
        sid = style.get(self.w + "val") if style is not None else None
        seen = set()
        while sid in self.styles and sid not in seen:  # a loop of basedOn in a damaged styles.xml ends
            seen.add(sid)
            _, based, italic = self.styles[sid]
            if italic is not None:
                return italic
            sid = based
        return False


def _markdown(pieces: list[tuple[str, bool]]) -> str:
    """Italic stretches as *…*: adjacent italic runs, or ones that only a space parts, as one; spaces outside."""
    stretches: list[list] = []
    for text, italic in pieces:
        if stretches and (stretches[-1][1] == italic or not text.strip()):
            stretches[-1][0] += text
        elif text:
            stretches.append([text, italic])
    out = []
    for text, italic in stretches:
        core = text.strip()
        if italic and core:
            text = text[:len(text) - len(text.lstrip())] + f"*{core}*" + text[len(text.rstrip()):]
        out.append(text)
    return re.sub(r"[ \t\r\n]+", " ", "".join(out)).strip()
