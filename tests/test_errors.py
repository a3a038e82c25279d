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


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_seed_fails_clearly_and_touches_nothing(tmp_path, name):
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
