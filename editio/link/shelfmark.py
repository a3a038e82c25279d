"""Archival shelfmarks as historians print them: archive, fond, opis, delo and folios (listy).

A shelfmark is read as a chain of elements, each a keyword and a number, from the fond down:
abbreviated (`f. 5, op. 2, d. 118, l. 7`), spelled out with descriptions (`fond 5 (Council of
Ministers), opis' 2, delo 118, listy 7–8`), capitalised (`F. 16, Op. 5, D. 5690, L. 3`), dotted in
the Russian manner (`Ф. Р-5446. Оп. 1. Д. 12. Л. 3 об.`). A chain may start below the fond
(`d. 216, l. 4` after 'Ibid.' or a semicolon): the linker then takes the rest from the file it
continues. The archive is the abbreviation printed before the fond, or defined there
('… (hereafter GARF)').
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from ..textrules import CAPITAL, MONTHS, SMALL

LEVELS = ("fond", "opis", "delo", "listy")
_KEYWORDS = {  # Ukrainian archives print opys, sprava (spr.) and arkush (ark.) for opis, delo and list; the
    # Presidential archive's fond 89 perechen' (per.) and dokument (dok.); manuscript archives edinitsa
    # khraneniia (ed. khr., ed. kr.) for the file
    "fond": r"[Ff]ond|[Ff]und|[Фф]онд|[FfФф]\.|F,(?=\s*\d+,\s*(?:[Ii]nv|[Oo]p))",
    "opis": r"[Oo]pis['’ʹ]?|[Oo]pys|[Oo]p\.?|[Pp]erechen['’]?|[Pp]er\.|[Оо]пись|[Оо]пис|[OoОо][пp]\.|[Пп]ер\.",
    "delo": r"[Dd]elo|[Dd]\.|[Ss]prava|[Ss]pr\.|[Dd]ok\.|[Ee]d\.\s?kh?r\.|[Дд]ело|[Дд]\.|[Сс]права|[Сс]пр\.|[Дд]ок\."
            r"|[Ее]д\.\s?хр\.",
    "listy": r"[Ll]isty\.?|[Ll]ist\.?|[Ll]l\.|[Ll]\.|[Aa]rk(?:ush|ushi|\.)|[Лл]исты?|[Лл]л\.|[Лл]\.|[Аа]рк\.",
}
_VALUE = (rf"(?:[{CAPITAL}]{{1,2}}\s?[-–]\s?|[{SMALL}]{{1,2}}[-–]|[{CAPITAL}]{{1,2}})?"
          rf"(?:\d{{1,3}}(?:[ \u2009\u202f]\d{{3}})+(?=[,.;)]|$)|\d+)(?:[{SMALL}]{{1,2}})?(?:\s?\([{SMALL}]\))?")
NUMBER = _VALUE + rf"(?:/\d+[{SMALL}]?)?(?![\w/]|[-–:]\w)"
"""A fond, opis or delo: digits with a letter prefix (R-5457, Р-1000) or suffix (1a, 12a, '2981 (b)'), in groups
of three before a separator ('f.31 660, d.1 103'), or two numbers joined by a slash ('Оп. 263/216'), read only whole: a value that goes on ('12/3/4', '5-R', '1aa') is not
read at all, so that no level is ever cut short."""
_FOLIO = rf"\d+(?:[{SMALL}](?!\w))?(?:\s?(?:ob|об)(?:\.|(?!\w)))?"
_DASH = r"\s*[-–—−]\s*"
_NOT_DATE = r"(?!\s*(?i:" + "|".join(MONTHS) + r")\b)"
FOLIOS = (rf"{_FOLIO}(?:{_DASH}{_FOLIO})?(?:(?:\s*,\s*|\s+(?:and|&)\s+|\s*и\s*){_FOLIO}(?:{_DASH}{_FOLIO})?"
          rf"(?!\w){_NOT_DATE})*(?:\s+(?:и\s+др\.|etc\.|et\s+seq\.|passim))?")
"""Folios: '7', '7–8', '44–44a', '4ob.', '7 ob.', '12ob.–13', '3, 5, 7–9', '7 and 9', '1и1об.', '86–90 и др.' (verso
kept with its full stop, 'and others' with the folios it follows)."""
_DESCRIPTION = r"(?:\s*\((?P<desc>[^()]{1,200})\))?"
_WHOLE_FOLIOS = FOLIOS + r"(?![\w/]|:\d)"
_ELEMENT = {level: re.compile(rf"(?<![\w'’])(?<![^\W\d_]\.)(?P<kw>{kw})\s*(?P<val>{_WHOLE_FOLIOS if level == 'listy' else NUMBER})"
                              + (_DESCRIPTION if level != "listy" else ""))
            for level, kw in _KEYWORDS.items()}
_NEXT = {  # keywords read only right below the level above, never starting a shelfmark: Estonian nimistu (n.)
    # and säilik (s.), Lithuanian apyrašas (ap.) and byla (b.), Latvian apraksts (apr.), lieta (l., when a
    # lapa follows: 'l. 212, lp. 7') and lapa (lp.); folios printed as pages ('delo 1320, p. 14'); the levels
    # in English ('Fond 102, Schedule 314, Case 35, Folio 302-10', 'fund 4, register 100, file 275', 'inventory',
    # 'sheets'); D and L
    # whose full stop the print lost ('Op.1. D 2. L.3-4'); Latin letters the OCR or a web copy put for Cyrillic
    # ones ('On. 1', 'Он. 1' for 'Оп. 1'; 'Cnp. 36610' for 'Спр.'); 'c.' and 'sh.' for case and sheets
    "opis": re.compile(rf"(?P<kw>[Nn]\.|[Aa]pr\.|[Aa]p\.|[Ss]chedule|[Rr]egister|[Ii]nventory|[Ii]nv\.|[OО][nн]\.)\s*"
                       rf"(?P<val>{NUMBER})"),
    "delo": re.compile(rf"(?P<kw>[Ss]\.|[Bb]\.|[Ll]\.(?=\s*{NUMBER}\s*,\s*lp\.)|[Cc]ase|[Cc]\.|[Ff]ile|[CС][nп][pр]\.|[DdДд](?=\s\d))\s*"
                       rf"(?P<val>{NUMBER})"),
    "listy": re.compile(rf"(?P<kw>[Ll]p\.|[Pp]p?\.|[Ff]olios?|[Ss]heets?|[Ss]h\.|[LlЛл](?=\s\d))\s*(?P<val>{FOLIOS})"),
}
_ENGLISH = {level: re.compile(rf"(?P<kw>{kw})\s*(?P<val>{NUMBER})") for level, kw in
            (("opis", "[Ss]chedule|[Rr]egister|[Ii]nventory"), ("delo", "[Cc]ase|[Ff]ile"))}
"""The levels in English words, which may also begin what an Ibid. changes ('Ibid., register 107, file 118, 39');
never the abbreviations of other languages, so that 'Ibid., n. 27' is a note, not a nimistu."""
_ENGLISH_FOLIOS = re.compile(rf",\s*(?P<val>{_FOLIO}(?:{_DASH}{_FOLIO})?(?:,\s*{_FOLIO}(?:{_DASH}{_FOLIO})?)*)"
                             rf"(?![\w/])(?=\s*(?:[.;)]|$))")
"""Folios without a keyword after a file named in English, as such notes print them ('file 283, 14.')."""
_PAPKA = re.compile(r"(?:[Pp](?:ap)?\.|[Pp]apka|[Пп](?:ап)?\.|[Пп]апка)\s*\d+\s*,\s*(?=(?:[Dd]\.|[Dd]elo|[Дд]\.|[Дд]ело)\s*\d)")
"""A papka between opis and delo (AVP RF: 'f. 06, op. 1, p. 14, d. 155'): a box, skipped; the delo is the file."""
_RAZDEL = re.compile(r"(?:[Rr]azd\.|[Rr]azdel|[Рр]азд\.|[Рр]аздел)\s*(?:[IVXLC]+|\d+)\s*,\s*(?=(?:[Oo]p|[Оо]п))")
"""A razdel (section) between fond and opis ('NA IRI RAN, f. 2, razd. III, op. 5'): skipped; the opis numbers
the inventory within the fond."""
_TOM = re.compile(r"(?:[TtТт]\.|[Tt]om|[Тт]ом)\s*(?P<val>\d+[a-zа-я]?|[IVXLC]+|«[^»]{1,80}»)(?![\w/])"
                  r"(?:\s*\([^()]{1,30}\))?(?:\s*«[^»]{1,80}»)?")
"""A file's volume (tom) below its delo, perhaps with its years or title: 'Т. 1', 't.1', 'т. 2 (1948 г.)', 'Т. 1 «План
поражения»', 'Т. «Судебное производство»'."""
_FOND_YEAR = re.compile(r"(?:1[6-9]|20)\d\d(?:\s*гг?\.|\s*[,.])\s*(?=(?:[Oo]p|[Оо]п))")
"""The year a fond's papers are of, between fond and opis ('ЦГВИА РФ. Ф. 400, 1916 г. Оп. 263/216'): skipped."""
_OCR_FOLIO = re.compile(rf"(?P<kw>1\.|II\.|Il\.|lI\.)\s*(?P<val>{FOLIOS})")
"""'1. 9', 'II. 137–38': the OCR's digit one or capital I where the folio's 'l.' or 'll.' belongs (read only
where a folio must follow)."""
_SEPARATOR = re.compile(r"\s*[,.]?\s*")
_ANY_KEYWORD = re.compile(rf"(?<![\w.'’])(?:{'|'.join(_KEYWORDS.values())}|[Dd]d\.|[Дд]д\.)\s*(?=\w{{0,2}}[-–]?\d)")

ABBREVIATION = (rf"(?:(?:Arkhiv|Архив)\s)?[{CAPITAL}]\w*[{CAPITAL}]\w*(?:-\w+)*(?:\s[{CAPITAL}][\w-]{{0,9}}){{0,2}}"
                rf"(?:\s\d{{1,2}}(?![\d/.,]\d))?")
"""An archive's abbreviation: a word with two or more capitals, perhaps with a place or an institution ('TsGA
SPb', 'NA IRI RAN', 'Arkhiv INO OGPU-NKVD') and the number of a branch ('ГУРК НАРК 2')."""
_DEFINED = re.compile(r"\((?:hereafter|henceforth|hereinafter|further|далее)\s*[-–—:]?\s*"
                      r"(?:cited\s+as\s+)?[‘'\"“]?(?P<abbr>[^()'’\"”*]{2,30}?)[’'\"”]?\)")
_BARE = re.compile(rf"(?<![\w-])(?P<abbr>{ABBREVIATION})(?:\s*\([^()]*\))?\s*[,.:]?\s*$")
"""An abbreviation right before the fond, perhaps with a description: 'DAKO (State Archive of Kyiv Oblast), f.',
'TsGAIPD SPb: Fond 4000'."""
_IN_PARENS = re.compile(rf"\((?P<abbr>{ABBREVIATION})\)\s*[,.:]?\s*$")


@dataclass
class Element:
    """One level of a shelfmark as printed."""

    level: str
    """fond, opis, delo or listy."""
    value: str
    """The number as printed (for listy: the folios)."""
    start: int
    """Where its keyword starts in the text."""
    end: int
    """Where it ends (after a parenthesised description, if any)."""
    ocr: str = ""
    """The folio keyword as printed when the OCR misread it ('1.' or 'II.' for 'l.' or 'll.'), else ''."""
    more: list[tuple[str, int, int]] = field(default_factory=list)
    """Further files under a plural keyword ('dd. 87, 88, 89'): each number with where it stands; for a range
    ('Dd.1242–6'), the files after the first, standing (with no span of their own) at the range's end."""
    first_end: int = 0
    """Under a plural keyword: where the first file's number ends."""
    ranged: bool = False
    """Whether the further files are those of a range ('Dd.1242–6': 1243 to 1246; none when the range runs
    backwards or over more than RANGE files)."""

    @property
    def several(self) -> list[str]:
        """The value, and those of the further files."""
        return [self.value] + [v for v, _, _ in self.more]


@dataclass
class Chain:
    """Elements that follow one another in order (fond, opis, delo, listy), some levels perhaps absent."""

    elements: list[Element] = field(default_factory=list)
    tom: str = ""
    """The volume of the file, printed between delo and folios ('Спр. 6974. Т. 1. Арк. 319', 't. 2 (1948), l. 61')."""
    case_file: bool = False
    """A case file known by its number alone, below its archive ('ЦА ФСБ РФ, АСД № Р–3454'): it has no fond."""

    @property
    def start(self) -> int:
        return self.elements[0].start

    @property
    def end(self) -> int:
        return self.elements[-1].end

    @property
    def top(self) -> str:
        """The highest level printed."""
        return self.elements[0].level

    def get(self, level: str) -> Element | None:
        return next((e for e in self.elements if e.level == level), None)


_DELA = re.compile(rf"(?<![\w.'’])(?P<kw>[Dd]d\.|[Дд]д\.)\s*(?:(?P<first>\d+){_DASH}(?P<to>\d+)(?![\w/]|[-–:]\w)"
                   rf"|(?P<val>{NUMBER})(?P<more>(?:\s*(?:,|and|и)\s*{NUMBER}"
                   r"(?!\s*(?:[–-]|(?i:" + "|".join(MONTHS) + r")\b)))*))")
"""Several files under one plural keyword: 'dd. 87, 88, 89', 'Dd.87 and 88', 'дд. 5, 6'; or a range of them,
'Dd.295–6' (the end abbreviated as printed: 295 and 296)."""
RANGE = 50
"""The most files a range of dela is read as ('Dd.1242–6' is five); a longer one is left to the editor."""


def element_at(text: str, pos: int, levels=LEVELS, ocr: bool = False) -> Element | None:
    """The element of one of the levels that starts exactly at pos ('1. 9' as a folio when ocr)."""
    if "delo" in levels and (m := _DELA.match(text, pos)):
        if m.group("to"):
            first = int(m.group("first"))
            last = int(m.group("first")[:max(0, len(m.group("first")) - len(m.group("to")))] + m.group("to"))
            # A range backwards, or of more files than a reader would list, gives none (reported).
            more = [(str(d), m.end(), m.end()) for d in range(first + 1, last + 1)] if first < last <= first + RANGE else []
            return Element("delo", m.group("first"), m.start(), m.end(), more=more, first_end=m.end("first"),
                           ranged=True)
        base = m.start("more")
        more = [(d.group(0), base + d.start(), base + d.end()) for d in re.finditer(NUMBER, m.group("more"))]
        return Element("delo", m.group("val"), m.start(), m.end(), more=more, first_end=m.end("val"))
    for level in levels:
        m = _ELEMENT[level].match(text, pos)
        if m:
            return Element(level, m.group("val").strip(), m.start(), m.end())
    if ocr and "listy" in levels:
        m = _OCR_FOLIO.match(text, pos)
        if m and not re.match(r"\s*\d", text[m.end():]):
            return Element("listy", m.group("val").strip(), m.start(), m.end(), ocr=m.group("kw"))
    return None


def chain_at(text: str, pos: int, ocr_first: bool = False) -> Chain | None:
    """The chain of elements starting at pos, each level below the one before (a tom and the folios in it, for
    an Ibid. that changes the volume: 'Там же. Т. 2. Арк. 130')."""
    tom = _TOM.match(text, pos) if ocr_first else None
    if tom and (folios := element_at(text, _SEPARATOR.match(text, tom.end()).end(), ("listy",), ocr=True)):
        return Chain([folios], tom=tom.group("val").strip("«»"))
    lieta = _NEXT["delo"].match(text, pos) if text[pos:pos + 1] in "Ll" else None  # Latvian 'l. 14, lp. 6'
    first = Element("delo", lieta.group("val"), pos, lieta.end()) if lieta else element_at(text, pos, ocr=ocr_first)
    if first is None and ocr_first:
        english = next(((level, m) for level, r in _ENGLISH.items() if (m := r.match(text, pos))), None)
        first = Element(english[0], english[1].group("val"), pos, english[1].end()) if english else None
    return _extend(Chain([first]), text) if first else None


def _extend(chain: Chain, text: str) -> Chain:
    """The chain with the levels printed below its last one, in order."""
    while True:
        below = LEVELS[LEVELS.index(chain.elements[-1].level) + 1:]
        if not below:
            break
        at = _SEPARATOR.match(text, chain.end).end()
        for skipped in {"fond": (_RAZDEL, _FOND_YEAR), "opis": (_PAPKA,)}.get(chain.elements[-1].level, ()):
            if m := skipped.match(text, at):
                at = m.end()
        if chain.elements[-1].level == "delo" and (tom := _TOM.match(text, at)):
            chain.tom = tom.group("val").strip("«»")
            # The chain ends at the tom when no folios follow it.
            chain.elements[-1].end = tom.end()
            at = _SEPARATOR.match(text, tom.end()).end()
        m = _NEXT[below[0]].match(text, at)
        nxt = (Element(below[0], m.group("val").strip(), m.start(), m.end()) if m
               else element_at(text, at, below, ocr=chain.elements[-1].level == "delo"))
        last = chain.elements[-1]
        if (nxt is None and last.level == "delo" and re.fullmatch(r"[Ff]ile|[Cc]ase", text[last.start:last.end].split()[0])
                and (bare := _ENGLISH_FOLIOS.match(text, last.end)) and not _YEAR_OR_DATE.fullmatch(bare.group("val"))):
            nxt = Element("listy", bare.group("val"), bare.start("val"), bare.end("val"))
        if nxt is None:
            break
        chain.elements.append(nxt)
    return chain


_CASE_FILE = re.compile(rf"(?P<kw>АСД|арх\.\s?-?\s?след\.\s?дело|архивно-следственное\s+дело|ASD|arkh\.-sled\.\s+delo)\s*"
                        rf"№\s*(?P<val>(?:[{CAPITAL}]{{1,2}}\s?[-–]\s?)?\d+)(?![\w/]|[-–]\w)"
                        rf"(?:\s+(?:на|on|against)\s+[^,;()]{{1,80}}?(?=[,.]\s*(?:[TtТт]\.|[LlЛл]{{1,2}}\.)))?")
"""A case file of the security services' archives, known by its number alone (no fond, no opis), perhaps with
whose case it is: 'ЦА ФСБ РФ, АСД № Р–3454 на Арватову–Тухачевскую Е. Н., т. 2 (1948 г.), л. 61'."""


def _case_files(text: str) -> list[Chain]:
    """The case files named after an archive's abbreviation, with their tom and folios."""
    out = []
    for m in _CASE_FILE.finditer(text) if "№" in text else ():
        if _BARE.search(text[max(0, m.start() - 40):m.start()]):
            chain = Chain([Element("delo", m.group("val"), m.start(), m.end())], case_file=True)
            out.append(_extend(chain, text))
    return out


_PARTS = rf"(?P<fond>{_VALUE})(?P<sep>[/.])(?P<opis>{_VALUE})(?P=sep)(?P<delo>{_VALUE})"
_SLASHED = re.compile(rf"(?<=[\w.,])\s*,?\s*{_PARTS}(?:(?P=sep)(?P<listy>{FOLIOS}))?(?![\w/]|\.\d)")
"""Fond, opis, delo (and folios) joined by slashes or full stops right after an archive's abbreviation:
'GARF 5/2/118', 'RGASPI 558/11/1120/54', 'RGASPI 558.11.492.6', 'RGASPI 74.2.37.54–9', 'RGASPI
558.11.79.101 and 129'."""
_COMMAS = re.compile(rf"(?<=[\w.])\s*,?\s+(?P<fond>{_VALUE}),\s*(?P<opis>{_VALUE}(?::\d+)?),\s*(?P<delo>{_VALUE})"
                     rf"(?:,\s*(?P<listy>{_FOLIO}(?:{_DASH}{_FOLIO})?(?:,\s*{_FOLIO}(?:{_DASH}{_FOLIO})?)*))?"
                     rf"(?![\w/]|\s*[,–-]?\s*\d)")
"""Fond, opis, delo and folios by position, joined by commas, right after an archive's abbreviation: 'GARF 9401,
2, 99, 386', 'GASPI 558, 11, 721, 68' (an opis '2:1' as printed)."""
_DOTTED_CODE = re.compile(rf"(?<=[{CAPITAL}]\.)(?P<fond>(?:[{CAPITAL}]{{1,2}}-)?\d+[{SMALL}]?)\.(?P<opis>\d+[{SMALL}]?)"
                          rf"\.(?P<delo>\d+[{SMALL}]?)(?![\w.]*\d)")
"""An archive's reference code, fond, opis and delo joined by full stops after its abbreviation: 'ERA.R-1.5.2',
'ERAF.1.5.12' (the Estonian archives)."""
OTHER_SYSTEMS = {"PRO", "TNA", "FO", "CAB", "PREM", "WO", "HS", "KV", "ADM", "AIR", "HO", "CO", "DO", "BT", "INF",
                 "OSA", "HU OSA", "NARA", "RG", "HIA", "BArch", "PAAA", "AAN", "MOL", "LAC"}
"""Archives whose shelfmarks are printed with slashes in another system (the British National Archives' series
'PREM 4/30/8', 'FO 371/24843'; the Open Society Archives 'OSA 300/50/6'; NARA, Hoover, German and Polish
archives): never read as fond, opis and delo."""
_DATE_OR_YEAR = re.compile(r"(?:0?[1-9]|[12]\d|3[01])\.(?:0?[1-9]|1[0-2])\.(?:1[6-9]|20)\d\d|(?:1[6-9]|20)\d\d")


@functools.lru_cache(maxsize=4096)
def chains(text: str) -> tuple[Chain, ...]:
    """Every chain in a text, in order; a chain is never counted twice from inside itself. (Asked for twice a
    note, to gather the archives and to link; the chains are never changed once read.)"""
    positional = _positional(text) + _case_files(text)
    out: list[Chain] = []
    pos = 0
    while True:
        m = _ANY_KEYWORD.search(text, pos)
        if m is None:
            break
        inside = next((c for c in positional if c.start <= m.start() < c.end), None)
        if inside is not None:  # the folios of a positional shelfmark
            pos = inside.end
            continue
        chain = chain_at(text, m.start())
        if chain is None:  # a keyword before a number that is no shelfmark value ('d. 1920s')
            pos = m.end()
            continue
        out.append(chain)
        pos = chain.end
    return tuple(sorted(out + positional, key=lambda c: c.start))


def _positional(text: str) -> list[Chain]:
    """The shelfmarks printed by position after an archive's abbreviation (slashed, dotted, with commas;
    reference codes), with their folios. Dotted and comma-joined numbers are read so only after an
    abbreviation that names an archive ('RGASPI', 'GASPI', 'TsAMO': an A for arkhiv) and never as a date or
    a run of years ('USSR 1929, 1930, 1931')."""
    found = list(_SLASHED.finditer(text)) if re.search(r"\d[/.]\d", text) else []
    found += list(_COMMAS.finditer(text)) if "," in text else []
    found += [m for m in _DOTTED_CODE.finditer(text) if re.search(rf"(?<![\w-]){ABBREVIATION}\.$", text[:m.start()])]
    out: list[Chain] = []
    for m in sorted(found, key=lambda m: m.start()):
        name = _BARE.search(text[max(0, m.start() - 40):m.start()])
        # 'RGADA 1239/24/2893 (…) and 1239/24/2985, 90': the second takes the archive of the first, as a shelfmark
        # of the note that names no archive (checked there for another archive between them).
        follows = (m.re is _SLASHED and out and out[-1].end <= m.start()
                   and re.search(r"(?:\band|[;,])\s*$", text[:m.start()]))
        if (not (name or follows) or any(c.start <= m.start() < c.end for c in out)
                or name and name.group("abbr") in OTHER_SYSTEMS
                or re.match(r"[,.]?\s*(?:folder|box|file|item|folio)\b", text[m.end():], re.IGNORECASE)):
            continue
        if m.re is _COMMAS or m.groupdict().get("sep") == ".":
            values = [m.group(level) for level in ("fond", "opis", "delo")]
            if (not name or not re.search("[AА]", name.group("abbr")) or _DATE_OR_YEAR.fullmatch(".".join(values))
                    or any(_DATE_OR_YEAR.fullmatch(v) for v in values)):
                continue
        chain = Chain([Element(level, m.group(level), m.start(level), m.end(level)) for level in LEVELS
                       if m.groupdict().get(level)])
        sep = _SEPARATOR.match(text, chain.end)
        folios = None if m.groupdict().get("listy") else element_at(text, sep.end(), ("listy",), ocr=True)
        bare = _COMPACT_FOLIOS.match(text, chain.end) if m.re is _SLASHED and not folios else None
        if bare and not re.fullmatch(r"(?:1[6-9]|20)\d\d", bare.group("val")):
            folios = Element("listy", bare.group("val"), bare.start("val"), bare.end("val"))
        if folios:
            chain.elements.append(folios)
        out.append(chain)
    return out


_COMPACT_FOLIOS = re.compile(rf"(?:\s*\((?:1[6-9]|20)\d\d(?:\s*[–-]\s*\d{{2,4}})?\))?\s*,\s*"
                             rf"(?P<val>{_FOLIO}(?:{_DASH}{_FOLIO})?)(?=\s*(?:[,;)]|\.(?!\d)|$)"
                             rf"|\s+(?:on|about|for|from|in|and|of)\s)")
"""Folios after a slashed shelfmark without a keyword, by position, perhaps after the document's year: 'TsDAHOU
1/20/6277 (1933), 233–5, in …', 'RGASPI 17/162/14 (1932), 17'; never a year ('RGAE 4372/11/211, 1930')."""


_UNITS = ("t|toma?|vol|vyp|vypusk|sv|sv[iy]azk?h?a|papka|kn|kniga|ch|chast['’]?|k|kor|korobka|karton|razd|razdel"
          "|por|т|тома?|вып|выпуск|св|связка|папка|кн|книга|ч|часть|к|кор|коробка|картон|разд|раздел|пор")
_UNREAD = re.compile(rf"\s*[,.:]?\s*(?P<what>(?:(?:{_UNITS})\.?|[{SMALL}]{{1,4}}\.)\s*(?P<n>\d[\w–-]*)|(?P<bare>\d[\w–-]*))")
_YEAR_OR_DATE = re.compile(r"(?:1[6-9]\d\d|20[0-3]\d)(?!\w)|\d{1,2}\s+(?i:" + "|".join(MONTHS) + r")\b")


def unread_after(text: str, chain: Chain) -> re.Match | None:
    """What goes on from a shelfmark that stops above its folios, in a form the grammar does not read: a
    level it does not know ('…, op. 12, svyazka 13', 'd. 12, t. 2, l. 5', 'vyp. 3') or a bare number where a
    level belongs ('…, svyazka 3, 1118'); a year or a date is no level ('d. 5, 1933', 'd. 5, 12 May'), nor
    the documents within a file ('d. 243, docs. 1, 5')."""
    if chain.elements[-1].level == "listy":
        return None
    m = _UNREAD.match(text, chain.end) or _KEYWORD_UNREAD.match(text, chain.end)
    if m and element_at(text, m.start("what")):
        return None  # a keyword read whole: another shelfmark of the note ('f. 454, d. 7, d. 16')
    if m is None or m.re is _UNREAD and _YEAR_OR_DATE.match(text, m.start("n") if m.group("n") else m.start("bare")):
        return None
    if m.re is _UNREAD and chain.elements[-1].level == "delo" and _DOCUMENTS.match(m.group("what")):
        return None  # 'D.243, docs.1, 5': documents within the file, no level above the folios
    return m


_KEYWORD_UNREAD = re.compile(rf"\s*[,.:]?\s*(?P<what>(?<![\w'’])(?:{'|'.join(_KEYWORDS.values())})\s*(?=\S{{0,6}}\d)\S+)")
"""A level's keyword followed by what the grammar could not read as its value, though figures stand in it:
'Д. 745. Л. la—11 об.' (the OCR's 'la' for '1a'). An initial is no keyword here: 'd. 5. L. Trotsky' has none."""


_CLAUSE_END = re.compile(rf"[^;()]*?(?=\s*(?:;|\.\s+[{CAPITAL}]|[()]|\.?\s*$))")


_MONTH_NAMES = list(MONTHS) + ("января февраля марта апреля мая июня июля августа сентября октября ноября декабря "
                         "січня лютого березня квітня травня червня липня серпня вересня жовтня листопада "
                         "грудня").split()
_DATES = re.compile(r"\d{1,2}\s+(?i:" + "|".join(_MONTH_NAMES) + r")\b\.?(?:\s+\d{4})?|(?i:" + "|".join(MONTHS)
                    + r")\.?\s+\d{1,2}(?:,\s*\d{4})?|(?:1[6-9]|20)\d\d|\d{1,2}\.\d{1,2}\.\d{2,4}")
_LOOSE_NUMBER = re.compile(r"(?<![\w.–-])\d+[a-z]?(?![\w–-])")


def loose_number(text: str) -> str | None:
    """A number standing by itself in text (no date, no year): between a file and folios printed later, it may
    be another file ('dd. 352 (on l. 3), 353 (from l. 6)'), so the folios are not given to the first."""
    m = _LOOSE_NUMBER.search(_DATES.sub(" ", text))
    return m.group(0) if m else None


def clause_end(text: str, pos: int) -> int:
    """Where the clause that goes on at pos ends (a semicolon, a bracket, a sentence's end): the rest of a
    shelfmark the grammar could not read whole ('…, t. 2, l. 3'), reported with it."""
    return _CLAUSE_END.match(text, pos).end()


_DOCUMENTS = re.compile(r"(?:docs?|dok|nos?|№|док)\.?\s*\d", re.IGNORECASE)


@dataclass
class ArchiveName:
    """The archive named just before a shelfmark."""

    abbreviation: str
    """As the text defines or uses it (GARF, TsGA SPb, ЦГАИПД СПб)."""
    start: int
    """Where the name (the full name, when defined there) starts in the text."""
    defined: bool
    """Whether the name is spelled out there with the abbreviation it defines."""
    end: int = 0
    """For a name printed after the shelfmark: where it ends (the citation runs to there)."""


_AFTER = re.compile(rf"\s*,\s*(?P<abbr>{ABBREVIATION})(?=\s*(?:[,.;)]|$))")


def archive_after(text: str, chain: Chain) -> ArchiveName | None:
    """The archive printed right after a whole shelfmark, as English notes sometimes do: 'Fond 102, Schedule
    314, Case 35, GARF, Moscow'."""
    m = _AFTER.match(text, chain.end) if chain.top == "fond" and chain.get("delo") else None
    return ArchiveName(m.group("abbr"), chain.start, False, m.end("abbr")) if m else None


def definitions(text: str) -> list[str]:
    """Abbreviations a text defines for archives ('(hereafter GARF)')."""
    return [m.group("abbr").strip() for m in _DEFINED.finditer(text)]


def archive_before(text: str, start: int, known: list[str]) -> ArchiveName | None:
    """The archive printed immediately before a shelfmark starting at start."""
    before = text[:start]
    for m in _DEFINED.finditer(before):
        if _SEPARATOR.fullmatch(before[m.end():]):
            return ArchiveName(m.group("abbr").strip(), _name_start(before, m.start()), True)
    m = _IN_PARENS.search(before)
    if m and m.start() > 0 and before[:m.start()].rstrip()[-1:].isalpha():
        opened = _unclosed(before[:m.start()])
        if opened is None:
            return ArchiveName(m.group("abbr"), _name_start(before, m.start()), True)
        # 'РГАСПИ (Российский …, бывший … (ЦПА ИМЛ). Ф. 71': the abbreviation in brackets is the archive's former
        # name, inside a description the print never closed; the archive is the one before that description.
        outer = _BARE.search(before[:opened] + " ")
        return ArchiveName(outer.group("abbr"), outer.start(), False) if outer else None
    for abbr in sorted(known, key=len, reverse=True):
        m = re.search(rf"(?<![\w-]){re.escape(abbr)}(?:\s*\([^()]*\))?\s*[,.:]?\s*$", before)
        if m:
            return ArchiveName(abbr, m.start(), False)
    m = _BARE.search(before)
    if m:
        return ArchiveName(m.group("abbr"), m.start(), False)
    for abbr in sorted(known, key=len, reverse=True):
        # A document described between the archive and its fond, in the same clause: 'GANO, Protokol
        # no. 12 …, 12.03.1929, f. R-47, op. 1, …'; only an archive known elsewhere, only a fond with its
        # opis ('TNA, FO 371/24762, N 5102/30/59, f. 87' is a British folio).
        m = re.search(rf"(?:^|[;.]\s+)(?P<abbr>{re.escape(abbr)}),\s+[^;/]{{1,200}}?,\s*$", before)
        if m and _fond_with_opis(text, start):
            return ArchiveName(abbr, m.start("abbr"), False)
    return None


def _unclosed(text: str) -> int | None:
    """Where the last bracket left open in text opens, or None."""
    opened: list[int] = []
    for i, ch in enumerate(text):
        if ch == "(":
            opened.append(i)
        elif ch == ")" and opened:
            opened.pop()
    return opened[-1] if opened else None


def _fond_with_opis(text: str, start: int) -> bool:
    fond = _ELEMENT["fond"].match(text, start)
    return bool(fond) and bool(_ELEMENT["opis"].match(text, _SEPARATOR.match(text, fond.end()).end()))


_BEFORE_NAME = set("in is are was were see at from cf. also by for to on under".split())
"""Words after which an archive's spelled-out name begins ('… is in Rossiiskii gosudarstvennyi arkhiv')."""


def _name_start(text: str, end: int) -> int:
    """Start of the spelled-out name ending at end: back to a clause break or a word such as 'in',
    then from its first capital ('the State Archive …' starts at 'State')."""
    start = 0
    for m in re.finditer(r"[.;:,](?=\s)|(?<!\S)(?:" + "|".join(re.escape(w) for w in _BEFORE_NAME) + r")(?=\s)",
                         text[:end]):
        start = m.end()
    while start < end and not text[start].isupper():
        start += 1
    return start if start < end else 0


def normal(value: str) -> str:
    """A fond, opis or delo as the index groups it: letter prefix in capitals, joined by its dash as printed
    ('r-5457' → 'R-5457', 'Р–3454' stays), by a hyphen where none is printed ('R5457' → 'R-5457')."""
    m = re.fullmatch(r"([A-Za-zА-Яа-яЁё]{1,2})\s?([-–]?)\s?(\d.*)", value)
    return f"{m.group(1).upper()}{m.group(2) or '-'}{m.group(3)}" if m else value


def folio_label(listy: str, tom: str = "") -> str:
    """The place cited in a file as displayed: its tom, its folios ('l.' for one, 'll.' for several, ranges with
    an en dash); '' when neither is cited."""
    shown = re.sub(_DASH, "–", listy)
    several = "–" in shown or "," in shown or " and " in shown
    folios = f"{'ll.' if several else 'l.'} {shown}" if listy else ""
    return ", ".join(filter(None, (f"t. {tom}" if tom else "", folios)))
