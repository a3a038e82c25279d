// Search page: queries the collection's Pagefind index and lists the records found (an article, a note, a
// paragraph, a reference, an archival file), each leading straight to its place. Pagefind finds the
// articles (a page each, search.py); their records are its sub-results, and this script keeps those holding
// every word of the query and matching every filter, ranks them and takes their excerpts.
const root = new URL("../", import.meta.url);  // the site's root, wherever the site is served from
const form = document.querySelector(".search-form");
const index = new URL(form.dataset.index, root).href;
const input = document.getElementById("search-q");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const more = document.getElementById("search-more");
const selects = [...document.querySelectorAll("select[data-filter]")];
const params = new URLSearchParams(location.search);
const SHOWN = 30;  // results shown at a time
const FIRST = 3, READ = 6;  // articles read for the first results, then at a time (each costs a request)
// A record's heading id (search.py record_id): kind letter ~ address in its article ~ its section ~ its
// archival files ~ its cited authors, the last three as places in the lists of the page's meta 'lists'.
const KINDS = { R: "Article", N: "Note", T: "Text", B: "Bibliography", W: "Bibliography", A: "Archive" };
const HEADING = /^[RNTBWA]~/;
let loading = null, filling = null, serial = 0, timer = 0, current = null;

function ready() {
  loading ??= load();  // once, however many searches start before it is done
  return loading;
}

async function load() {
  const pf = await import(index + "pagefind.js");
  await pf.options({ noWorker: true });  // searches are small: the worker's script would cost more than it saves
  await pf.init();
  return pf;
}

// The filters' values are many in a large collection: read when a list is first opened, not before.
// Articles are listed by their names (search-articles.json), the others by their values.
function fill() {
  filling ??= (async () => {
    const pf = await ready(), values = await pf.filters();
    const names = await fetch(new URL("search-articles.json", root)).then((r) => r.json()).catch(() => ({}));
    const name = (select, value) => select.name === "article" && names[value] || value;
    for (const select of selects) {
      if (select.hasAttribute("data-listed")) continue;
      const chosen = select.value, listed = Object.keys(values[select.name] || {});
      listed.sort((a, b) => name(select, a).localeCompare(name(select, b)));
      for (const value of listed) {
        if (value === chosen) select.selectedOptions[0].text = name(select, value);
        else select.add(new Option(name(select, value), value));
      }
    }
  })();
  return filling;
}

function chosen() {
  const filters = {};
  for (const s of selects) if (s.value) filters[s.name] = s.value;
  return filters;
}

async function run() {
  const mine = ++serial, pf = await ready();
  const query = input.value.trim(), filters = chosen();
  history.replaceState(null, "", "?" + new URLSearchParams({ q: query, ...filters }));
  list.replaceChildren();
  more.hidden = true;
  if (!query && !Object.keys(filters).length) { status.textContent = ""; return; }
  status.textContent = "Searching…";
  const terms = words(query), term = terms.join(" ") || null;
  const found = await pf.search(term, { filters });
  await new Promise((go) => setTimeout(go));  // keys typed meanwhile handled first: they drop this search
  if (mine !== serial) return;  // a newer search has started, or the reader typed on
  current = { mine, found, terms, filters, term, read: 0, places: [], shown: 0 };
  await show(current);
}

// Which word of the query each hit in the articles read is, as Pagefind matched it (a record must hold every
// word): one search a word, only in those articles (a search of every article costs the more, the more
// articles hold the word).
async function attribute(search, data) {
  if (search.terms.length < 2) return [];
  const pf = await ready(), articles = { any: data.map(slugOf) };
  const each = await Promise.all(search.terms.map((t) => pf.search(t, {
    filters: { ...search.filters, article: search.filters.article || articles } })));
  return each.filter((s) => s.results.length).map((s) => new Map(s.results.map((r) => [r.id, r.words])));
}
const slugOf = (d) => d.url.replace(/^.*\/|\.html$/g, "");

// The words searched for: a shelfmark as a reader types it ('GARF f. 5 op. 2 d. 118', 'delo 118',
// 'ф. 1, оп. 2, д. 3') becomes the one word the records carry for it (search.py shelfmark_words).
const LEVELS = [["f", /^(?:f|fond|ф|фонд)$/i], ["op", /^(?:op|opis'?|оп|опись)$/i],
  ["d", /^(?:d|delo|д|дело|spr|sprava|спр|справа)$/i]];
const squeeze = (t) => t.toLowerCase().replace(/[^\p{L}\p{N}]/gu, "");
function level(token) {
  const [, key, value] = token.match(/^([^\s.,:;]+?)[.,:;]*(\d[^\s,;]*)?[,;]?$/u) || [];
  const at = key ? LEVELS.findIndex(([, re]) => re.test(key)) : -1;
  return at < 0 ? null : { at, name: LEVELS[at][0], value };
}
// An archive's abbreviation before a shelfmark: a capital first, two capitals at least ('GARF', 'TsGAPK').
const isArchive = (t) => /^\p{Lu}[\p{L}\p{N}-]*[,:]?$/u.test(t) && t.replace(/\P{Lu}/gu, "").length >= 2;
function words(query) {
  const tokens = query.split(/\s+/).filter(Boolean), out = [];
  for (let i = 0; i < tokens.length;) {
    let k = i, archive = "", word = "", last = -1;
    if (!level(tokens[k]) && isArchive(tokens[k]) && k + 1 < tokens.length && level(tokens[k + 1])) {
      archive = squeeze(tokens[k]);
      k++;
    }
    for (let l; k < tokens.length && (l = level(tokens[k])) && l.at > last;) {
      const value = l.value || (k + 1 < tokens.length && /^\p{N}/u.test(tokens[k + 1]) ? tokens[++k] : "");
      if (!value) break;
      word += l.name + squeeze(value);
      last = l.at;
      k++;
    }
    if (word && (!archive || word.startsWith("f"))) { out.push(archive + word); i = k; } else out.push(tokens[i++]);
  }
  // The commonest words are in nearly every record and cost the largest parts of the index: left out
  // when the query has others.
  const kept = out.filter((t) => !COMMON.has(t.toLowerCase()));
  return kept.length ? kept : out;
}
// While the reader types, the parts of the index holding the words typed so far are fetched (Pagefind's preload,
// as its own search box does), so that they are in hand when typing stops and the search runs. Not the
// commonest words, which the search leaves out; not what may yet become a shelfmark (an archive's abbreviation,
// a level's name, a figure): its word is made whole only at the end; a word still being typed only from its
// fourth letter: Pagefind fetches every part holding a word that begins so, and a short beginning is in many.
function preload() {
  const typing = !/\s$/.test(input.value), terms = words(input.value.trim());
  const wanted = terms.filter((t, i) => t.length >= (typing && i === terms.length - 1 ? 4 : 3)
    && !COMMON.has(t.toLowerCase()) && !/\p{N}/u.test(t) && !isArchive(t) && !level(t));
  if (wanted.length) ready().then((pf) => pf.preload(wanted.join(" "), { filters: chosen() }));
}
const COMMON = new Set("a an and as at by for from in is it of on or that the this to was were with".split(" "));

// The next results: articles read until there are enough records to show, then shown.
async function show(search) {
  const { found } = search;
  // The best-matching articles a batch at a time: the first results cost three requests; "Show more results"
  // reads on until there are as many more to show (or nothing is left).
  const wanted = search.shown ? search.shown + SHOWN : 1;
  while (search.places.length < wanted && search.read < found.results.length) {
    const batch = found.results.slice(search.read, search.read + (search.read ? READ : FIRST));
    search.read += batch.length;
    const data = await Promise.all(batch.map((r) => r.data()));
    const matched = await attribute(search, data);
    if (search.mine !== serial) return;
    const fresh = batch.flatMap((r, i) => places(r, data[i], search, matched));
    search.places.push(...fresh.sort((a, b) => b.score - a.score));
  }
  const next = search.places.slice(search.shown, search.shown + SHOWN);
  list.append(...next.map(item));
  search.shown += next.length;
  const all = search.read === found.results.length, n = search.places.length;
  if (!n) status.textContent = "No results.";
  else if (all) status.textContent = `${n} result${n === 1 ? "" : "s"}${n > search.shown ? `, the first ${search.shown} shown` : ""}.`;
  else status.textContent = `${n} results in the ${search.read} best-matching of ${found.results.length} articles, the first ${search.shown} shown.`;
  more.hidden = all && search.shown >= n;
}

// The records of one article that hold every word of the query (matched: the hits of each word, by page) and
// match every filter, with their scores.
function places(result, d, search, matched) {
  const content = d.content.split(/\s+/), lists = JSON.parse(d.meta.lists), slug = slugOf(d);
  const anchors = d.anchors.filter((a) => HEADING.test(a.id)).sort((a, b) => a.location - b.location);
  const weight = new Map(d.weighted_locations.map((w) => [w.location, w.balanced_score]));
  const f = search.filters, out = [];
  anchors.forEach((a, i) => {
    const [letter, address, section, files, authors] = a.id.split("~");
    const of = (list, at) => (at ? at.split(".") : []).map((n) => list[Number(n)]);
    const rec = { kind: KINDS[letter], target: `${slug}/${address}`, section: of(lists.s, section)[0] };
    if (f.kind && rec.kind !== f.kind || f.section && rec.section !== f.section) return;
    if (f.file && !of(lists.f, files).includes(f.file) || f.author && !of(lists.a, authors).includes(f.author)) return;
    const start = a.location, end = i + 1 < anchors.length ? anchors[i + 1].location : content.length;
    const inside = (l) => l >= start && l < end;
    const hits = d.locations.filter(inside);
    if (search.term && !hits.length) return;
    if (matched.some((m) => !(m.get(result.id) || []).some(inside))) return;
    let stop = start;
    while (stop < end && !content[stop].startsWith("⁂")) stop++;
    rec.where = where(letter, address, rec.section);
    const score = hits.reduce((s, l) => s + (weight.get(l) || 1), 0) / Math.sqrt(end - start);
    out.push({ rec, title: a.text, article: d.meta.article, content, start, stop, hits, score });
  });
  return out;
}

function where(letter, address, section) {
  const label = { N: address.replace("#note-", "note "), T: address.replace(/^#p(?=\d+$)/, "¶ ").replace(/^#/, "") }[letter];
  if (label) return section ? `${section} · ${label}` : label;
  return { B: "References", W: "Works cited", A: "Archive index" }[letter] || "";
}

function item(p) {
  const li = document.createElement("li");
  const a = document.createElement("a");
  a.href = new URL(p.rec.target, root).href;
  a.textContent = p.title;
  const kind = document.createElement("span");
  kind.className = "result-kind";
  kind.textContent = p.rec.kind;
  const where = document.createElement("p");
  where.className = "result-article";
  where.textContent = p.article + (p.rec.where ? ` · ${p.rec.where}` : "");
  li.append(a, " ", kind, where, excerpt(p));
  return li;
}

// The record's own words around the hit, never the spellings and shelfmarks that also find it (they
// follow a '⁂' in the record); found by another spelling, 'Dzerzhinsky (Dzerzhinskii)', the text's own
// spelling is the one marked.
function excerpt(p) {
  const words = p.content, first = p.start + p.title.split(/\s+/).length, last = p.stop;
  const own = (i) => i >= first && i < last, bare = (w) => w.replace(/[^\p{L}\p{N}]/gu, "").toLowerCase();
  let hits = p.hits.filter(own);
  if (!hits.length) {
    const printed = p.hits.map((i) => words[i + 1] || "").filter((w) => w[0] === "(").map(bare);
    hits = words.map((w, i) => i).filter((i) => own(i) && printed.includes(bare(words[i])));
  }
  const from = Math.max(first, (hits[0] ?? first) - 8), to = Math.min(last, from + 24);
  const para = document.createElement("p");
  if (from > first) para.append("… ");
  for (let i = from; i < to; i++) {
    const mark = document.createElement("mark");
    mark.textContent = words[i];
    para.append(hits.includes(i) ? mark : words[i], i < to - 1 ? " " : "");
  }
  if (to < last) para.append(" …");
  return para;
}

form.addEventListener("submit", (e) => { e.preventDefault(); clearTimeout(timer); run(); });
// Typing on: no search yet, and one started meanwhile (the index's parts can keep the page busy past the pause)
// is dropped before it fetches its results.
input.addEventListener("input", () => { serial++; clearTimeout(timer); timer = setTimeout(run, 60); preload(); });
selects.forEach((s) => {
  s.addEventListener("change", run);
  if (!s.hasAttribute("data-listed")) ["focus", "pointerdown"].forEach((e) => s.addEventListener(e, fill, { once: true }));
});
more.addEventListener("click", () => { if (current) show(current); });
input.value = params.get("q") || "";
for (const s of selects) {
  const value = params.get(s.name);
  if (value && ![...s.options].some((o) => o.value === value)) s.add(new Option(value, value));
  s.value = value || "";
}
if (input.value || selects.some((s) => s.value)) run(); else ready();
