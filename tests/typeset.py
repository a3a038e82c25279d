"""Invented articles typeset as a typesetter would (Typst; and GNU groff, a second typesetter that makes its PDFs
its own way), for the PDF reader's tests and benchmark.

An article (tests/typeset/*.yaml) is its clean text: title, authors, abstract, sections of paragraphs in which
'^N' is the marker of note N and *…* italics, the notes, the references. From it are made the text seed (what
a careful transcription gives), the Typst source of each layout, the PDF, and what a reader of either must
find: every block's text, every marker's place, every note.
"""
from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from editio.textrules import SUPERSCRIPTS

ARTICLES = sorted((Path(__file__).parent / "typeset").glob("*.yaml"))
MARK = re.compile(r"\^(\d+)")


@dataclass
class Layout:
    """How an article is typeset."""

    name: str
    notes: str = "endnotes"
    """'endnotes' (numbered after the text) or 'footnotes' (at the foot of each page)."""
    paper: str = "a4"
    font: str = "Libertinus Serif"
    size: float = 11.0
    cover: bool = False
    """A publisher's cover page ('To cite this article: …') before the article."""
    heads: bool = True
    """Running heads with page numbers (the author on even pages, the journal on odd)."""
    per_page: bool = False
    """Footnotes numbered anew on each page."""


LAYOUTS = [
    Layout("endnotes-a4-serif", cover=True),
    Layout("footnotes-a5-computer-modern", notes="footnotes", paper="a5", font="New Computer Modern", size=9.5),
    Layout("footnotes-letter-per-page", notes="footnotes", paper="us-letter", size=10.5, per_page=True),
]


@dataclass
class Article:
    name: str
    title: str
    authors: list[str]
    journal: dict
    abstract: str
    sections: list[dict]
    notes: dict[int, str]
    references: list[str] = field(default_factory=list)

    @property
    def pages(self) -> str:
        return f"{self.journal['first_page']}–{self.journal['first_page'] + 20}"


def from_edition(edition, name: str) -> Article:
    """An article as its edition gives it (the seed's, corrections applied): what the print would have been."""
    def marked(block) -> str:
        text = block.text
        for m in sorted(block.markers, key=lambda m: -m.offset):
            text = text[:m.offset] + f"^{m.n}" + text[m.offset:]
        return text

    m = edition.metadata
    first = int(re.match(r"\d+", m.pages).group(0)) if re.match(r"\d+", m.pages or "") else 1
    sections = [{"heading": marked(s.heading) if s.heading else None, "paragraphs": [marked(p) for p in s.paragraphs]}
                for s in edition.sections]
    return Article(name, edition.title.text, m.authors, {"name": m.journal, "volume": m.volume, "issue": m.issue,
                   "year": m.year, "first_page": first, "doi": m.doi}, edition.abstract.text if edition.abstract else "",
                   sections, {n.n: n.text for n in edition.notes}, [e.raw for e in edition.bibliography])


def load(path: Path) -> Article:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["notes"] = {int(k): v for k, v in data["notes"].items()}
    return Article(path.stem, **data)


# --- GNU groff (ms macros, its own PDF driver) -------------------------------------------------------------------
# Its PDFs differ from Typst's where the reader must not depend on one producer: the authors in italics, headings
# in bold at the text's size, spaces left for the reader to infer (PDFium reports a line break after a raised
# marker), hyphens the PDF does not mark, footnotes below a short rule, references with a hanging indent.

GROFF_NOTES = ("endnotes", "footnotes")


def _roff(text: str) -> str:
    """Plain text as groff input: its escape character escaped, a straight apostrophe as such, no control line."""
    text = text.replace("\\", "\\e").replace("'", "\\(aq")
    return "\\&" + text if text.startswith(".") else text


def _roff_inline(text: str, a: Article, footnotes: bool, notes: bool = True) -> str:
    out = []
    for part in re.split(r"(\*[^*]+\*|\^\d+)", text):
        if part.startswith("*"):
            out.append(f"\\fI{_roff(part[1:-1])}\\fP")
        elif part.startswith("^") and footnotes and notes:  # numbered by groff, the note at the page's foot
            out.append(f"\\**\n.FS\n{_roff_inline(a.notes[int(part[1:])], a, footnotes, notes=False)}\n.FE\n")
        elif part.startswith("^"):
            out.append(f"\\u\\s-3{part[1:]}\\s+3\\d")
        elif out and out[-1].endswith(".FE\n"):
            out.append(_roff(part.lstrip()))  # a line begun by a space would break the line
        elif part:
            out.append(_roff(part))
    return "".join(out)


def groff_source(a: Article, notes: str) -> str:
    footnotes = notes == "footnotes"
    out = [".nr PS 11", ".nr VS 14", ".ds CH", f".ds LH {_roff(a.journal['name'])}", ".ds RH %",
           f".TL\n{_roff(a.title)}", f".AU\n{_roff(', '.join(a.authors))}", f".AB no\n{_roff(a.abstract)}\n.AE"]
    for s in a.sections:
        if s["heading"]:
            out.append(f".SH\n{_roff_inline(s['heading'], a, footnotes)}")
        out += [f".PP\n{_roff_inline(p, a, footnotes)}" for p in s["paragraphs"]]
    if not footnotes:
        out.append(".SH\nNotes")
        out += [f".LP\n{n}. {_roff_inline(t, a, footnotes, notes=False)}" for n, t in sorted(a.notes.items())]
    if a.references:
        out.append(".SH\nReferences")
        out += [f".XP\n{_roff_inline(r, a, footnotes, notes=False)}" for r in a.references]
    return "\n".join(out) + "\n"


def typeset_groff(a: Article, notes: str, folder: Path) -> Path:
    """The article's PDF from groff -ms (Debian's groff package)."""
    source = folder / f"{a.name}--groff-{notes}.ms"
    source.write_text(groff_source(a, notes), encoding="utf-8")
    done = subprocess.run(["groff", "-k", "-ms", "-Tpdf", str(source)], capture_output=True, timeout=60)
    if done.returncode != 0 or not done.stdout.startswith(b"%PDF"):
        raise RuntimeError(f"groff failed on {source}: {done.stderr.decode(errors='replace')[-500:]}")
    pdf = source.with_suffix(".pdf")
    pdf.write_bytes(done.stdout)
    return pdf


# --- the text seed ----------------------------------------------------------------------------------------------

def text_seed(a: Article) -> str:
    """The article as a careful transcription gives it, markers as superscripts."""
    sup = lambda text: MARK.sub(lambda m: "".join(SUPERSCRIPTS[int(d)] for d in m.group(1)), text)  # noqa: E731
    out = [", ".join(a.authors), "", a.title, "", a.abstract, ""]
    for s in a.sections:
        if s["heading"]:
            out += [sup(s["heading"]), ""]
        for p in s["paragraphs"]:
            out += [sup(p), ""]
    out += ["Notes", ""] + [f"{n}. {t}" for n, t in sorted(a.notes.items())]
    if a.references:
        out += ["", "References", ""] + a.references
    return "\n".join(out) + "\n"


# --- what a reader must find ----------------------------------------------------------------------------------

@dataclass
class Expected:
    blocks: list[tuple[str, str]]
    """(kind, text without markers): the title, the abstract, headings and paragraphs in order."""
    markers: dict[int, tuple[int, int]]
    """Note -> (index of its block in blocks, offset in that block's text)."""
    notes: dict[int, str]
    references: list[str]


def expected(a: Article) -> Expected:
    blocks, markers = [("title", a.title), ("abstract", a.abstract)], {}
    for s in a.sections:
        for kind, text in ([("heading", s["heading"])] if s["heading"] else []) + [("paragraph", p) for p in s["paragraphs"]]:
            plain, removed = text, 0
            for m in MARK.finditer(text):
                markers[int(m.group(1))] = (len(blocks), m.start() - removed)
                removed += len(m.group(0))
            blocks.append((kind, MARK.sub("", plain)))
    return Expected(blocks, markers, dict(a.notes), list(a.references))


def differences(edition, want: Expected) -> list[str]:
    """What an edition read from a seed gets wrong against what the article is: blocks, markers, notes, references."""
    got = [("title", edition.title)] + ([("abstract", edition.abstract)] if edition.abstract else []) + [
        (kind, b) for s in edition.sections for kind, b in ([("heading", s.heading)] if s.heading else [])
        + [("paragraph", p) for p in s.paragraphs]]
    out = []
    if [k for k, _ in got] != [k for k, _ in want.blocks]:
        out.append(f"blocks: {[k for k, _ in got]} != {[k for k, _ in want.blocks]}")
    for i, ((_, block), (kind, text)) in enumerate(zip(got, want.blocks)):
        if block.text != text:
            at = next((j for j, (x, y) in enumerate(zip(block.text, text)) if x != y), min(len(block.text), len(text)))
            out.append(f"{kind} {i}: …{block.text[max(0, at - 30):at + 30]!r} != …{text[max(0, at - 30):at + 30]!r}")
    markers = {m.n: (i, m.offset) for i, (_, b) in enumerate(got) for m in b.markers}
    out += [f"marker {n}: {markers.get(n)} != {want.markers.get(n)}" for n in sorted(set(markers) | set(want.markers))
            if markers.get(n) != want.markers.get(n)]
    notes = {n.n: n.text for n in edition.notes}
    out += [f"note {n}: {notes.get(n)!r} != {want.notes.get(n)!r}" for n in sorted(set(notes) | set(want.notes))
            if notes.get(n) != want.notes.get(n)]
    entries = [e.raw for e in edition.bibliography]
    out += [f"reference {i}: {a!r} != {b!r}" for i, (a, b) in enumerate(zip(entries, want.references)) if a != b]
    if len(entries) != len(want.references):
        out.append(f"references: {len(entries)} != {len(want.references)}")
    return out


# --- Typst ------------------------------------------------------------------------------------------------------

def _string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _inline(text: str, a: Article, layout: Layout, notes: bool = True) -> str:
    """Text as Typst: plain runs and italics as string literals, each marker as a superscript or a footnote."""
    out = []
    for part in re.split(r"(\*[^*]+\*|\^\d+)", text):
        if not part:
            continue
        if part.startswith("*"):
            out.append(f"#emph({_string(part[1:-1])})")
        elif part.startswith("^"):
            n = int(part[1:])
            if layout.notes == "footnotes" and notes:
                out.append(f"#footnote[{_inline(a.notes[n], a, layout, notes=False)}]")
            else:
                out.append(f"#super(typographic: false)[{n}]")
        else:
            out.append(f"#{_string(part)}")
    return "".join(out)


def typst_source(a: Article, layout: Layout) -> str:
    j = a.journal
    first = j["first_page"]
    surname = a.authors[0].split()[-1].upper()
    header = ("context { let p = counter(page).get().first(); "
              f"if p > {first} {{ if calc.even(p) [#p #h(1fr) {surname}] else [#emph[{j['name']}] #h(1fr) #p] }} }}"
              if layout.heads else "none")
    footer = f"context {{ let p = counter(page).get().first(); if p == {first} {{ align(center)[#p] }} }}"
    out = [
        f'#set document(title: {_string(a.title)})',
        f'#set page(paper: "{layout.paper}", margin: (x: 2.2cm, top: 2.6cm, bottom: 2.4cm), header: {header}, '
        f'footer: {footer})',
        f'#set text(font: "{layout.font}", size: {layout.size}pt, lang: "en", hyphenate: true)',
        "#set par(justify: true, first-line-indent: 1.4em, spacing: 0.65em)",
        '#show heading: it => block(above: 1.6em, below: 1.1em, text(size: 1.05em, weight: "bold", it.body))',
    ]
    if layout.per_page:
        out.append("#set page(header: context { counter(footnote).update(0); "
                   + (header.removeprefix("context ") if layout.heads else "") + " })")
    if layout.cover:
        cite = (f"To cite this article: {', '.join(a.authors)} ({j['year']}) {a.title}, {j['name']}, "
                f"{j['volume']}:{j['issue']}, {a.pages}, DOI: {j['doi']}")
        out.append(f'#page(header: none, footer: none)[#text(size: 9pt)[#{_string(j["name"])} \\ #v(2em) '
                   f'#{_string(cite)}]]')
    out.append(f"#counter(page).update({first})")
    out.append(f'#align(center, text(size: 1.5em, weight: "bold")[#{_string(a.title)}])')
    out.append(f'#align(center)[#{_string(", ".join(a.authors))}]')
    out.append(f"#v(1em)#block(inset: (x: 1.5em))[#set par(first-line-indent: 0em); #text(size: 0.9em)[#{_string(a.abstract)}]]")
    for s in a.sections:
        if s["heading"]:
            out.append(f"#heading(level: 2)[{_inline(s['heading'], a, layout)}]")
        for p in s["paragraphs"]:
            out.append(_inline(p, a, layout))
            out.append("")
    if layout.notes == "endnotes":
        out.append("#heading(level: 2)[Notes]")
        out.append("#set par(first-line-indent: 0em, hanging-indent: 1.2em, spacing: 0.5em)")
        out.append("#set text(size: 0.88em)")
        for n, t in sorted(a.notes.items()):
            out += [f"#{_string(f'{n}. ')}{_inline(t, a, layout, notes=False)}", ""]
    if a.references:
        out.append("#heading(level: 2)[References]")
        out.append("#set par(first-line-indent: 0em, hanging-indent: 1.5em, spacing: 0.5em)")
        for r in a.references:
            out += [_inline(r, a, layout, notes=False), ""]
    return "\n".join(out) + "\n"


def typeset(a: Article, layout: Layout, folder: Path) -> Path:
    """The article's PDF in this layout (Typst, through its Python package)."""
    import typst

    source = folder / f"{a.name}--{layout.name}.typ"
    source.write_text(typst_source(a, layout), encoding="utf-8")
    pdf = source.with_suffix(".pdf")
    typst.compile(str(source), output=str(pdf))
    return pdf
