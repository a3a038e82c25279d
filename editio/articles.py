"""Articles: every article from its seed to its pages, in parallel, and not at all when unchanged.

Each article goes through the build's article stages (build.ARTICLE) in a worker process, one per
core, on a job of its own. The worker writes the article's pages straight into the staging folder and
hands back only a summary (collection.ArticleSummary), so the build never holds every page in memory.
An article whose cache entry was made from the same inputs (editio/cache.py) is linked from there
instead of being extracted and rendered again. Where the articles are built in this process (one
article, or one core), the last one stops after its search records and finish() runs its later stages
(its downloads): the build starts Pagefind on the records in between, so that both run at once.
"""
from __future__ import annotations

import functools
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, replace

from . import cache, export, publish, search, yamlio
from .collection import ArticleSummary, summarise
from .corrections import FILE, settling
from .extract import summarise as report_lines
from .problems import EditionError, Problem

ARTICLE_TIMEOUT = 600
"""Seconds an article may take in its worker (a few are usual) before the build is stopped."""


@dataclass
class Built:
    """What a worker hands back for one article."""

    summary: ArticleSummary | None
    """The article's summary; None when it failed."""
    problems: list[Problem]
    """Why it failed (empty when it did not)."""
    lines: list[str]
    """Its report in a few lines, for the terminal (empty when it came from the cache)."""
    cached: bool = False
    """Whether it came from the cache."""
    carried: bool = False
    """Whether its pages are those of the current site, to be carried over into the new one."""
    rest: Callable[[], Built] | None = None
    """Its stages after its search records, left to finish() (an article built in this process only); they
    give its Built in full."""


def stage(stages, job):
    """Every article through stages, its pages written into the staging folder; job.articles
    receives the summaries. The problems of every article are reported together."""
    shared = cache.shared_digest(job.project)
    base = replace(job, works=[], stop=None)  # what the workers are sent (serve's Event is not theirs to see)
    build = functools.partial(_build, base, stages, shared)
    built = _each(build, job.works, last=functools.partial(build, later=True))
    problems = [p for b in built for p in b.problems]
    if problems:
        raise EditionError(problems)
    job.articles = [b.summary for b in built]
    job.unfinished = [(i, b.rest) for i, b in enumerate(built) if b.rest is not None]
    job.carry += [w.slug for w, b in zip(job.works, built) if b.carried]
    for b in built:
        job.log.extend(b.lines)
    cached = sum(b.cached for b in built)
    if cached:
        job.log.append(f"{cached} of {len(built)} article(s) unchanged: taken from {job.cache_dir}")
    return job


def finish(job):
    """The stages stage() left to do of an article built in this process (job.unfinished), with its summary
    made complete."""
    for i, rest in job.unfinished:
        built = rest()
        if built.problems:
            raise EditionError(built.problems)
        job.articles[i] = built.summary
    job.unfinished = []
    return job


def check(stages, job) -> list[Problem]:
    """The problems of every article through stages, and of the edition YAML already on disk; nothing
    is written. Each article's report and the entries that would settle its open doubts go to job.log."""
    checked = _each(functools.partial(_check, replace(job, works=[]), stages), job.works)
    for _, lines in checked:
        job.log.extend(lines)
    return [p for problems, _ in checked for p in problems]


def _build(base, stages, shared: str, work, later: bool = False) -> Built:
    """The article of work through stages, or taken from the cache; later: stop after its search records
    (search.pages), the rest left in Built.rest."""
    corrections = base.edition_dir / work.slug / FILE
    settings = (work.slug, work.label, base.base_url, base.strict)  # what the pages depend on besides files
    key = cache.key(shared, settings, work.seed, corrections)
    hit = cache.load(base.cache_dir, work.slug, key)
    if hit is not None:
        try:
            carried = cache.same_files(hit.site / work.slug, base.site_dir / work.slug)
            if not carried:
                cache.link_files(hit.site, base.staging, cache.files_under(hit.site))
            for name in publish.YAML:
                publish.stage_yaml(base, work.slug, name, (hit.folder / name).read_text(encoding="utf-8"))
            return Built(hit.summary, [], [], cached=True, carried=carried)
        except OSError:  # an entry damaged since it was found: build the article again, into fresh files
            shutil.rmtree(base.staging / work.slug, ignore_errors=True)
            shutil.rmtree(base.staging / publish.EDITION / work.slug, ignore_errors=True)
    job = _alone(base, work)
    split = stages.index(search.pages) + 1 if later and search.pages in stages[:-1] else len(stages)
    try:
        job = _through(stages[:split], job)
        if split < len(stages):
            publish.write(job)  # the pages and the records, for Pagefind
            summary = summarise(work, search.records_digest(job.files), len(job.files))
            rest = functools.partial(_finish, stages[split:], job, key, frozenset(job.files))
            return Built(summary, [], report_lines(work.report), rest=rest)
        return _finish([], job, key)
    except EditionError as exc:
        return Built(None, exc.problems, [])


def _finish(stages, job, key: str, written: frozenset[str] = frozenset()) -> Built:
    """The article of job through the rest of its stages, its files not yet written to the staging folder
    written there, its YAML staged, its cache entry made."""
    work = job.works[0]
    try:
        job = _through(stages, job)
        publish.write(replace(job, files={rel: c for rel, c in job.files.items() if rel not in written}))
        summary = summarise(work, search.records_digest(job.files), len(job.files))
        yaml = {"edition.yaml": job.files[export.download(work.slug, "yaml")], "report.yaml": yamlio.dumps(work.report)}
        for name, text in yaml.items():
            publish.stage_yaml(job, work.slug, name, text)
        cache.store(job.staging, work.slug, key, summary, list(job.files), yaml)
    except EditionError as exc:
        return Built(None, exc.problems, [])
    return Built(summary, [], report_lines(work.report))


def _check(base, stages, work) -> tuple[list[Problem], list[str]]:
    job = _alone(base, work)
    try:
        job = _through(stages, job)
    except EditionError as exc:
        return exc.problems + publish.verify(job), []
    path = f"{job.edition_label or job.edition_dir}/{work.slug}/{FILE}"
    return publish.verify(job), report_lines(work.report) + settling(work.report, path)


def _through(stages, job):
    for stage in stages:
        job = stage(job)
    return job


def _alone(base, work):
    """A job of the one article: containers of its own (a worker builds several articles in turn)."""
    return replace(base, works=[work], files={}, articles=[], carry=[], log=[])


def _each(build_one, works: list, last=None) -> list:
    """build_one(work) for every work, in worker processes (one per core), in the order of works; built in this
    process, the last one by last(work) when given."""
    workers = min(os.cpu_count() or 1, len(works))
    if workers <= 1:
        return [(last if last and i == len(works) - 1 else build_one)(w) for i, w in enumerate(works)]
    import multiprocessing  # only here: importing it costs a build of one article some 11 ms

    # Forked workers start at once with everything imported; where there is no fork, spawn.
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    with context.Pool(workers) as pool:
        results = pool.imap(build_one, works)
        out = []
        for work in works:
            try:
                out.append(results.next(ARTICLE_TIMEOUT))
            except multiprocessing.TimeoutError:
                pool.terminate()
                raise EditionError([Problem(work.label, 0, f"building the article took longer than "
                                            f"{ARTICLE_TIMEOUT} s and was stopped", "",
                                            "report it, with the seed")]) from None
        return out
