"""The editor's decisions: applied at every build, kept across re-extraction, loud when stale."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT, SEED

CORRECTIONS = PROJECT / "edition" / SEED.stem / "corrections.yaml"


def setup(tmp_path: Path, corrections: str | None = None, seed_text: str | None = None):
    seed = tmp_path / SEED.name
    seed.write_text(seed_text or SEED.read_text(encoding="utf-8"), encoding="utf-8")
    folder = tmp_path / "out" / "edition" / SEED.stem
    folder.mkdir(parents=True)
    (folder / "corrections.yaml").write_text(corrections or CORRECTIONS.read_text(encoding="utf-8"),
                                             encoding="utf-8")
    return seed, folder / "corrections.yaml"


def build(tmp_path: Path, *extra: str):
    return subprocess.run([sys.executable, str(PROJECT / "build.py"), *extra, "--seed", SEED.name,
                           "--out", str(tmp_path / "out")], cwd=tmp_path, capture_output=True, text=True)


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_stale_corrections_fail_naming_themselves_and_their_words(tmp_path):
    text = CORRECTIONS.read_text(encoding="utf-8")
    text = text.replace('after: "fuelling growing tensions in the workplace."',
                        'after: "fuelling growing tensions in the factories."')
    text = text.replace('source: "Ibid., 14."', 'source: "Ibid., 41."')
    _, path = setup(tmp_path, text)
    site = tmp_path / "out" / "site"
    site.mkdir()
    (site / "index.html").write_text("last good site")
    result = build(tmp_path)
    assert result.returncode == 1
    label = str(path)
    emend_line = line_of(text, 'Ibid., 41.') - 1
    assert result.stderr.splitlines() == [
        f"error: {label}:{emend_line}: emendation: the quoted words are no longer "
        "in note 72 (\"Ibid., 41.\"); re-read the text and update or remove this correction",
        f"error: {label}:{line_of(text, 'tensions in the factories') - 1}: restored marker 9: the quoted words are "
        "no longer in the text (\"fuelling growing tensions in the factories.\"); re-read the text and update or "
        "remove this correction",
        "build failed: 2 problem(s); nothing was written"]
    assert (site / "index.html").read_text() == "last good site"
    assert path.read_text(encoding="utf-8") == text


def test_reextraction_keeps_corrections(tmp_path):
    # The seed changes (a running head and a page number appear, a line is retyped): the corrections,
    # which quote the text rather than count positions, still apply; the file is never rewritten.
    changed = SEED.read_text(encoding="utf-8").replace(
        "\nLeningrad returns to the fold\n", "\nREVOLUTIONARY RUSSIA 57\n\nLeningrad returns to the fold\n\n58\n")
    seed, path = setup(tmp_path, seed_text=changed)
    before = path.read_bytes()
    for _ in range(2):
        result = build(tmp_path, "--strict")
        assert result.returncode == 0, result.stderr
    assert path.read_bytes() == before
    page = (tmp_path / "out" / "site" / SEED.stem / "index.html").read_text(encoding="utf-8")
    assert page.count('data-editorial="restored"') == 27
    assert page.count('class="lacuna"') == 1


def test_strict_fails_on_open_doubts(tmp_path):
    setup(tmp_path, "markers: []\n")
    result = build(tmp_path, "--strict")
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    # 27 lost markers, the lacuna, the inferred abstract, two damaged titles (the two damaged folios
    # are read by rule and reported as repairs, not doubts)
    assert len(errors) == 31
    assert errors[0].startswith(f"error: {SEED.name}:")
    assert any("open doubt (unanchored-note): note 51 has no marker in the text" in e for e in errors)
    assert all(e.endswith(f"settle it in {tmp_path / 'out' / 'edition'}/{SEED.stem}/corrections.yaml or build "
                          "without --strict") for e in errors)


@pytest.mark.parametrize("content, message", [
    ("markers:\n  - note: 9\n    after: \"x\"\n",
     "corrections.yaml:2: missing field 'reason' in RestoreMarker; add it"),
    ("markers:\n  - note: 9\n    after: \"x\"\n    reason: \"\"\n",
     "corrections.yaml:2: a markers entry without a reason; say why (the evidence) in 'reason:'"),
    ("notes: []\n",
     "corrections.yaml:1: unknown section 'notes'; use one of: markers, emendations, lacunae, citations, "
     "accept, metadata"),
    ("markers:\n  - note: nine\n    after: \"x\"\n    reason: r\n",
     "corrections.yaml:2: 'note' must be a whole number (\"'nine'\"); write a whole number there"),
    ("citations:\n  - note: 21\n    text: \"Carr, Socialism\"\n    target: carr-1961\n    reason: r\n",
     "corrections.yaml:2: no bibliography entry has this key (\"carr-1961\"); use a key from edition.yaml's "
     "bibliography"),
])
def test_malformed_corrections(tmp_path, content, message):
    _, path = setup(tmp_path, content)
    result = build(tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == f"error: {path.parent}/{message}"


def test_check_reports_every_problem_at_once(tmp_path):
    text = CORRECTIONS.read_text(encoding="utf-8").replace('after: "to applause from the floor."',
                                                           'after: "to applause."')
    text += "\nnotes: []\n"
    _, path = setup(tmp_path, text)
    shutil.copy(PROJECT / "edition" / SEED.stem / "edition.yaml", path.parent / "edition.yaml")
    edition = (path.parent / "edition.yaml").read_text(encoding="utf-8")
    (path.parent / "edition.yaml").write_text(re.sub(r"(?m)^  lines: \d+$", "  lines: many", edition, count=1),
                                              encoding="utf-8")
    before = {p.name: p.read_bytes() for p in path.parent.iterdir()}
    result = build(tmp_path, "check")
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.returncode == 1
    edited = (path.parent / "edition.yaml").read_text(encoding="utf-8")
    assert errors == [
        f"error: {path}:{line_of(text, 'notes: []')}: unknown section 'notes'; use one of: markers, emendations, "
        "lacunae, citations, accept, metadata",
        f"error: {path.parent}/edition.yaml:{line_of(edited, 'lines: many')}: 'lines' must be a whole number "
        "(\"'many'\"); write a whole number there"]
    assert {p.name: p.read_bytes() for p in path.parent.iterdir()} == before
    assert not (tmp_path / "out" / "site").exists()


@pytest.mark.parametrize("name", ["urals-planners", "moscow-labour-exchanges", "leningrad-komsomol-cyrillic",
                                  SEED.stem])
def test_every_suggested_entry_settles_its_doubt(tmp_path, name):
    """Paste every entry the report suggests (a reason given): the build with --strict then passes, every
    doubt settled; 'check' prints the same entries."""
    import yaml
    seed = SEED if name == SEED.stem else PROJECT / "tests" / "seeds" / f"{name}.txt"
    out = tmp_path / "out"
    command = [sys.executable, str(PROJECT / "build.py"), "--seed", str(seed), "--out", str(out)]
    assert subprocess.run(command, capture_output=True, text=True).returncode == 0
    report = yaml.safe_load((out / "edition" / name / "report.yaml").read_text(encoding="utf-8"))
    sections: dict[str, list[str]] = {}
    for d in report["doubts"]:
        section, item = d["suggestion"].split("\n", 1)
        sections.setdefault(section, []).append(item.replace('reason: ""', 'reason: "checked"'))
    assert sections, "no doubts to settle"
    (out / "edition" / name / "corrections.yaml").write_text(
        "".join(section + "\n" + "".join(items) for section, items in sections.items()), encoding="utf-8")
    checked = subprocess.run(command[:2] + ["check"] + command[2:], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    assert "settle it in" not in checked.stdout
    strict = subprocess.run(command + ["--strict"], capture_output=True, text=True)
    assert strict.returncode == 0, strict.stderr
    report = yaml.safe_load((out / "edition" / name / "report.yaml").read_text(encoding="utf-8"))
    assert all(d["resolved_by"] for d in report["doubts"])
