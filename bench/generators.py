"""The generators the benchmark compares: editio and two peers fed editio's Markdown export.

Each generator builds a site from an input it puts into an empty work folder, in a new process, and
can make one small change to that input (for the rebuild). The peers are installed on first use into a
virtual environment under the benchmark's cache folder, never into the project.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
PEER_PACKAGES = {"MkDocs Material": "mkdocs-material", "Pandoc": "pypandoc-binary"}


class Unavailable(Exception):
    """Something the benchmark needs could not be installed or run; the message says why."""


def run(command: list[str], *, cwd: Path | None = None, env: dict | None = None, timeout: float = 600) -> str:
    """Run a command; its stdout, or Unavailable with the end of its output."""
    try:
        done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise Unavailable(f"{Path(command[0]).name}: {exc}") from exc
    if done.returncode:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise Unavailable(f"{Path(command[0]).name} exited with {done.returncode}: {' | '.join(tail)}")
    return done.stdout


class Generator:
    """A site generator under test. Subclasses fill in the input, the command and the edit."""

    name: str
    version: str
    article: str                # the article page, relative to the site
    search_page: str | None     # the page with the search box, or None: no search

    def prepare(self, work: Path) -> None:
        """Put the generator's input into the empty folder work."""
        raise NotImplementedError

    def build(self, work: Path, base_url: str = "") -> None:
        """Build the site of work in a new process; base_url, if given, is where it will be served."""
        raise NotImplementedError

    def edit(self, work: Path, word: str) -> None:
        """One small change to the input: word added to one correction or one footnote."""
        raise NotImplementedError

    def site(self, work: Path) -> Path:
        """The built site (all three write it to work/site)."""
        return work / "site"


class Editio(Generator):
    name = "editio"
    search_page = "search.html"

    def __init__(self, seed: Path):
        self.seed = seed
        self.corrections = PROJECT / "edition" / seed.stem / "corrections.yaml"
        self.article = f"{seed.stem}/index.html"
        # As `make setup` leaves the project: its code compiled to bytecode (pip compiles the peers' at install).
        run([sys.executable, "-m", "compileall", "-q", str(PROJECT / "editio"), str(PROJECT / "build.py")])
        commit = run(["git", "-C", str(PROJECT), "rev-parse", "--short", "HEAD"]).strip()
        dirty = run(["git", "-C", str(PROJECT), "status", "--porcelain", "--untracked-files=no"]).strip()
        self.version = commit + ("+changes" if dirty else "")

    def prepare(self, work: Path) -> None:
        folder = work / "edition" / self.seed.stem
        folder.mkdir(parents=True)
        shutil.copy(self.corrections, folder / "corrections.yaml")

    def build(self, work: Path, base_url: str = "") -> None:
        command = [sys.executable, str(PROJECT / "build.py"), "--seed", str(self.seed), "--out", str(work)]
        run(command + (["--base-url", base_url] if base_url else []))

    def edit(self, work: Path, word: str) -> None:
        """Add word to the reason of the first emendation (a reason the article shows), written in
        block style: `reason: text`, `reason: "text"` or `reason: >-` and the text on the next lines."""
        path = work / "edition" / self.seed.stem / "corrections.yaml"
        lines = path.read_text(encoding="utf-8").split("\n")
        start = lines.index("emendations:") if "emendations:" in lines else len(lines)
        at = next((i for i in range(start, len(lines)) if re.fullmatch(r"\s+(- )?reason: .+", lines[i])), None)
        if at is None:
            raise Unavailable(f"{self.corrections}: no emendation with a reason in block style to change")
        value = lines[at].split("reason: ", 1)[1]
        if value in (">", ">-", "|", "|-"):
            lines[at + 1] += f" {word}"
        elif value[0] in "'\"":
            lines[at] = f"{lines[at][:-1]} {word}{lines[at][-1]}"
        else:
            lines[at] += f" {word}"
        path.write_text("\n".join(lines), encoding="utf-8")

    def markdown(self, work: Path) -> Path:
        """The Markdown-with-footnotes export of a built work folder: the peers' input."""
        return self.site(work) / self.seed.stem / "downloads" / f"{self.seed.stem}.md"


def add_to_first_footnote(path: Path, word: str) -> None:
    text, changed = re.subn(r"^(\[\^[^\]]+\]: .*)$", rf"\1 {word}", path.read_text(encoding="utf-8"),
                            count=1, flags=re.M)
    if not changed:
        raise Unavailable(f"{path}: no footnote definition ('[^n]: ') to change")
    path.write_text(text, encoding="utf-8")


class MkDocs(Generator):
    """MkDocs with the Material theme: footnote tooltips, the footnotes extension, built-in search.

    Google Fonts are switched off (`font: false`): the site must not load anything from outside,
    like editio's, and this machine is offline.
    """
    name = "MkDocs Material"
    article = "index.html"
    search_page = "index.html"  # Material's search box is in every page's header

    def __init__(self, venv: Path, markdown: Path):
        self.mkdocs = venv / "bin" / "mkdocs"
        self.markdown = markdown
        self.version = run([str(venv / "bin" / "python"), "-c",
                            "import importlib.metadata as m; print(m.version('mkdocs-material'))"]).strip()

    def prepare(self, work: Path) -> None:
        (work / "docs").mkdir(parents=True)
        shutil.copy(self.markdown, work / "docs" / "index.md")
        title = re.sub(r"\[\^[^\]]+\]", "", front_matter(self.markdown).get("title", "Edition"))
        config = "\n".join([
            f"site_name: {json.dumps(title)}",
            "site_url: !ENV [EDITIO_BENCH_SITE_URL, '']",
            "theme:",
            "  name: material",
            "  font: false",
            "  features:",
            "    - content.footnote.tooltips",
            "plugins:",
            "  - search",
            "markdown_extensions:",
            "  - footnotes",
            ""])
        (work / "mkdocs.yml").write_text(config, encoding="utf-8")

    def build(self, work: Path, base_url: str = "") -> None:
        env = {**os.environ, "EDITIO_BENCH_SITE_URL": base_url, "NO_MKDOCS_2_WARNING": "1"}
        run([str(self.mkdocs), "build", "--quiet"], cwd=work, env=env)

    def edit(self, work: Path, word: str) -> None:
        add_to_first_footnote(work / "docs" / "index.md", word)


class Pandoc(Generator):
    """Pandoc's standalone HTML (`pandoc index.md -s -o site/index.html`): footnotes as endnotes, no search."""
    name = "Pandoc"
    article = "index.html"
    search_page = None

    def __init__(self, pandoc: Path, markdown: Path):
        self.pandoc = pandoc
        self.markdown = markdown
        self.version = run([str(pandoc), "--version"]).split("\n")[0].removeprefix("pandoc ").strip()

    def prepare(self, work: Path) -> None:
        (work / "site").mkdir(parents=True)
        shutil.copy(self.markdown, work / "index.md")

    def build(self, work: Path, base_url: str = "") -> None:
        run([str(self.pandoc), "index.md", "-s", "-o", "site/index.html"], cwd=work)

    def edit(self, work: Path, word: str) -> None:
        add_to_first_footnote(work / "index.md", word)


def front_matter(markdown: Path) -> dict:
    import yaml  # editio's own dependency
    text = markdown.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        return {}
    return yaml.safe_load(text[4:text.index("\n---\n", 4)]) or {}


def peers(cache: Path, markdown: Path) -> dict[str, Generator | Unavailable]:
    """MkDocs Material and Pandoc, or for each the reason it cannot be measured.

    Both live in a venv under cache, created and filled on first use (pip, from the package index).
    """
    venv = cache / "venv"
    try:
        if not (venv / "bin" / "python").exists():
            print(f"creating {venv} for the peers (first run only) …", file=sys.stderr)
            run([sys.executable, "-m", "venv", str(venv)])
    except Unavailable as exc:
        return {name: Unavailable(f"no venv for the peers: {exc}") for name in PEER_PACKAGES}
    found: dict[str, Generator | Unavailable] = {}
    for name, package in PEER_PACKAGES.items():
        try:
            if not installed(venv, package):
                print(f"pip install {package} into {venv} …", file=sys.stderr)
                run([str(venv / "bin" / "pip"), "install", "--quiet", package])
            if name == "Pandoc":
                path = run([str(venv / "bin" / "python"), "-c",
                            "import pypandoc; print(pypandoc.get_pandoc_path())"]).strip()
                found[name] = Pandoc(Path(path), markdown)
            else:
                found[name] = MkDocs(venv, markdown)
        except Unavailable as exc:
            found[name] = Unavailable(f"{package}: {exc}")
    return found


def installed(venv: Path, package: str) -> bool:
    probe = subprocess.run([str(venv / "bin" / "python"), "-c",
                            f"import importlib.metadata as m; m.version({package!r})"], capture_output=True)
    return probe.returncode == 0
