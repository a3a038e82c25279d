"""End-to-end golden output: the committed edition/ and tests/golden/ equal what a fresh build makes.

After an intended change, regenerate both and review the diff:
    .venv/bin/python build.py && .venv/bin/python tests/test_golden.py
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
GOLDEN = HERE / "golden"
sys.path.insert(0, str(PROJECT))

from editio.schema import schema_markdown  # noqa: E402


def seeds():
    return sorted((PROJECT / "seeds").glob("*.txt"))


def test_committed_edition_is_current(built):
    for seed in seeds():
        made, committed = built.parent / "edition" / seed.stem, PROJECT / "edition" / seed.stem
        for name in ("edition.yaml", "report.yaml"):
            expected = (committed / name).read_text(encoding="utf-8")
            # The build names its seed by the path it was given; the committed files by seeds/NAME.
            assert (made / name).read_text(encoding="utf-8").replace(str(seed), f"seeds/{seed.name}") == expected


def test_article_page_matches_golden(built):
    for seed in seeds():
        made = (built / seed.stem / "index.html").read_text(encoding="utf-8")
        assert made == (GOLDEN / f"{seed.stem}.html").read_text(encoding="utf-8")


def test_readme_schema_is_current():
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    documented = re.search(r"<!-- schema:start -->\n(.*)<!-- schema:end -->", readme, re.S).group(1)
    assert documented == schema_markdown()


if __name__ == "__main__":
    import shutil
    import tempfile

    import build

    with tempfile.TemporaryDirectory() as tmp:
        for seed in seeds():
            (Path(tmp) / "edition" / seed.stem).mkdir(parents=True)
            shutil.copy(PROJECT / "edition" / seed.stem / "corrections.yaml", Path(tmp) / "edition" / seed.stem)
            assert build.main(["--seed", str(seed), "--out", tmp]) == 0
            GOLDEN.mkdir(exist_ok=True)
            (GOLDEN / f"{seed.stem}.html").write_text(
                (Path(tmp) / "site" / seed.stem / "index.html").read_text(encoding="utf-8"), encoding="utf-8")
    print(f"golden pages written to {GOLDEN}")
