"""Shared fixtures: the real seed, a site built from it in a temporary folder, a collection of invented
articles built likewise, a server for each."""
from __future__ import annotations

import contextlib
import functools
import os
import shutil
import http.server
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect

# A busy two-core machine can take longer than Playwright's default 5 s to index or render.
expect.set_options(timeout=15_000)

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

import build  # noqa: E402
from editio import corpus  # noqa: E402
from editio.extract import extract  # noqa: E402

SEED = next((PROJECT / "seeds").glob("*.txt"))
COLLECTION = 30
"""How many invented articles the collection tests build."""


@pytest.fixture(scope="session")
def seed() -> Path:
    return SEED


@pytest.fixture(scope="session")
def real():
    """(edition, report) of the real seed."""
    return extract(SEED, "seeds/" + SEED.name)


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """A full build of the project's seeds into a temporary folder; returns its site folder."""
    out = tmp_path_factory.mktemp("build")
    corrections = PROJECT / "edition" / SEED.stem / "corrections.yaml"
    (out / "edition" / SEED.stem).mkdir(parents=True)
    shutil.copy(corrections, out / "edition" / SEED.stem / "corrections.yaml")
    assert build.main(["--seed", str(SEED), "--out", str(out)]) == 0
    return out / "site"


@pytest.fixture(scope="session")
def article_path() -> str:
    return f"{SEED.stem}/index.html"


@pytest.fixture(scope="session")
def site_url(built):
    """The built site served on 127.0.0.1 (a free port)."""
    with served(built) as url:
        yield url


@pytest.fixture(scope="session")
def collection(tmp_path_factory) -> Path:
    """COLLECTION invented articles (editio.corpus) built as a person would, with build.py in a new
    process, the search index made in parts of 1 MB of records and merged, as a large collection's is;
    returns the folder holding seeds/, edition/, site/ and build.log (what the build printed)."""
    out = tmp_path_factory.mktemp("collection")
    seeds = corpus.write(COLLECTION, out / "seeds")
    result = subprocess.run([sys.executable, str(PROJECT / "build.py"), "--seed", *map(str, seeds), "--out", str(out)],
                            capture_output=True, text=True, timeout=600, env={**os.environ, "EDITIO_INDEX_PART_MB": "1"})
    assert result.returncode == 0, result.stderr
    (out / "build.log").write_text(result.stdout, encoding="utf-8")
    return out


@pytest.fixture(scope="session")
def collection_url(collection):
    """The collection's site served on 127.0.0.1 (a free port)."""
    with served(collection / "site") as url:
        yield url


@contextlib.contextmanager
def served(site: Path):
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Playwright cannot download browsers here: drive Debian's Chromium.
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium",
            "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run"]}
