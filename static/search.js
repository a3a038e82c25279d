// Search page: queries the Pagefind index with the page's filters and lists results that lead
// straight to their place (a note, a paragraph, a reference, an archival file).
const root = new URL("../", import.meta.url);  // the site's root, wherever the site is served from
const form = document.querySelector(".search-form");
const input = document.getElementById("search-q");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const selects = [...document.querySelectorAll("select[data-filter]")];
const params = new URLSearchParams(location.search);
let pagefind = null, serial = 0, timer = 0;

async function ready() {
  if (!pagefind) {
    pagefind = await import(new URL("pagefind/pagefind.js", root).href);
    await pagefind.options({ excerptLength: 24 });
    const filters = await pagefind.filters();
    for (const select of selects) {
      for (const [value, count] of Object.entries(filters[select.name] || {}).sort()) {
        select.add(new Option(`${value} (${count})`, value));
      }
      select.value = params.get(select.name) || "";
    }
  }
  return pagefind;
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
  const excerpt = document.createElement("p");
  excerpt.innerHTML = d.excerpt;  // Pagefind escapes the text; only its <mark> is markup
  li.append(a, " ", kind, excerpt);
  return li;
}

form.addEventListener("submit", (e) => { e.preventDefault(); run(); });
input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(run, 200); });
selects.forEach((s) => s.addEventListener("change", run));
input.value = params.get("q") || "";
if (input.value || selects.some((s) => params.get(s.name))) run(); else ready();
