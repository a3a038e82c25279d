"""An invented corpus: N distinct articles in the seed format, for the tests and the benchmark.

    python -m editio.corpus N FOLDER [--seed S]

Every article is made up here, word by word, from small vocabularies of invented names, places,
institutions and phrases: no text of a real article is used. The articles are of the kind the
extractor reads (README, 'The seed's expected shape') and vary as real extractions do: the number of
notes and paragraphs, the printed form of the note markers, the damage (page breaks inside paragraphs
and notes, page numbers and running heads, a word split by a line-break hyphen, a marker the source
lost, a marker printed with a wrong digit, bibliography entries run together, '———.' for a repeated
author). Archival files and works of a shared pool are cited by several articles, so that the
collection's archive index and bibliography have something to merge; some works of the pool differ
from another only in their year, which must never be merged.

The same N and seed always give the same articles (a fixed random generator).
"""
from __future__ import annotations

import argparse
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from .extract.front import COVER_CITE, COVER_LINK

GIVEN = ("Anna Daniel Irina Tomas Ruth Pavel Leila Jonas Elena Marek Sofia Karl Nadia Oskar Vera Lukas "
         "Helena Boris Ingrid Matvei Clara Emil Olga Felix Greta Arkadii Lidia Viktor Marta Stefan").split()
FAMILY = ("Arvidsson Belkina Corrado Dunaeva Ellery Fomenko Garside Holmqvist Ivashkina Jarvela Kettering "
          "Lomakina Marchetti Nordahl Ostrovskaia Pellegrini Quarles Rudneva Salander Tikhomirova Underhill "
          "Varsonofeva Whitcombe Yashnova Zelenskaia Brandauer Castellan Drozdova Everard Fairlie Gromova "
          "Halloran Iordanova Kalnina Lindqvist Mirskaia Novikova Ormerod Prokhorova Rasmussen").split()
JOURNALS = ("Journal of Provincial History", "Northern Review of Social History", "Studies in Regional Archives",
            "Quarterly of Labour and Society", "Review of Eastern European Towns")
PLACES = ("Verkhnevolzhsk Priozersk Kamensk-Lugovoi Belogorsk Novorechensk Ustinograd Krasnoborsk Zarechensk "
          "Lesnogorsk Staroselsk Ozerninsk Chernoluchsk").split()
INSTITUTIONS = ("the district committee", "the factory committee", "the regional bureau", "the trade union council",
                "the town soviet", "the control commission", "the cooperative board", "the agitation department",
                "the housing section", "the statistical office", "the women's section", "the youth league cell")
PEOPLE = ("the delegates", "the rank-and-file members", "the local organisers", "the instructors", "the weavers",
          "the metalworkers", "the railway workers", "the schoolteachers", "the cooperative clerks",
          "the village correspondents", "the district secretaries", "the factory directors")
VERBS = ("complained about", "reported on", "debated", "postponed", "reorganised", "inspected", "criticised",
         "defended", "ignored", "petitioned against", "welcomed", "questioned", "published figures on",
         "drew up a plan for", "sent a commission to examine")
OBJECTS = ("the new wage scales", "the shortage of housing", "the grain procurement plan", "the reading rooms",
           "the evening courses", "the election of delegates", "the purge of the apparatus", "the price of bread",
           "the night shifts", "the accounts of the cooperative", "the local newspaper", "the literacy campaign",
           "the closure of the tannery", "the repair of the tramlines", "the distribution of ration cards")
TIMES = ("In the spring of {y}", "By the autumn of {y}", "Throughout {y}", "Early in {y}", "At the end of {y}",
         "During the winter of {y}", "In the months that followed", "Within a year", "At the same time")
CLAUSES = ("although the minutes record little discussion", "as several speakers pointed out",
           "despite repeated instructions from above", "which the local press reported at length",
           "while the membership continued to grow", "and the matter was referred back to the districts",
           "but the figures were disputed", "as the reports of the instructors show")
HEADINGS = ("Committees and their members", "The campaign in the districts", "Wages, prices and housing",
            "Reading rooms and evening courses", "The press and its correspondents", "Elections and delegates",
            "Inspections and their results", "Factories after the reform", "The view from the villages",
            "Accounts and auditors")
TOPICS = ("Committees and Petitions", "Housing and Wages", "Reading Rooms and Literacy", "Cooperatives and Prices",
          "Elections and Delegates", "Inspectors and Factories", "Newspapers and Correspondents")
ARCHIVES = (("GAVO", "Gosudarstvennyi Arkhiv Verkhnevolzhskoi Oblasti"),
            ("TsGAPK", "Tsentral'nyi Gosudarstvennyi Arkhiv Priozernogo Kraia"),
            ("RGAPR", "Rossiiskii Gosudarstvennyi Arkhiv Promyshlennogo Razvitiia"),
            ("GAKhO", "Gosudarstvennyi Arkhiv Khvoinoi Oblasti"))
PERIODICALS = ("Krasnyi Molot", "Rabochaia Zaria", "Golos Tkachei", "Derevenskii Vestnik")
MONTHS = "January February March April May June July August September October November December".split()
WORK_WORDS = ("Labour Town Province Party Factory Reform Memory Power Village Press School Market Revolution "
              "Councils Workers Peasants State Society Culture Order Everyday Life Authority Petitions").split()
PUBLISHERS = (("Oxford", "Clarendon Press"), ("Cambridge", "Cambridge University Press"), ("Moscow", "Nauka"),
              ("Leningrad", "Lenizdat"), ("London", "Macmillan"), ("Bloomington", "Indiana University Press"),
              ("Pittsburgh", "University of Pittsburgh Press"))
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


@dataclass
class Work:
    """A work of the shared pool, printed the same way by every article citing it."""

    family: str
    given: str
    year: int
    title: str
    kind: str
    """book or article."""
    where: tuple[str, str]
    """(place, publisher) of a book; (journal, 'volume, no. issue') of an article."""
    pages: str = ""

    def entry(self) -> str:
        if self.kind == "book":
            return f"{self.family}, {self.given}. *{self.title}*. {self.where[0]}: {self.where[1]}, {self.year}."
        return f"{self.family}, {self.given}. '{self.title}'. *{self.where[0]}* {self.where[1]} ({self.year}): {self.pages}."

    def short(self) -> str:
        """The title as a note cites it: without its subtitle."""
        return self.title.partition(":")[0]


@dataclass
class Pool:
    """What the articles of one corpus share: archival files and works."""

    files: list[tuple[str, str, int, int, int]]
    """(abbreviation, full name, fond, opis, delo)."""
    works: list[Work]


def make_pool(rng: random.Random, articles: int) -> Pool:
    files = [(abbr, name, rng.randint(1, 400), rng.randint(1, 12), rng.randint(1, 3000))
             for abbr, name in ARCHIVES for _ in range(max(6, articles // 2))]
    works = []
    for i in range(max(30, articles * 3)):
        family, given = rng.choice(FAMILY), rng.choice(GIVEN)
        title = f"{' and '.join(rng.sample(WORK_WORDS, 2))} in {rng.choice(PLACES)}"
        if rng.random() < 0.4:
            title += f": {rng.choice(TOPICS)}, {rng.randint(1900, 1925)}–{rng.randint(1926, 1940)}"
        if rng.random() < 0.5:
            works.append(Work(family, given, rng.randint(1960, 2020), title, "book", rng.choice(PUBLISHERS)))
        else:
            start = rng.randint(1, 300)
            works.append(Work(family, given, rng.randint(1960, 2020), title, "article",
                              (rng.choice(JOURNALS), f"{rng.randint(1, 60)}, no. {rng.randint(1, 4)}"),
                              f"{start}–{start + rng.randint(10, 30)}"))
        if i % 10 == 9:  # a second edition: the same authors and title in another year, never the same work
            w = works[-1]
            works.append(Work(w.family, w.given, w.year + rng.randint(3, 9), w.title, w.kind, w.where, w.pages))
    return Pool(files, works)


@dataclass
class _Article:
    rng: random.Random
    pool: Pool
    notes: list[str] = field(default_factory=list)
    cited: list[Work] = field(default_factory=list)
    defined: set[str] = field(default_factory=set)
    last: tuple | None = None
    """What the note before cited, for 'Ibid.' ('file', (…)) or ('work', Work)."""

    def note(self) -> str:
        """A new note, citing works, archival files or a periodical."""
        rng, parts = self.rng, []
        for _ in range(rng.choice((1, 1, 1, 2))):
            roll = rng.random()
            if roll < 0.2 and self.last:
                parts.append(self._ibid())
            elif roll < 0.55:
                parts.append(self._file())
            elif roll < 0.9:
                parts.append(self._work())
            else:
                day, month, year = rng.randint(1, 28), rng.choice(MONTHS), rng.randint(1922, 1932)
                parts.append(f"*{rng.choice(PERIODICALS)}*, {day} {month} {year}.")
                self.last = None
        if rng.random() < 0.3:
            parts.insert(0, _sentence(rng, rng.randint(1922, 1932)))
        return " ".join(parts)

    def _file(self) -> str:
        abbr, name, fond, opis, delo = f = self.rng.choice(self.pool.files)
        folio = self._folios()
        self.last = ("file", f)
        if abbr not in self.defined:
            self.defined.add(abbr)
            return f"{name} (hereafter {abbr}), fond {fond}, opis' {opis}, delo {delo}, listy {folio}."
        return f"{abbr}, f. {fond}, op. {opis}, d. {delo}, {'ll.' if '–' in folio else 'l.'} {folio}."

    def _folios(self) -> str:
        start = self.rng.randint(1, 200)
        return f"{start}–{start + self.rng.randint(1, 9)}" if self.rng.random() < 0.4 else str(start)

    def _work(self) -> str:
        w = self.rng.choice(self.cited)
        self.last = ("work", w)
        page = self.rng.randint(3, 400)
        return f"{w.family}, *{w.short()}*, {page}."

    def _ibid(self) -> str:
        kind, _ = self.last
        if kind == "file":
            folio = self._folios()
            return f"Ibid., {'ll.' if '–' in folio else 'l.'} {folio}."
        return f"Ibid., {self.rng.randint(3, 400)}."


def _sentence(rng: random.Random, year: int, names: list[str] = ()) -> str:
    who = rng.choice(INSTITUTIONS + PEOPLE + tuple(names))
    opening = rng.choice(TIMES).format(y=year)
    clause = f", {rng.choice(CLAUSES)}" if rng.random() < 0.4 else ""
    return f"{opening}, {who} {rng.choice(VERBS)} {rng.choice(OBJECTS)}{clause}."


def _mark(rng: random.Random, sentence: str, n: int, forms: list[str], shown: int | None = None) -> str:
    """The sentence with the marker of note n at its end, printed in one of forms (as number shown)."""
    printed = str(shown if shown is not None else n)
    form = rng.choice(forms)
    if form == "superscript":
        return sentence + printed.translate(SUPERSCRIPT)
    if form == "after-space":
        return f"{sentence} {printed}"
    if form == "glued":
        return sentence + printed
    return f"{sentence[:-1]}, in the words of the minutes, '{rng.choice(OBJECTS)} above all.'{printed}"


def article(rng: random.Random, pool: Pool, index: int) -> tuple[str, str]:
    """(file name, seed text) of one invented article."""
    given, family = rng.choice(GIVEN), rng.choice(FAMILY)
    author = f"{given} {family}"
    place = rng.choice(PLACES)
    start, end = sorted(rng.sample(range(1918, 1940), 2))
    title = f"{rng.choice(TOPICS)} in {place}, {start}–{end}"
    journal = rng.choice(JOURNALS)
    year, volume, issue = rng.randint(1995, 2024), rng.randint(1, 60), rng.randint(1, 4)
    first = rng.randint(1, 400)
    pages = f"{first}-{first + rng.randint(15, 30)}"
    doi = f"10.5555/corpus.{year}.{index:04d}"
    slug = f"{re.sub(r'[^a-z]+', '-', family.lower())}-{year}-{index:04d}"

    art = _Article(rng, pool, cited=rng.sample(pool.works, rng.randint(8, min(30, len(pool.works)))))
    count = rng.randint(25, 110)
    forms = rng.sample(["superscript", "after-space", "glued", "after-quote"], rng.randint(1, 3))
    notes = ["I thank the archivists of the reading rooms and the two anonymous readers for their comments."]
    notes += [art.note() for _ in range(count - 1)]
    names = [f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}" for _ in range(4)]
    lost = rng.randint(2, count) if rng.random() < 0.3 else None
    misprinted = rng.randint(12, count - 1) if rng.random() < 0.3 and count > 14 else None

    # The text: sections of paragraphs; the markers 2..count spread over the paragraphs in order.
    paragraphs_n = max(6, count // 2 + rng.randint(-3, 3))
    per = [[] for _ in range(paragraphs_n)]
    for n in range(2, count + 1):
        per[min(paragraphs_n - 1, (n - 2) * paragraphs_n // (count - 1))].append(n)
    headings = rng.sample(HEADINGS, min(len(HEADINGS), max(2, paragraphs_n // 6)))
    lines: list[str] = []
    for i, markers in enumerate(per):
        if i and i % max(1, paragraphs_n // (len(headings) + 1)) == 0 and headings:
            lines += [headings.pop(), ""]
        sentences = []
        for j in range(rng.randint(3, 6)):
            text = _sentence(rng, rng.randint(start, end), names)
            if j < len(markers) and markers[j] != lost:
                n = markers[j]
                text = _mark(rng, text, n, forms, (n + 5 if n % 10 < 5 else n - 5) if n == misprinted else None)
            sentences.append(text)
        for n in markers[len(sentences):]:
            sentences.append(_mark(rng, _sentence(rng, rng.randint(start, end), names), n, forms))
        lines += [" ".join(sentences), ""]
    _damage(rng, lines, journal)

    out = ["", "", journal, "", "", "", f"ISSN: {rng.randint(1000, 9999)}-{rng.randint(100, 999)}X (Print) "
           f"Journal homepage: https://example.org/j{index}", "", title, "", author, "",
           f"{COVER_CITE}: {author} ({year}) {title}, {journal}, {volume}:{issue}, {pages}, DOI: {doi}", "",
           f"{COVER_LINK}: https://doi.org/{doi}", "", "", "", author, "", f"{title}¹", "",
           _abstract(rng, place, start, end), ""]
    out += lines
    out += ["Notes", ""] + _notes(rng, notes) + ["", "References", ""] + _references(rng, art.cited)
    return f"{slug}.txt", "\n".join(out) + "\n"


def _abstract(rng: random.Random, place: str, start: int, end: int) -> str:
    return (f"This article follows {rng.choice(INSTITUTIONS)} of {place} between {start} and {end}. "
            f"It argues that {rng.choice(PEOPLE)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} more often than the "
            f"published resolutions suggest, and that the local records allow this to be traced in detail.")


def _damage(rng: random.Random, lines: list[str], journal: str) -> None:
    """Page breaks inside paragraphs (with a page number or a running head between the halves), and a
    word split by a line-break hyphen where the text spells it whole elsewhere."""
    page = rng.randint(20, 300)
    for i in range(len(lines) - 1, -1, -1):
        words = lines[i].split(" ")
        if len(words) > 30 and rng.random() < 0.25:
            cut = next((k for k in range(len(words) // 2, len(words) - 2)
                        if words[k + 1][:1].islower() and words[k][-1:].isalpha()), None)
            if cut:
                furniture = str(page) if rng.random() < 0.5 else f"{journal.upper()} {page}"
                lines[i:i + 1] = [" ".join(words[:cut + 1]), "", furniture, "", " ".join(words[cut + 1:])]
                page += 1
    text = "\n".join(lines)
    common = [w for w in ("committee", "delegates", "cooperative", "instructors", "procurement")
              if text.count(f" {w} ") >= 3]
    if common:
        word = rng.choice(common)
        i = next(i for i, line in enumerate(lines) if f" {word} " in line)
        cut = len(word) // 2
        lines[i] = lines[i].replace(f" {word} ", f" {word[:cut]}-{word[cut:]} ", 1)


def _notes(rng: random.Random, notes: list[str]) -> list[str]:
    out = []
    for n, text in enumerate(notes, 1):
        words = text.split(" ")
        if len(words) > 14 and rng.random() < 0.05:  # a page break inside the note
            cut = next((k for k in range(6, len(words) - 3) if words[k + 1][:1].islower()), None)
            if cut:
                out += [f"- {n}. {' '.join(words[:cut + 1])}", "", f"- {' '.join(words[cut + 1:])}"]
                continue
        out.append(f"- {n}. {text}")
    return out


def _references(rng: random.Random, works: list[Work]) -> list[str]:
    entries = sorted(works, key=lambda w: (w.family, w.year, w.title))
    out, previous = [], None
    for w in entries:
        text = w.entry()
        if previous and previous.family == w.family and previous.given == w.given and rng.random() < 0.7:
            text = "———." + text[text.index(".", len(w.family) + 2) + 1:]
        previous = w
        if out and rng.random() < 0.08 and not out[-1].startswith("- ———") and not text.startswith("———"):
            out[-1] += " " + text  # two entries run together on one line
        else:
            out.append(f"- {text}")
    return out


def write(count: int, folder: Path, seed: int = 1) -> list[Path]:
    """count invented articles written to folder as seeds; their paths."""
    rng = random.Random(seed)
    pool = make_pool(rng, count)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        name, text = article(random.Random(rng.random()), pool, i + 1)
        (folder / name).write_text(text, encoding="utf-8")
        paths.append(folder / name)
    return paths


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int, help="how many articles")
    parser.add_argument("folder", type=Path, help="where to write them (as <name>.txt)")
    parser.add_argument("--seed", type=int, default=1, help="the random seed (default 1)")
    args = parser.parse_args(argv)
    for path in write(args.count, args.folder, args.seed):
        print(path)


if __name__ == "__main__":
    main()
