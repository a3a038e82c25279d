"""Bad input: a short error naming file, line, what is wrong and what to do; exit 1; nothing touched."""
from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT, SEED

SEED_LINES = SEED.read_text(encoding="utf-8").split("\n")


def _cut(n: int) -> bytes:
    return "\n".join(SEED_LINES[:n]).encode() + b"\n"


CASES = {
    "empty.txt": (b"",
                  "error: empty.txt:1: the file is empty; give a seed that holds the article's text"),
    "blank.txt": (b"\n  \n\n",
                  "error: blank.txt:1: the file is empty; give a seed that holds the article's text"),
    "binary.txt": (b"%PDF-1.4\n\x00\x01\x02binary",
                   "error: binary.txt:2: this is a binary file, not text (it contains NUL bytes); "
                   "give the plain-text extraction of the article (UTF-8)"),
    "latin1.txt": (b"Title\nNotes\nCaf\xe9 au lait\n",
                   "error: latin1.txt:3: the file is not UTF-8 (byte 0xe9 at column 4); "
                   "convert it to UTF-8, e.g. iconv -f WINDOWS-1252 -t UTF-8"),
    "no-notes.txt": (_cut(140),
                     "error: no-notes.txt:139: no 'Notes' heading: the endnotes cannot be found; "
                     "check that this is the whole article; the notes must follow a line reading 'Notes'"),
    "cut-off.txt": (_cut(200),
                    "error: cut-off.txt:200: the text ends inside the notes: note 54 is the last, but the "
                    "text calls notes 55, 56, 57 … (\"- 54. Ibid.\"); give the complete text (an article "
                    "without a bibliography may end with its last note)"),
}


def _encrypted_pdf() -> bytes:
    """A one-page PDF under the standard security handler, its user password not the empty one."""
    key = "0123456789abcdef" * 2
    return (b"%PDF-1.4\n1 0 obj <</Type/Catalog/Pages 2 0 R>> endobj\n"
            b"2 0 obj <</Type/Pages/Kids[3 0 R]/Count 1>> endobj\n"
            b"3 0 obj <</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>> endobj\n"
            b"4 0 obj <</Filter/Standard/V 1/R 2/O<" + b"00" * 32 + b">/U<" + b"11" * 32 + b">/P -4>> endobj\n"
            b"trailer <</Root 1 0 R/Size 5/Encrypt 4 0 R/ID[<" + key.encode() + b"><" + key.encode() + b">]>>\n%%EOF\n")


def _typeset(source: str, folder: Path) -> bytes:
    import typst
    (folder / "doc.typ").write_text(source, encoding="utf-8")
    typst.compile(str(folder / "doc.typ"), output=str(folder / "doc.pdf"))
    return (folder / "doc.pdf").read_bytes()


def _manuscript_without_notes(folder: Path) -> bytes:
    from docx import Document
    doc = Document()
    doc.add_paragraph("A Title", style="Title")
    doc.add_paragraph("A text whose author kept no notes.")
    doc.save(folder / "plain.docx")
    return (folder / "plain.docx").read_bytes()


# Seeds of the other kinds, made when the test runs (by Typst and python-docx, as a publisher or author would).
MADE = {
    "fake.pdf": (lambda folder: b"Just some text, no PDF at all\n",
                 'error: fake.pdf: this file is named .pdf but is no PDF ("Just some text, no PDF at all"); '
                 "give the article's PDF, or its text extraction as a .txt seed"),
    "encrypted.pdf": (lambda folder: _encrypted_pdf(),
                      "error: encrypted.pdf: the PDF is encrypted; give an unencrypted copy "
                      "(e.g. qpdf --password=PASSWORD --decrypt IN.pdf OUT.pdf)"),
    "cut-short.pdf": (lambda folder: (b := _typeset("= A title\n\nSome text." * 40, folder))[:len(b) // 2],
                      'error: cut-short.pdf: the PDF cannot be read: it is damaged or cut short ("Failed to load '
                      'document (PDFium: Data format error)."); give the whole file, as the publisher made it'),
    "scanned.pdf": (lambda folder: _typeset("#rect(width: 5cm, height: 8cm, fill: gray)", folder),
                    "error: scanned.pdf: no text layer: the PDF holds images of pages only; run OCR first, e.g. "
                    "ocrmypdf IN.pdf OUT.pdf, and give OUT.pdf"),
    "no-notes.docx": (_manuscript_without_notes,
                      "error: no-notes.docx: the manuscript has no footnotes or endnotes; an edition needs the notes: "
                      "give the manuscript with its notes as Word's footnotes or endnotes, or its text as a .txt seed"),
    "text.docx": (lambda folder: b"A text file named .docx",
                  "error: text.docx: this file is named .docx but is no Word document (.docx); give the manuscript "
                  "as Word saves it (.docx), or the article's text as a .txt seed"),
}


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("name", sorted(CASES) + sorted(MADE))
def test_bad_seed_fails_clearly_and_touches_nothing(tmp_path, name):
    if name in MADE:
        make, message = MADE[name]
        content = make(tmp_path)
    else:
        content, message = CASES[name]
    (tmp_path / name).write_bytes(content)
    out = tmp_path / "out"
    (out / "site").mkdir(parents=True)
    (out / "site" / "index.html").write_text("last good site")
    (out / "edition" / "x").mkdir(parents=True)
    (out / "edition" / "x" / "corrections.yaml").write_text("# hand-made\n")
    before = snapshot(out)
    result = subprocess.run([sys.executable, str(PROJECT / "build.py"), "--seed", name, "--out", str(out)],
                            cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [message, "build failed: 1 problem(s); nothing was written"]
    assert "Traceback" not in result.stdout + result.stderr
    assert snapshot(out) == before
    assert sorted(p.name for p in out.iterdir()) == ["edition", "site"]


def test_missing_seed_file(tmp_path):
    result = subprocess.run([sys.executable, str(PROJECT / "build.py"), "--seed", "nowhere.txt",
                             "--out", str(tmp_path / "out")], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == ("error: nowhere.txt: cannot read the file (\"No such file or "
                                             "directory\"); check the path and its permissions")
    assert not (tmp_path / "out").exists()


def test_seed_and_out_go_together():
    result = subprocess.run([sys.executable, str(PROJECT / "build.py"), "--seed", "x.txt"],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert "--seed and --out go together" in result.stderr


def test_help_explains_both_modes():
    result = subprocess.run([sys.executable, str(PROJECT / "build.py"), "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    assert "--seed" in result.stdout and "--out" in result.stdout and "seeds/" in result.stdout


def test_serve_on_a_busy_port(tmp_path):
    import socket
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run([sys.executable, str(PROJECT / "build.py"), "serve", "--port", str(port),
                                 "--seed", str(SEED), "--out", str(tmp_path / "out")],
                                capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"error: 127.0.0.1:{port}: cannot serve the site there "
                                          "(\"Address already in use\"); choose another port with --port N"]
    assert "Traceback" not in result.stdout + result.stderr


TEMPLATES = {
    "syntax": ("base.html.j2", lambda t: t.replace("{% endblock %}", "{% endblok %}", 1),
               "error: templates/base.html.j2:{line}: template syntax error: Encountered unknown tag 'endblok'. Jinja "
               "was looking for the following tags: 'endblock'. The innermost block that needs to be closed is "
               "'block'; fix the template there"),
    "undefined": ("article.html.j2", lambda t: t.replace("{% block body %}\n", "{% block body %}\n{{ nothing_here.at_all }}\n", 1),
                  "error: templates/article.html.j2:{line}: the template failed: 'nothing_here' is undefined; fix the "
                  "template there"),
    "missing": ("apparatus.html.j2", None,
                "error: templates/apparatus.html.j2: the template is missing; restore it (e.g. git checkout "
                "templates/), or change the template that names it"),
}


@pytest.mark.parametrize("case", sorted(TEMPLATES))
def test_a_broken_template_fails_clearly_and_touches_nothing(tmp_path, case):
    import shutil
    name, change, message = TEMPLATES[case]
    shutil.copy(PROJECT / "build.py", tmp_path)
    for folder in ("editio", "templates", "static"):
        shutil.copytree(PROJECT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    template = tmp_path / "templates" / name
    if change is None:
        template.unlink()
        line = 0
    else:
        text = template.read_text(encoding="utf-8")
        changed = change(text)
        assert changed != text
        template.write_text(changed, encoding="utf-8")
        line = next(i for i, (a, b) in enumerate(zip(text.split("\n"), changed.split("\n")), 1) if a != b)
    out = tmp_path / "out"
    (out / "site").mkdir(parents=True)
    (out / "site" / "index.html").write_text("last good site")
    before = snapshot(out)
    result = subprocess.run([sys.executable, str(tmp_path / "build.py"), "--seed", str(SEED), "--out", str(out)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [message.format(line=line), "build failed: 1 problem(s); nothing was written"]
    assert snapshot(out) == before
