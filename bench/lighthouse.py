"""Lighthouse (npm, installed on first use under the benchmark's cache folder) against a served page.

Lighthouse's defaults are kept: a mobile device, simulated slow 4G and CPU throttling.
"""
from __future__ import annotations

import json
import os
import statistics
import sys
from pathlib import Path

from browser import CHROMIUM
from generators import Unavailable, run

VERSION = "12.2.3"  # the last to run on Node 20 (13 needs Node 22)
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
SKIPPED_MODES = ("notApplicable", "manual", "informative")


def install(cache: Path) -> Path:
    """The lighthouse command, installed with npm under cache when it is not there yet; its reports
    go to cache/lighthouse/."""
    package = cache / "node_modules" / "lighthouse" / "package.json"
    if not Path(CHROMIUM).exists():
        raise Unavailable(f"no {CHROMIUM} (apt-get install chromium)")
    try:
        (cache / "lighthouse").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise Unavailable(f"cannot write to {cache}: {exc.strerror}") from exc
    if not (package.exists() and json.loads(package.read_text())["version"] == VERSION):
        print(f"npm i -E --prefix {cache} lighthouse@{VERSION} …", file=sys.stderr)
        run(["npm", "i", "-E", "--prefix", str(cache), "--no-audit", "--no-fund", f"lighthouse@{VERSION}"])
    return cache / "node_modules" / ".bin" / "lighthouse"


def audit(cli: Path, url: str, report: Path) -> dict:
    """One Lighthouse run on url; its JSON report (also written to report)."""
    run([str(cli), url, "--output=json", f"--output-path={report}", "--quiet",
         f"--only-categories={','.join(CATEGORIES)}",
         "--chrome-flags=--headless --no-sandbox --disable-gpu"],
        env={**os.environ, "CHROME_PATH": CHROMIUM}, timeout=300)
    data = json.loads(report.read_text(encoding="utf-8"))
    if data.get("runtimeError"):
        raise Unavailable(f"Lighthouse on {url}: {data['runtimeError'].get('message', data['runtimeError'])}")
    return data


def scores(report: dict) -> dict[str, int | None]:
    return {c: None if report["categories"][c]["score"] is None else round(report["categories"][c]["score"] * 100)
            for c in CATEGORIES}


def median_scores(reports: list[dict]) -> dict[str, int | None]:
    """Each category's median over the runs (None if a run could not score it)."""
    out = {}
    for c in CATEGORIES:
        values = [scores(r)[c] for r in reports]
        out[c] = None if None in values else round(statistics.median(values))
    return out


def shortfalls(report: dict) -> list[str]:
    """Every audit that cost a category points: id, title, score, value and a few of the elements."""
    lines = []
    for c in CATEGORIES:
        category = report["categories"][c]
        if category["score"] == 1:
            continue
        lines.append(f"{c} {scores(report)[c]}:")
        for ref in category["auditRefs"]:
            a = report["audits"][ref["id"]]
            if a["scoreDisplayMode"] in SKIPPED_MODES or a["score"] is None or a["score"] >= 1:
                continue
            value = f" — {a['displayValue']}" if a.get("displayValue") else ""
            lines.append(f"  {a['id']} (score {a['score']:.2f}, weight {ref['weight']}): {a['title']}{value}")
            lines.extend(f"      {item}" for item in examples(a))
    return lines


def examples(audit: dict, limit: int = 3) -> list[str]:
    items = (audit.get("details") or {}).get("items") or []
    out = []
    for item in items[:limit]:
        node = item.get("node") if isinstance(item.get("node"), dict) else {}
        source = item.get("source") if isinstance(item.get("source"), dict) else {}
        text = (node.get("snippet") or node.get("selector") or item.get("url") or source.get("url")
                or item.get("description"))
        if text:
            out.append(str(text)[:160])
    if len(items) > limit:
        out.append(f"… and {len(items) - limit} more")
    return out
