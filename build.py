#!/usr/bin/env python3
"""Build the scholarly edition: seeds/ -> edition/ (YAML) -> _site/ (HTML).

  python build.py                      build every seed in seeds/ into edition/ and _site/
  python build.py --seed F… --out DIR  build these seeds into DIR/edition/ and DIR/site/ only
  python build.py serve                build, serve the site on http://127.0.0.1:8000/, rebuild on every change
  python build.py check                validate seeds, edition YAML and corrections; write nothing
"""
from __future__ import annotations

import argparse
import functools
import gc
import os
import sys
import time
from pathlib import Path

# A build makes many objects that live until it ends (the code it imports, the editions, their pages, the index's
# parts while they are merged) and almost no cycles: at Python's default threshold (700) the collector ran 83
# times for one article (~11 ms of 0.4 s) and freed 388 objects in all; at 1,000 articles, in serve, a correction
# took 26.6 s to reach the search index and 6.2 s the whole site, against 9.9 s and 2.4 s at this threshold.
gc.set_threshold(100_000, 10, 10)

from editio import articles, collection, corrections, export, extract, link, publish, render, search
from editio.job import Cancelled, EditionWork, Job, label_for, slug_for
from editio.problems import EditionError, Problem

PROJECT = Path(__file__).resolve().parent

# One article, in order: each stage takes a job of that article alone and returns it with its part done.
ARTICLE = [
    extract.stage,
    corrections.stage,
    link.stage,
    corrections.strict,
    render.stage,
    search.pages,
    export.stage,
]

# The build, in order. Each stage takes the job and returns it with its own part done.
STAGES = [
    publish.stage,                              # the staging folder beside the site
    functools.partial(articles.stage, ARTICLE),  # every article (in parallel, unchanged ones from the cache)
    search.start_index,                         # Pagefind on the staged records, running meanwhile
    articles.finish,                            # the downloads of an article built in this process
    collection.stage,                           # landing page, collection archive index and bibliography
    search.search_page,
    publish.write,
    search.index,
    publish.commit,
]


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Without --seed, every seed in seeds/ (*.txt, *.pdf, *.docx) is built; each edition's YAML goes to "
               "edition/<seed name>/ (corrections.yaml there is yours and never overwritten) and the "
               "site to _site/. A build that fails changes nothing on disk.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", nargs="?", choices=["build", "serve", "check"], default="build",
                        help="build (default); serve: build, then serve on 127.0.0.1; check: validate seeds, "
                             "edition YAML and corrections, report every problem, write nothing")
    parser.add_argument("--seed", type=Path, nargs="+", action="extend",
                        help="build only these seed files (with --out)")
    parser.add_argument("--out", type=Path, help="with --seed: folder for its edition/ and site/")
    parser.add_argument("--strict", action="store_true", help="fail on any open doubt in the report")
    parser.add_argument("--port", type=int, default=8000, help="port for serve (default 8000)")
    parser.add_argument("--base-url", default="", help="address the site is published at (for canonical "
                        "links); serve uses its own")
    args = parser.parse_args(argv)
    if (args.seed is None) != (args.out is None):
        parser.error("--seed and --out go together")
    return args


def make_job(args) -> Job:
    if args.seed:
        seeds, edition_dir, site_dir = args.seed, args.out / "edition", args.out / "site"
    else:
        seeds = sorted(p for p in (PROJECT / "seeds").iterdir() if p.suffix.lower() in extract.SEED_SUFFIXES)
        edition_dir, site_dir = PROJECT / "edition", PROJECT / "_site"
        if not seeds:
            raise EditionError([Problem("seeds/", 0, "no seed files (*.txt, *.pdf, *.docx)", "",
                                        "put the article's PDF, Word manuscript or text in seeds/")])
    works = [EditionWork(seed, slug_for(seed), label_for(seed, PROJECT)) for seed in seeds]
    first: dict[str, EditionWork] = {}
    for work in works:
        if first.setdefault(work.slug, work) is not work:
            raise EditionError([Problem(work.label, 0, "another seed has the same name", first[work.slug].label,
                                        "rename one of them: the name is the edition's folder and address")])
    base_url = args.base_url or (f"http://127.0.0.1:{args.port}/" if args.command == "serve" else "")
    return Job(PROJECT, edition_dir, site_dir, works, edition_label=label_for(edition_dir, PROJECT),
               strict=args.strict, base_url=base_url, **indexer_settings(os.environ))


def indexer_settings(env) -> dict:
    """The search indexer as the environment sets it: EDITIO_PAGEFIND, a pagefind executable (default:
    the one the pagefind_bin package ships); EDITIO_PAGEFIND_TIMEOUT, the seconds one run may take;
    EDITIO_INDEX_PART_MB, the records one run reads at most (0: every article in one run)."""
    settings = {"pagefind": env.get("EDITIO_PAGEFIND", "")}
    limit = env.get("EDITIO_PAGEFIND_TIMEOUT")
    if limit is not None:
        settings["index_timeout"] = _number(limit)
        if not settings["index_timeout"] > 0:
            raise EditionError([Problem("EDITIO_PAGEFIND_TIMEOUT", 0, "not a number of seconds", limit,
                                        "set it to a positive number, e.g. 120, or unset it")])
    part = env.get("EDITIO_INDEX_PART_MB")
    if part is not None:
        megabytes = _number(part)
        if not 0 <= megabytes < float("inf"):
            raise EditionError([Problem("EDITIO_INDEX_PART_MB", 0, "not a number of megabytes", part,
                                        "set it to a number, e.g. 16 (0: index every article in one run), "
                                        "or unset it")])
        settings["index_part_bytes"] = int(megabytes * 2 ** 20)
    return settings


def _number(text: str) -> float:
    """text as a number; NaN when it is none (which no limit accepts)."""
    try:
        return float(text)
    except ValueError:
        return float("nan")


def run(job: Job) -> Job:
    try:
        for stage in STAGES:
            if job.stop is not None and job.stop.is_set():
                raise Cancelled
            job = stage(job)
    finally:
        publish.discard(job)
    return job


def check(job: Job) -> Job:
    """Every problem of seeds, corrections and edition YAML, raised at once: each article's stages
    before its pages are rendered, then its edition YAML already on disk."""
    problems = articles.check(ARTICLE[:ARTICLE.index(render.stage)], job)
    if problems:
        raise EditionError(problems)
    return job


def main(argv=None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    problems: list[Problem] = []
    try:
        job = (check if args.command == "check" else run)(make_job(args))
    except EditionError as exc:
        problems = exc.problems
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        done = "check failed" if args.command == "check" else "build failed"
        print(f"{done}: {len(problems)} problem(s); nothing was written", file=sys.stderr)
        site = args.out / "site" if args.seed else PROJECT / "_site"
        if args.command != "serve" or not site.is_dir():
            return 1
    else:
        for line in job.log:
            print(line)
        print(f"{'checked' if args.command == 'check' else 'built'} in {time.perf_counter() - started:.2f} s")
    if args.command == "serve":  # the last good site, with the problems of this build shown on its pages
        from editio import serve  # only when serving: its server is slow to import
        try:
            serve.serve(functools.partial(make_job, args), run, ARTICLE, problems, args.port)
        except EditionError as exc:
            print(f"error: {exc.problems[0]}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    status = main()
    # Nothing left for the collector: without this, its last full collection as Python exits took ~20 ms.
    gc.freeze()
    sys.exit(status)
