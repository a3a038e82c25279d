// Search page: queries the Pagefind indexes with the page's filters and lists results that lead
// straight to their place (an article, a note, a paragraph, a reference, an archival file).
const root = new URL("../", import.meta.url);  // the site's root, wherever the site is served from
const form = document.querySelector(".search-form");
// The collection is indexed in shards (search.py): the first is loaded, the others merged into it.
const indexes = form.dataset.indexes.split(" ").filter(Boolean).map((path) => new URL(path, root).href);
const input = document.getElementById("search-q");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const selects = [...document.querySelectorAll("select[data-filter]")];
const params = new URLSearchParams(location.search);
let loading = null, serial = 0, timer = 0;

function ready() {
  loading ??= load();  // once, however many searches start before it is done
  return loading;
}

async function load() {
  const pf = await import(indexes[0] + "pagefind.js");
  await pf.options({ excerptLength: 24 });
  await Promise.all(indexes.slice(1).map((other) => pf.mergeIndex(other)));
  const filters = await pf.filters();
  for (const select of selects) {
    if (select.hasAttribute("data-listed")) {  // its options are on the page: one per article
      select.value = params.get(select.name) || "";
      continue;
    }
    for (const [value, count] of Object.entries(filters[select.name] || {}).sort()) {
      select.add(new Option(`${value} (${count})`, value));
    }
    select.value = params.get(select.name) || "";
  }
  return pf;
}

function chosen() {
  const filters = {};
  for (const s of selects) if (s.value) filters[s.name] = s.value;
  return filters;
}

async function run() {
  const mine = ++serial, pf = await ready();  // the filters' options must be there to be chosen
  const query = input.value.trim(), filters = chosen();
  const url = new URLSearchParams({ q: query, ...filters });
  history.replaceState(null, "", "?" + url);
  if (!query && !Object.keys(filters).length) { list.replaceChildren(); status.textContent = ""; return; }
  status.textContent = "Searching…";
  const found = await pf.search(query || null, { filters });
  const data = await Promise.all(found.results.slice(0, 30).map((r) => r.data()));
  if (mine !== serial) return;  // a newer search has started
  list.replaceChildren(...data.map(item));
  const n = found.results.length;
  status.textContent = n ? `${n} result${n === 1 ? "" : "s"}${n > 30 ? ", the first 30 shown" : ""}.` : "No results.";
}

function item(d) {
  const li = document.createElement("li");
  const a = document.createElement("a");
  a.href = new URL(d.meta.target, root).href;
  a.textContent = d.meta.title;
  const kind = document.createElement("span");
  kind.className = "result-kind";
  kind.textContent = d.meta.kind;
  const where = document.createElement("p");
  where.className = "result-article";
  where.textContent = d.meta.article + (d.meta.where ? ` · ${d.meta.where}` : "");
  li.append(a, " ", kind, where, excerpt(d));
  return li;
}

// The record's own words around the hit, never the spellings and shelfmarks that also find it (they
// follow a '⁂' in the record); found by another spelling, 'Dzerzhinsky (Dzerzhinskii)', the text's own
// spelling is the one marked.
function excerpt(d) {
  const words = d.content.split(/\s+/), stop = words.indexOf("⁂");
  const first = d.meta.title.split(/\s+/).length, last = stop < 0 ? words.length : stop;
  const own = (i) => i >= first && i < last, bare = (w) => w.replace(/[^\p{L}\p{N}]/gu, "").toLowerCase();
  let hits = d.locations.filter(own);
  if (!hits.length) {
    const printed = d.locations.map((i) => words[i + 1] || "").filter((w) => w[0] === "(").map(bare);
    hits = words.map((w, i) => i).filter((i) => own(i) && printed.includes(bare(words[i])));
  }
  const from = Math.max(first, (hits[0] ?? first) - 8), to = Math.min(last, from + 24);
  const p = document.createElement("p");
  if (from > first) p.append("… ");
  for (let i = from; i < to; i++) {
    const mark = document.createElement("mark");
    mark.textContent = words[i];
    p.append(hits.includes(i) ? mark : words[i], i < to - 1 ? " " : "");
  }
  if (to < last) p.append(" …");
  return p;
}

form.addEventListener("submit", (e) => { e.preventDefault(); run(); });
input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(run, 200); });
selects.forEach((s) => s.addEventListener("change", run));
input.value = params.get("q") || "";
if (input.value || selects.some((s) => params.get(s.name))) run(); else ready();
