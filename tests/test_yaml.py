"""The YAML edition: lossless, stable, readable, and checked field by field when read back."""
from __future__ import annotations

import yaml

from editio import yamlio
from editio.problems import EditionError
from editio.records import Edition, Report


def test_dump_load_dump_changes_nothing(real):
    edition, report = real
    for record, cls in ((edition, Edition), (report, Report)):
        text = yamlio.dumps(record)
        problems = []
        again = yamlio.from_data(cls, yamlio.loads(text, "x.yaml"), "x.yaml", problems)
        assert problems == []
        assert again == record
        assert yamlio.dumps(again) == text


def test_block_style_and_stable_key_order(real):
    text = yamlio.dumps(real[0])
    top = [line.split(":")[0] for line in text.splitlines() if line and not line.startswith((" ", "-"))]
    assert top == ["source", "metadata", "title", "abstract", "sections", "notes", "bibliography"]
    assert "{" not in "".join(line for line in text.splitlines() if line.strip().startswith(("n:", "offset:")))
    assert max(len(line) for line in text.splitlines()) < 140
    note = yaml.safe_load(text)["notes"][0]
    assert list(note) == ["n", "text", "lines"]


def test_a_value_met_twice_is_written_twice_never_as_an_alias():
    pages = ["140", "141"]
    text = yamlio.dumps({"first": {"pages": pages}, "second": {"pages": pages}})
    assert "&" not in text and "*" not in text
    assert text == "first:\n  pages:\n  - '140'\n  - '141'\nsecond:\n  pages:\n  - '140'\n  - '141'\n"


def test_wrong_types_are_reported_with_their_line():
    text = "n: seven\ntext: x\nlines: [1]\n"
    problems = []
    from editio.records import Note
    yamlio.from_data(Note, yamlio.loads(text, "notes.yaml"), "notes.yaml", problems)
    assert [str(p) for p in problems] == ["notes.yaml:1: 'n' must be a whole number (\"'seven'\"); write a whole number there"]


def test_yaml_syntax_error_names_file_line_and_column():
    try:
        yamlio.loads("a: [1, 2\nb: 3\n", "bad.yaml")
    except EditionError as exc:
        assert len(exc.problems) == 1
        assert str(exc.problems[0]) == ("bad.yaml:2: YAML syntax error at column 2: did not find expected ',' "
                                        "or ']'; fix the YAML syntax there")
    else:
        raise AssertionError("no error")
