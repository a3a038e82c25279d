"""The reader of PDF seeds: the article's own PDF, read from its text layer with PDFium (pypdfium2).

It gives the lines a text seed holds (title block, paragraphs separated by blank lines, headings, a 'Notes'
line and the notes, a references line and the entries), so the structure rules after it are those of text
seeds; but it reads from the layout, with certainty, what a PDF-to-text extraction loses or damages:

- a marker is a smaller glyph raised above its line's baseline: it is written as superscript digits, which the
  marker rules take as they stand;
- running heads (the same words at the top of several pages) and page numbers are page furniture: dropped, the
  page numbers kept as the printed page of every line;
- a footnote is a smaller line at the foot of a page below the text, starting with its number; one that goes on
  at the foot of the next page is joined, numbering that starts again on each page is made continuous (its
  markers with it), and the footnotes are written after the text under 'Notes', as endnotes are;
- a word the typesetter hyphenated at a line's end (PDFium marks such hyphens) is joined; a hyphen the text
  prints is kept;
- italics (the font's) as *…*; a paragraph goes on across a page when the next page does not begin a new one
  (no indent, no gap); headings are lines in a larger or bold font.

Each line carries the printed page it stands on; where a paragraph or note goes on onto another page, the
point is marked in its text (common.page_mark) for the extraction to record as a page break. What cannot be read
fails clearly: a file that is no PDF or is damaged, an encrypted one, a scan without a text layer, more pages
than a journal article has, a PDF that takes too long.
"""
from __future__ import annotations

import ctypes
import re
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..textrules import SUPERSCRIPTS
from .common import NOTES_HEADINGS, REFERENCES_HEADINGS, Line, Work, page_mark

MAX_PAGES = 400
"""Pages a seed may have: far more than any article; a longer PDF is refused."""
TIME_LIMIT = 60.0
"""Seconds the reading may take before it is stopped with an error."""
_HYPHENS = "-\u00ad\ufffe\u2010"
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(slots=True)
class _Glyph:
    ch: str
    x: float
    y: float
    size: float
    italic: bool
    bold: bool
    hyphen: bool
    superior: bool = False
    """A superior figure of the font's own (OpenType 'sups'): a digit in the text's size, drawn small and high."""
    actual: str = ""
    """For a hyphen, what the PDF says it stands for where it says so (its actual text): '-' the text's own
    hyphen, a soft hyphen (U+00AD) the typesetter's; or, where PDFium gives its Unicode as it stands (at a page's
    end), a soft hyphen."""
    font: str = ""
    """For a hyphen at a line's end, its font's name."""

    def space(self) -> _Glyph:
        """A space after this glyph, standing where it stands (within a line, where a space stands does not
        matter)."""
        return _Glyph(" ", self.x, self.y, self.size, False, False, False)


@dataclass
class _PLine:
    """A printed line of a page, its glyphs in reading order."""

    page: int
    """Index of its page in the PDF."""
    glyphs: list[_Glyph]
    base: float
    """Baseline (PDF units, from the bottom of the page)."""
    size: float
    """Size of its text (its superscripts aside)."""
    x0: float = 0.0
    x1: float = 0.0
    kind: str = "body"
    """body, footnote, furniture."""
    text: str = ""
    """Its characters (set once its glyphs are)."""


@dataclass
class _Page:
    index: int
    lines: list[_PLine]
    label: str = ""
    """The page number printed on it (or, where none is, its place in the PDF)."""
    height: float = 0.0


@dataclass
class _Piece:
    """A paragraph, heading, note or entry being written: its glyphs with the page each stretch stands on."""

    kind: str
    glyphs: list[tuple[_Glyph, bool, int]] = field(default_factory=list)
    """(glyph, superscript, page index)."""
    n: int = 0
    """For a note: its number."""
    joins: list[tuple[str, str, str]] = field(default_factory=list)
    """Words hyphenated at a line's end and joined: (as printed, as joined, on what evidence)."""


def read_pdf(path: Path, work: Work) -> tuple[list[Line], bytes]:
    """The PDF's lines, as a text seed would hold them, each with its printed page."""
    import pypdfium2 as pdfium  # only when a PDF is read: the library is large

    try:
        data = path.read_bytes()
    except OSError as exc:
        work.fail(0, "cannot read the file", exc.strerror or str(exc), "check the path and its permissions")
    if not data.lstrip()[:5] == b"%PDF-":
        work.fail(0, "this file is named .pdf but is no PDF", data[:40].decode("latin-1").split("\n")[0].strip(),
                  "give the article's PDF, or its text extraction as a .txt seed")
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            work.fail(0, "the PDF is encrypted", "",
                      "give an unencrypted copy (e.g. qpdf --password=PASSWORD --decrypt IN.pdf OUT.pdf)")
        work.fail(0, "the PDF cannot be read: it is damaged or cut short", str(exc),
                  "give the whole file, as the publisher made it")
    if len(doc) > MAX_PAGES:
        work.fail(0, f"the PDF has {len(doc)} pages, more than an article has", "",
                  f"give one article (at most {MAX_PAGES} pages)")
    started = time.monotonic()
    pages = []
    for i in range(len(doc)):
        if time.monotonic() - started > TIME_LIMIT:
            work.fail(0, f"reading the PDF took longer than {TIME_LIMIT:.0f} s and was stopped", "",
                      "report it, with the PDF")
        pages.append(_read_page(doc, i))
    doc.close()
    if sum(len(p.lines) for p in pages) == 0:
        work.fail(0, "no text layer: the PDF holds images of pages only", "",
                  "run OCR first, e.g. ocrmypdf IN.pdf OUT.pdf, and give OUT.pdf")
    work.markers_known = True
    return _Layout(pages).lines(work), data


# --- the glyphs and lines of a page -------------------------------------------------------------------------

def _read_page(doc, index: int) -> _Page:
    import pypdfium2.raw as raw

    page = doc[index]
    height = page.get_height()
    textpage = page.get_textpage()
    count = textpage.count_chars()
    fast = _Fast(raw, textpage)
    text = fast.text(count)
    x, y = ctypes.c_double(), ctypes.c_double()
    box = [ctypes.c_double() for _ in range(4)]  # left, right, bottom, top
    objects: dict[int, tuple[bool, bool, str, float]] = {}
    glyphs: list[_Glyph] = []
    origin, text_object, handle = fast.origin, fast.text_object, fast.textpage  # called for every glyph
    # A text object is shown on one baseline, so where its glyphs stand is asked of its first and last only
    # (a line's ends are what the layout needs).
    current, last_index, last_glyph, ox, oy = None, -1, -1, 0.0, 0.0  # the last glyph: in text, in glyphs
    run_end, key = 0, 0
    broken = False  # PDFium put a line break since the last glyph
    for i, ch in enumerate(text):
        marked = ""
        if ch.isalnum():
            pass
        elif ch in "\x02\ufffe\u00ad":  # a hyphen at a line's end (PDFium's marks), or one a PDF says is soft
            ch, marked = "-", ch
        elif ch in "\r\n\x00":
            broken = broken or ch == "\n"
            continue
        elif ch.isspace():  # within a line (its ends are \r\n): where it stands does not matter
            if glyphs:
                glyphs.append(glyphs[-1].space())
            continue
        if broken and last_index >= 0 and _gap_after(raw, textpage, last_index, i, box, x, y):
            glyphs.append(glyphs[-1].space())
        broken = False
        if i >= run_end:
            run_end, key = _run(text_object, handle, i, count)
        if key != current or not key:
            if last_index >= 0:
                origin(handle, last_index, x, y)
                glyphs[last_glyph].x = x.value
            origin(handle, i, x, y)
            current, ox, oy = key, x.value, y.value
            style = objects.get(key)
            if style is None:  # one font and size to a text object
                obj = ctypes.cast(key, type(raw.FPDFText_GetTextObject(textpage, i)))
                style = objects[key] = (*_font_style(raw, obj), raw.FPDFText_GetFontSize(textpage, i))
            italic, bold, font, size = style
        last_index, last_glyph = i, len(glyphs)
        if ch.isalpha():
            glyphs.append(_Glyph(ch, ox, oy, size, italic, bold, False))
            continue
        hyphen = bool(marked) or ch in _HYPHENS and bool(raw.FPDFText_IsHyphen(textpage, i))
        actual = (_actual_text(raw, raw.FPDFText_GetTextObject(textpage, i)) or "" if ch == "-" else "") or (
            marked if marked == "\u00ad" else "")
        superior = False
        if ch.isdigit():
            raw.FPDFText_GetCharBox(textpage, i, *box)
            bottom, top = box[2].value - oy, box[3].value - oy
            superior = bottom > 0.2 * size and top - bottom < 0.5 * size
        glyphs.append(_Glyph(ch, ox, oy, size, italic, bold, hyphen, superior,
                             actual, font if ch == "-" and marked != "\u00ad" else ""))
    if last_index >= 0:
        origin(handle, last_index, x, y)
        glyphs[last_glyph].x = x.value
    textpage.close()
    page.close()
    return _Page(index, _lines(index, glyphs), height=height)


def _gap_after(raw, textpage, before: int, after: int, box, x, y) -> bool:
    """Whether the glyph at index after stands to the right of the one at before, a space's width or more from
    it, near its height. PDFium reports a line break where the baseline changes, and it changes after a raised
    note marker: groff's 'out.¹ The' came out as 'out.¹\\r\\nThe'. Such a break within a printed line is a
    space; a break to the next line is none (its first glyph stands to the left, below)."""
    raw.FPDFText_GetCharBox(textpage, before, *box)
    raw.FPDFText_GetCharOrigin(textpage, after, x, y)
    size = raw.FPDFText_GetFontSize(textpage, after)
    return 0.15 * size < x.value - box[1].value < 3 * size and abs(y.value - box[2].value) < 2 * size


def _run(text_object, handle, start: int, count: int) -> tuple[int, int]:
    """(end, text object) of the run of characters from start that one text object shows: a text object's
    characters stand together, so its end is found by doubling the step, then halving it, not by asking of
    each character (a character between that no object shows, a space PDFium adds, is no glyph)."""
    key = text_object(handle, start) or 0
    if not key:
        return start + 1, 0
    known, step = start, 1
    while known + step < count and text_object(handle, known + step) == key:
        known, step = known + step, step * 2
    beyond = min(known + step, count)
    while beyond - known > 1:
        middle = (known + beyond) // 2
        if text_object(handle, middle) == key:
            known = middle
        else:
            beyond = middle
    return known + 1, key


class _Fast:
    """The two PDFium calls made for every glyph, declared on plain pointers: through pypdfium2's typed
    wrappers they cost twice as much, and a page has thousands of glyphs."""

    def __init__(self, raw, textpage):
        address = lambda f: ctypes.cast(f, ctypes.c_void_p).value  # noqa: E731
        self.textpage = ctypes.c_void_p(address(textpage.raw))
        self.origin = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(ctypes.c_double),
                                       ctypes.POINTER(ctypes.c_double))(address(raw.FPDFText_GetCharOrigin))
        self.text_object = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int)(
            address(raw.FPDFText_GetTextObject))
        self._get_text = raw.FPDFText_GetText
        self._raw_textpage = textpage.raw

    def text(self, count: int) -> str:
        """The page's characters, one for each index (a character beyond UTF-16's plane takes two units, so it
        is asked for alone)."""
        buf = (ctypes.c_ushort * (count + 1))()
        self._get_text(self._raw_textpage, 0, count, buf)
        units = bytes(buf)[:2 * count]
        text = units.decode("utf-16-le", "surrogatepass")
        if len(text) == count and not _SURROGATE.search(text):
            return text
        import pypdfium2.raw as raw
        return "".join(chr(raw.FPDFText_GetUnicode(self._raw_textpage, i)) for i in range(count))


def _actual_text(raw, obj) -> str | None:
    """The actual text a tagged PDF gives a text object in place of its glyphs (a soft hyphen for the hyphen a
    typesetter set at a line's end, where the producer says so), or None."""
    length, buf = ctypes.c_ulong(), (ctypes.c_ubyte * 16)()
    for i in range(raw.FPDFPageObj_CountMarks(obj) if obj else 0):
        mark = raw.FPDFPageObj_GetMark(obj, i)
        # As the PDF string's bytes: PDFium's string value loses a UTF-16 one.
        if raw.FPDFPageObjMark_GetParamBlobValue(mark, b"ActualText", buf, ctypes.sizeof(buf), ctypes.byref(length)):
            value = bytes(buf)[:min(length.value, ctypes.sizeof(buf))]
            return value[2:].decode("utf-16-be", "replace") if value[:2] == b"\xfe\xff" else value.decode("latin-1")
    return None


def _font_style(raw, obj) -> tuple[bool, bool, str]:
    """(italic, bold, name) of a text object's font, from its name and flags."""
    if not obj:
        return False, False, ""
    font = raw.FPDFTextObj_GetFont(obj)
    buf = ctypes.create_string_buffer(256)
    n = raw.FPDFFont_GetBaseFontName(font, buf, 256) if font else 0
    name = buf.raw[:max(0, n - 1)].decode("latin-1", "replace").lower()
    weight = raw.FPDFFont_GetWeight(font) if font else 0
    italic = bool(re.search(r"italic|oblique|\bit\b|-it$", name))
    bold = "bold" in name or "black" in name or "heavy" in name or weight >= 600
    return italic, bold, name


def _lines(page: int, glyphs: list[_Glyph]) -> list[_PLine]:
    """Glyphs in reading order as lines: a glyph joins the line when it stands on its baseline, or raised and
    smaller (a superscript); a line begun by a superscript takes the baseline of the text after it."""
    lines: list[_PLine] = []
    for g in glyphs:
        line = lines[-1] if lines else None
        if line is not None and g.y == line.base and g.size <= line.size:
            line.glyphs.append(g)  # most glyphs: on the line's baseline, in its size
            continue
        if line is not None:
            raised = g.y - line.base
            if (g.size > 1.15 * line.size and 0 < -raised < g.size
                    and all(h.size < 0.85 * g.size or h.ch == " " for h in line.glyphs)):
                line.base, line.size = g.y, g.size  # the superscript began the line
                line.glyphs.append(g)
                continue
            if abs(raised) <= 0.35 * max(line.size, g.size) or g.size < 0.85 * line.size and 0 < raised < line.size:
                line.glyphs.append(g)
                if g.size > line.size and g.ch != " ":
                    line.size = g.size
                continue
        if g.ch == " ":
            continue
        lines.append(_PLine(page, [g], g.y, g.size))
    for line in lines:
        while line.glyphs and line.glyphs[-1].ch == " ":
            line.glyphs.pop()
        text = [h for h in line.glyphs if h.ch != " "]
        line.x0 = text[0].x if text else 0.0
        line.x1 = text[-1].x + 0.5 * text[-1].size if text else 0.0
        line.text = "".join(g.ch for g in line.glyphs)
    return [line for line in lines if line.glyphs]


def _marked(line: _PLine) -> list[tuple[_Glyph, bool, int]]:
    """A line's glyphs as a piece holds them: (glyph, superscript, page index)."""
    small, high, base, page = 0.85 * line.size, 0.15 * line.size, line.base, line.page
    return [(g, g.superior or g.size < small and g.y - base > high, page) for g in line.glyphs]


def _superscript(g: _Glyph, line: _PLine) -> bool:
    """A glyph set smaller and raised above its line's baseline, or a superior figure."""
    return g.superior or g.size < 0.85 * line.size and g.y - line.base > 0.15 * line.size


# --- the layout of the whole ----------------------------------------------------------------------------------

NUMBERED = re.compile(r"^\s*(\d{1,3})(?:[.)]\s*|\s+)(?=\S)")


class _Layout:
    """The pages' lines sorted into furniture, text and footnotes, then written as a text seed's lines."""

    def __init__(self, pages: list[_Page]):
        self.pages = pages
        sizes: Counter = Counter()
        for ln in (ln for p in pages for ln in p.lines):
            sizes[round(ln.size, 1)] += len(ln.glyphs)
        self.body = sizes.most_common(1)[0][0] if sizes else 10.0
        body_lines = [ln for p in pages for ln in p.lines if abs(ln.size - self.body) < 0.5]
        self.left = _mode([round(ln.x0) for ln in body_lines]) if body_lines else 0.0
        self.right = sorted(ln.x1 for ln in body_lines)[int(0.95 * (len(body_lines) - 1))] if body_lines else 0.0
        gaps = [a.base - b.base for p in pages for a, b in zip(p.lines, p.lines[1:])
                if abs(a.size - self.body) < 0.5 and abs(b.size - self.body) < 0.5 and 0 < a.base - b.base < 3 * self.body]
        self.leading = statistics.median(gaps) if gaps else 1.2 * self.body
        self.words = {w.strip("-").lower() for p in pages for ln in p.lines
                      for w in re.findall(r"[^\W\d_][\w-]*", ln.text.rstrip("-"))}
        """Every word printed whole within a line (the evidence on a hyphen at a line's end)."""
        marked = [g for p in pages for ln in p.lines for g in ln.glyphs if g.actual]
        self.soft_marked = {g.font for g in marked if g.actual == "\u00ad"}
        """Fonts whose typesetter's hyphens the PDF marks (so an unmarked one is the text's)."""
        self.hard_marked = {g.font for g in marked if g.actual == "-"}
        """Fonts whose own hyphens the PDF marks (so an unmarked one is the typesetter's)."""
        self._furniture()
        self._footnotes()

    # -- furniture: running heads and page numbers --

    def _furniture(self) -> None:
        """A page's first or last line is furniture when it stands apart from the text and is a page number, or
        the same words stand there on other pages (a running head or foot, its page number aside), or, at the
        top, it is in no larger a font than the text's and not bold (a running head). A page number found so is
        the page's printed number."""
        heads = Counter(_head_key(p.lines[0].text) for p in self.pages if p.lines)
        feet = Counter(_head_key(p.lines[-1].text) for p in self.pages if p.lines)
        for page in self.pages:
            lines = page.lines
            if not lines:
                continue
            ends = ((lines[0], heads, lines[1:2], True), (lines[-1], feet, lines[-2:-1], False))
            for line, others, neighbour, top in ends:
                if neighbour and abs(line.base - neighbour[0].base) <= 1.8 * self.leading or _starts_superscript(line):
                    continue  # in the text's flow (a heading, a footnote's last line) or a footnote of its own
                text, key = line.text.strip(), _head_key(line.text)
                number = re.fullmatch(r"\d{1,4}|[ivxlcdm]{1,7}", text, re.IGNORECASE)
                plain = top and line.size <= self.body + 0.5 and not all(g.bold for g in line.glyphs if g.ch != " ")
                if number or key and others[key] > 1 or plain:
                    line.kind = "furniture"
                    digits = number or re.search(r"(?<!\d)\d{1,4}(?!\d)", text)
                    page.label = page.label or (digits.group(0) if digits else "")
        for i, page in enumerate(self.pages):
            page.label = page.label or str(i + 1)

    # -- footnotes: the smaller lines at a page's foot, below its text --

    def _footnotes(self) -> None:
        """A page's footnotes are the smaller lines at its foot, below its last line in the text's size, the first
        beginning with a number or going on from a footnote on the page before. From a Notes or References
        heading on, smaller lines are what follows the heading (endnotes, references) unless a gap parts them
        from it: footnotes to the text above the heading, at the foot of its page; after that page, none."""
        for page in self.pages:
            text = [ln for ln in page.lines if ln.kind != "furniture"]
            end = next((i for i, ln in enumerate(text) if _plain(ln).strip().rstrip(":").lower() in
                        NOTES_HEADINGS | REFERENCES_HEADINGS and self._heading(ln, None)), None)
            start = len(text)
            while start > 0 and text[start - 1].size < 0.95 * self.body:
                start -= 1
            if end is not None and start <= end + 1:
                start = next((j for j in range(end + 2, len(text))
                              if text[j - 1].base - text[j].base > 2.4 * text[j].size), len(text))
            foot = text[start:] if start > 0 else []
            before = self.pages[page.index - 1].lines if page.index else []
            if foot and (NUMBERED.match(_plain(foot[0])) or _starts_superscript(foot[0])
                         or any(ln.kind == "footnote" for ln in before)):
                for ln in foot:
                    ln.kind = "footnote"
            if end is not None:
                return

    # -- writing --

    def lines(self, work: Work) -> list[Line]:
        pieces = self._pieces()
        out: list[str] = []
        pages: list[str] = []
        for piece in pieces:
            text = _markdown(piece.glyphs, self)
            if piece.kind in ("heading", "title", "author", "notes-heading", "refs-heading"):
                out += [text, ""]
                pages += [self._label(piece.glyphs[0][2]), ""]
            elif piece.kind == "note":
                out.append(f"{piece.n}. {text}")
                pages.append(self._label(piece.glyphs[0][2]))
            elif piece.kind == "entry":
                out.append(text)
                pages.append(self._label(piece.glyphs[0][2]))
            else:
                out += [text, ""]
                pages += [self._label(piece.glyphs[0][2]), ""]
            for printed, joined, why in piece.joins:
                work.repair("dehyphenation", len(out) - (out[-1] == ""), f"a hyphen at a line's end in the PDF, "
                            f"the typesetter's: {why}", printed, joined)
        return [Line(i + 1, t, page=pg) for i, (t, pg) in enumerate(zip(out, pages))]

    def _label(self, index: int) -> str:
        return self.pages[index].label

    def _pieces(self) -> list[_Piece]:
        text = [ln for p in self.pages for ln in p.lines if ln.kind == "body"]
        feet = [ln for p in self.pages for ln in p.lines if ln.kind == "footnote"]
        footnotes, renumber = self._read_footnotes(feet)
        pieces: list[_Piece] = []
        section = "text"
        previous: _PLine | None = None
        for ln in text:
            plain = _plain(ln).strip()
            low = plain.rstrip(":").lower()
            if low in NOTES_HEADINGS and self._heading(ln, previous):
                section = "notes"
                pieces.append(self._whole(ln, "notes-heading"))
                previous = None
                continue
            if low in REFERENCES_HEADINGS and self._heading(ln, previous):
                if footnotes and section == "text":
                    pieces += self._notes_block(footnotes)
                    footnotes = []
                section = "references"
                pieces.append(self._whole(ln, "refs-heading"))
                previous = None
                continue
            if section == "text":
                self._text_line(ln, previous, pieces, renumber)
            elif section == "notes":
                self._note_line(ln, previous, pieces)
            else:
                self._entry_line(ln, previous, pieces)
            previous = ln
        if footnotes:
            pieces += self._notes_block(footnotes)
        return pieces

    def _notes_block(self, footnotes: list[_Piece]) -> list[_Piece]:
        heading = _Piece("notes-heading", [(_Glyph(ch, 0, 0, self.body, False, False, False), False,
                                            footnotes[0].glyphs[0][2]) for ch in "Notes"])
        return [heading] + footnotes

    def _whole(self, ln: _PLine, kind: str) -> _Piece:
        return _Piece(kind, _marked(ln))

    def _heading(self, ln: _PLine, previous: _PLine | None) -> bool:
        """A line on its own in a larger or a bold font, shorter than the measure."""
        glyphs = [g for g in ln.glyphs if g.ch != " "]
        bigger = ln.size > 1.1 * self.body
        bold = glyphs and all(g.bold for g in glyphs if not _superscript(g, ln))
        return bool(bigger or bold) and len(glyphs) < 120

    def _starts_paragraph(self, ln: _PLine, previous: _PLine | None) -> bool:
        """A line begins a paragraph when it is indented from the line before (from the text's margin, across a
        page), stands below a gap, is in another size, or follows a short line that ends a sentence."""
        if previous is None or abs(ln.size - previous.size) > 0.5:
            return True
        short = previous.x1 < self.right - 2.0 * self.body and _ends_sentence(_plain(previous))
        if previous.page != ln.page:
            return ln.x0 - self.left > 0.6 * self.body or short
        gap = previous.base - ln.base > 1.45 * self.leading
        return ln.x0 - previous.x0 > 0.6 * self.body or gap or short

    def _text_line(self, ln: _PLine, previous: _PLine | None, pieces: list[_Piece], renumber) -> None:
        glyphs = _marked(ln)
        if renumber:
            glyphs = _renumbered(glyphs, renumber.get(ln.page, {}))
        if self._heading(ln, previous):
            last = pieces[-1] if pieces else None
            if (last is not None and last.kind in ("title", "heading") and previous is not None
                    and previous.page == ln.page and abs(previous.size - ln.size) < 0.5
                    and previous.base - ln.base < 1.6 * ln.size):
                self._append(last, glyphs)  # a title or heading printed on two lines
                return
            first = not any(p.kind in ("paragraph", "heading", "title") for p in pieces)
            pieces.append(_Piece("title" if first and ln.size > 1.1 * self.body else "heading", glyphs))
            return
        last = pieces[-1] if pieces else None
        if last is None or last.kind != "paragraph" or self._starts_paragraph(ln, previous):
            pieces.append(_Piece("paragraph", glyphs))
        else:
            self._append(last, glyphs)

    def _note_line(self, ln: _PLine, previous: _PLine | None, pieces: list[_Piece]) -> None:
        glyphs = _marked(ln)
        number = _number_at_start(ln)
        notes = [p for p in pieces if p.kind == "note"]
        expected = notes[-1].n + 1 if notes else 1
        if number is not None and number[0] == expected:
            pieces.append(_Piece("note", glyphs[number[1]:], n=expected))
        elif notes and pieces[-1] is notes[-1]:
            self._append(notes[-1], glyphs)
        elif number is not None:
            pieces.append(_Piece("note", glyphs[number[1]:], n=number[0]))

    def _entry_line(self, ln: _PLine, previous: _PLine | None, pieces: list[_Piece]) -> None:
        glyphs = [(g, False, ln.page) for g in ln.glyphs]
        last = pieces[-1] if pieces else None
        hanging = previous is not None and ln.x0 - self._entry_left() > 0.6 * self.body
        if last is not None and last.kind == "entry" and (hanging or previous is not None and previous.x1 > self.right
                                                           - 1.0 * self.body and ln.x0 - self._entry_left() > 0.6 * self.body):
            self._append(last, glyphs)
        else:
            pieces.append(_Piece("entry", glyphs))

    def _append(self, piece: _Piece, glyphs: list[tuple[_Glyph, bool, int]]) -> None:
        """A line's glyphs after a piece's: a space between, none after a dash between words or figures ('112–'),
        and none after a hyphen at the line's end, which is dropped when the typesetter set it (_set_hyphen)."""
        if piece.glyphs and glyphs:
            last = piece.glyphs[-1][0]
            dash = last.ch in "–—" and len(piece.glyphs) > 1 and piece.glyphs[-2][0].ch != " "
            before = _word(g.ch for g, _, _ in reversed(piece.glyphs[:-1]))[::-1]
            if last.ch in _HYPHENS and before and glyphs[0][0].ch.isalpha():
                after = _word(g.ch for g, _, _ in glyphs)
                why = self._set_hyphen(last, before, after)
                if why:
                    piece.glyphs.pop()
                    piece.joins.append((f"{before}-{after}", before + after, why))
            elif not dash:
                piece.glyphs.append((last.space(), False, piece.glyphs[-1][2]))
        piece.glyphs += glyphs

    def _set_hyphen(self, hyphen: _Glyph, before: str, after: str) -> str:
        """Why a hyphen at a line's end is the typesetter's, or '' when it is the text's own. A tagged PDF says
        which each is: it gives the one glyph of a font the meaning it has most (its typesetter's hyphens or the
        text's) and marks the others with what they stand for. Where it does not, the text's own hyphen is the
        one the word is printed with elsewhere (and never without), or before a capital."""
        if not hyphen.hyphen or hyphen.actual == "-":
            return ""
        if hyphen.actual == "\u00ad":
            return "the PDF marks it as the typesetter's (a soft hyphen)"
        if hyphen.font in self.hard_marked and hyphen.font not in self.soft_marked:
            return "the PDF marks the text's own hyphens in its font, and not this one"
        if hyphen.font in self.soft_marked:
            return ""
        if after[:1].isupper() or (f"{before}-{after}".lower() in self.words
                                   and (before + after).lower() not in self.words):
            return ""
        if (before + after).lower() in self.words:
            return "the word is printed whole elsewhere in the text"
        return "the word is printed nowhere else with a hyphen (a typesetter's hyphen is likelier than the text's)"

    def _entry_left(self) -> float:
        refs = [ln.x0 for p in self.pages for ln in p.lines if ln.kind == "body"]
        return min(refs) if refs else self.left

    def _read_footnotes(self, feet: list[_PLine]) -> tuple[list[_Piece], dict[int, dict[int, int]]]:
        """The footnotes in order, numbered through; and, where the print numbers them anew on each page, the
        numbers of each page's markers as they become (page index -> printed -> continuous)."""
        notes: list[_Piece] = []
        printed: list[tuple[int, int]] = []  # (page, printed number) of each note
        for ln in feet:
            number = _number_at_start(ln)
            glyphs = _marked(ln)
            if number is not None and (not notes or number[0] == printed[-1][1] + 1 or number[0] == 1
                                       and ln.page != printed[-1][0]):
                notes.append(_Piece("note", glyphs[number[1]:], n=len(notes) + 1))
                printed.append((ln.page, number[0]))
            elif notes:
                self._append(notes[-1], glyphs)
        restarts = any(n == 1 for _, n in printed[1:])
        renumber: dict[int, dict[int, int]] = {}
        if restarts:
            for i, (page, n) in enumerate(printed):
                renumber.setdefault(page, {})[n] = i + 1
        return notes, renumber


def _markdown(glyphs: list[tuple[_Glyph, bool, int]], layout: _Layout) -> str:
    """A piece's text: italics as *…* (spaces outside the marks), superscript digits as such, and where a new
    printed page begins, its page mark."""
    out: list[str] = []
    italic = False
    page = glyphs[0][2] if glyphs else 0
    for g, sup, pg in glyphs:
        if pg != page:
            out.append(page_mark(layout.pages[pg].label))
            page = pg
        if g.ch != " " and g.italic != italic and not sup:
            if italic:  # closing: after the last letter, not after the space before this glyph
                k = len(out)
                while k and out[k - 1] == " ":
                    k -= 1
                out.insert(k, "*")
            else:
                out.append("*")
            italic = g.italic
        out.append(SUPERSCRIPTS[int(g.ch)] if sup and g.ch.isdigit() else g.ch)
    if italic:
        out.append("*")
    text = re.sub(r"\*(\s+)\*", r"\1", "".join(out))  # an italic run that only a space interrupts
    return re.sub(r"[ \t]+", " ", text).strip()


def _renumbered(glyphs, numbers: dict[int, int]):
    """A line's superscript markers with their page's footnote numbers made continuous."""
    out, i = [], 0
    while i < len(glyphs):
        g, sup, pg = glyphs[i]
        if sup and g.ch.isdigit():
            j = i
            while j < len(glyphs) and glyphs[j][1] and glyphs[j][0].ch.isdigit():
                j += 1
            printed = int("".join(x[0].ch for x in glyphs[i:j]))
            value = str(numbers.get(printed, printed))
            out += [(_Glyph(d, g.x, g.y, g.size, False, False, False), True, pg) for d in value]
            i = j
            continue
        out.append(glyphs[i])
        i += 1
    return out


def _number_at_start(ln: _PLine) -> tuple[int, int] | None:
    """(number, glyphs it takes up) of a note's number at the start of a line: superscript, or '12.', '12 '."""
    glyphs = ln.glyphs
    sup = 0
    while sup < len(glyphs) and glyphs[sup].ch.isdigit() and _superscript(glyphs[sup], ln):
        sup += 1
    if sup:
        end = sup
        while end < len(glyphs) and glyphs[end].ch in " .":
            end += 1
        return int("".join(g.ch for g in glyphs[:sup])), end
    m = NUMBERED.match(ln.text)
    return (int(m.group(1)), m.end()) if m else None


def _starts_superscript(ln: _PLine) -> bool:
    return bool(ln.glyphs) and ln.glyphs[0].ch.isdigit() and _superscript(ln.glyphs[0], ln)


def _word(chars) -> str:
    """The letters (and inner hyphens) from the start of a run of characters up to the first that is neither."""
    out = []
    for ch in chars:
        if not (ch.isalpha() or ch == "-"):
            break
        out.append(ch)
    return "".join(out).strip("-")


def _plain(ln: _PLine) -> str:
    return ln.text


def _ends_sentence(text: str) -> bool:
    return bool(re.search(r"[.!?:…][’'\"”)\]]*\d*$", text.strip()))


def _head_key(text: str) -> str:
    return re.sub(r"\d+", "", text.strip().lower())


def _mode(values: list[float]) -> float:
    return Counter(values).most_common(1)[0][0]
