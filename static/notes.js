// Notes beside their markers where the screen has a margin, else in a popover on pointing, focus or
// tap; in any note a citation shows its reference, or its archival file and the notes citing it.
// Without script, markers and citations are links to the endnotes, references and archive index.
(function () {
  "use strict";
  var WIDE = matchMedia("(min-width: 72rem)"), GAP = 6, EDGE = 8;
  var tips = [], sides = {}, lit = [], openTimer = 0, closeTimer = 0;
  var pointer = "mouse", tapped = false, refocusing = false;

  function $(id) { return document.getElementById(id); }
  function span(cls, text) {
    var s = document.createElement("span");
    s.className = cls;
    s.textContent = text || "";
    return s;
  }
  function noteref(n) { return n.closest && n.closest('a[role="doc-noteref"]'); }
  function trigger(n) {  // what opens a popover: a marker without a sidenote, a citation
    var a = noteref(n);
    return a ? !sides[a.id] && a : n.closest && n.closest("a.citation, a.archival");
  }
  function opened(a) { return tips.some(function (t) { return t.a === a; }); }

  // An endnote or reference without ids or back-link, its paragraphs as spans (it goes inside a <p>).
  function copy(node) {
    var c = node.cloneNode(true), box = span("");
    c.querySelectorAll('[role="doc-backlink"], [role="doc-pagebreak"], .tip').forEach(function (x) { x.remove(); });
    c.querySelectorAll("[id]").forEach(function (x) { x.removeAttribute("id"); });
    c.querySelectorAll("p").forEach(function (p) {
      var s = span("tip-p");
      s.append.apply(s, p.childNodes);
      p.replaceWith(s);
    });
    box.append.apply(box, c.childNodes);
    return box;
  }

  function link(href, text) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    return a;
  }

  // An archival file: every note citing it (the same link target), with its folios.
  function file(a) {
    var d = a.dataset, cited = span("tip-p", "Cited in "), seen = {};
    document.querySelectorAll('.endnotes a.archival[href$="' + a.hash + '"]').forEach(function (e) {
      var n = e.closest("li").id.slice(5), l = e.dataset.listy, t = e.dataset.tom,
          p = [t ? "t. " + t : "", l ? (/[-–,]|and/.test(l) ? "ll. " : "l. ") + l.replace(/\s*[-−]\s*/g, "–") : ""]
            .filter(Boolean).join(", ");
      if (seen[n + p]) return;
      seen[n + p] = 1;
      cited.append(cited.childNodes.length > 1 ? ", " : "", link("#note-" + n, "note " + n), p ? " (" + p + ")" : "");
    });
    cited.append(". ", link(a.href, "In the archive index"));
    var box = span("");
    box.append(span("tip-p", d.archive + ", fond " + d.fond + (d.opis ? ", opis " + d.opis : "") + ", delo " + d.delo), cited);
    return box;
  }

  function build(a) {
    var target = $(a.hash.slice(1)), archival = a.classList.contains("archival");
    var box = archival ? file(a) : target ? copy(target) : span("");
    var head = span("tip-head", noteref(a) ? "Note " + a.textContent : archival ? "Archival file" : "Reference");
    if (a.dataset.why) head.append(span("tip-why", a.dataset.why));
    box.prepend(head);
    box.className = "tip " + (noteref(a) ? "note-popover" : "cite-popover");
    // A reference describes its citation, out of the tab order (Enter on the citation leads to it).
    if (!noteref(a)) box.querySelectorAll("a").forEach(function (l) { l.tabIndex = -1; });
    return box;
  }

  function place(tip, a) {
    var r = a.getBoundingClientRect(), vw = document.documentElement.clientWidth, vh = innerHeight;
    var below = vh - r.bottom - GAP - EDGE, above = r.top - GAP - EDGE, parent = tip.offsetParent;
    tip.style.maxWidth = Math.min(440, vw - 2 * EDGE) + "px";
    tip.style.maxHeight = Math.max(below, above, 120) + "px";
    var w = tip.offsetWidth, h = tip.offsetHeight, box = parent ? parent.getBoundingClientRect() : { left: 0, top: 0 };
    tip.style.left = Math.min(Math.max(r.left + r.width / 2 - w / 2, EDGE), vw - w - EDGE) - box.left + "px";
    tip.style.top = (h <= below || below >= above ? r.bottom + GAP : r.top - GAP - h) - box.top + "px";
  }

  function open(a) {
    clearTimeout(openTimer);
    clearTimeout(closeTimer);
    if (opened(a)) return;
    inside(a);
    var tip = build(a);
    tip.id = "tip-" + tips.length;
    tip.setAttribute("role", "note");
    tip.setAttribute("aria-label", tip.firstChild.firstChild.textContent);
    tip.onmouseenter = function () { clearTimeout(closeTimer); };
    tip.onmouseleave = later;
    (noteref(a) ? a.parentNode : a).after(tip);  // next in reading and tab order
    a.setAttribute("aria-describedby", tip.id);
    tips.push({ a: a, el: tip });
    place(tip, a);
  }

  // Close the popovers from the i-th on (a popover opened from another is later in the list).
  function shut(i, refocus) {
    var owner = tips[i] && tips[i].a;
    tips.splice(i).forEach(function (t) {
      t.el.remove();
      t.a.removeAttribute("aria-describedby");
    });
    if (refocus && owner) {
      refocusing = true;  // back on its owner without opening it again
      owner.focus();
      refocusing = false;
    }
  }
  function inside(node) {  // keep the popovers that hold node, close the others
    var keep = 0;
    tips.forEach(function (t, i) { if (t.el.contains(node)) keep = i + 1; });
    shut(keep);
  }

  function later() {
    clearTimeout(openTimer);
    clearTimeout(closeTimer);
    closeTimer = setTimeout(function () {
      var keep = 0, hovered = [].slice.call(document.querySelectorAll(":hover"));
      tips.forEach(function (t, i) { if (hovered.indexOf(t.a) + hovered.indexOf(t.el) > -2) keep = i + 1; });
      shut(keep);
    }, 300);
  }

  // Each sidenote beside its marker, or just below the one before when that reaches further down.
  function sidenotes() {
    for (var k in sides) sides[k].remove();
    sides = {};
    if (!WIDE.matches) return;
    shut(0);
    document.querySelectorAll('a[role="doc-noteref"]').forEach(function (a) {
      var li = $(a.hash.slice(1)), s = document.createElement("aside");
      if (!li) return;
      s.className = "sidenote";
      s.setAttribute("aria-label", "Note " + a.textContent);
      s.dataset.ref = a.id;
      var n = span("sidenote-n" + (a.dataset.editorial ? " restored" : ""), a.textContent);
      n.title = a.dataset.why || "";
      s.append(n, " ", copy(li));
      a.closest("h1, h2, p").after(s);
      sides[a.id] = s;
    });
    stack();
  }
  function stack() {  // every position read before any is set: one layout, not one a note
    var rows = [], bottom = -1e9;
    document.querySelectorAll('a[role="doc-noteref"]').forEach(function (a) {
      var s = sides[a.id];
      if (s) rows.push([a.getBoundingClientRect().top, s, s.offsetHeight, s.offsetParent.getBoundingClientRect().top,
                        s.scrollHeight > s.clientHeight + 1]);
    });
    rows.forEach(function (r) {
      var top = Math.max(r[0] - 3, bottom + 12);
      r[1].style.top = top - r[3] + "px";
      r[1].classList.toggle("long", r[4]);  // cut short: shown whole on hover and focus
      bottom = top + r[2];
    });
  }

  function light(n) {  // a marker and its sidenote light each other up
    var s = n.closest && n.closest(".sidenote"), a = noteref(n) || s && $(s.dataset.ref);
    if (!a || !sides[a.id]) return;
    unlight();
    lit = [a, sides[a.id]];
    lit.forEach(function (e) { e.classList.add("lit"); });
  }
  function unlight(e) {
    if (e && !lit.some(function (l) { return l.contains(e.target) && !l.contains(e.relatedTarget); })) return;
    lit.forEach(function (l) { l.classList.remove("lit"); });
    lit = [];
  }

  // A title tooltip would show beside the popover: the popover says it instead.
  function untitle() {
    document.querySelectorAll('a[role="doc-noteref"][title]').forEach(function (a) {
      a.dataset.why = a.title;
      a.removeAttribute("title");
    });
  }
  untitle();

  var on = document.addEventListener.bind(document);
  on("pointerdown", function (e) {
    pointer = e.pointerType;
    var a = noteref(e.target) || trigger(e.target);
    tapped = !!a && (lit[0] === a || opened(a));
  }, true);
  on("mouseover", function (e) {
    light(e.target);
    var a = trigger(e.target);
    if (!a || pointer === "touch") return;
    clearTimeout(closeTimer);
    if (!opened(a)) {
      clearTimeout(openTimer);
      openTimer = setTimeout(function () { open(a); }, 200);
    }
  });
  on("mouseout", function (e) {
    unlight(e);
    if (trigger(e.target)) later();
  });
  on("focusout", unlight);
  on("focusin", function (e) {
    light(e.target);
    var a = trigger(e.target);
    if (!a) inside(e.target);
    else if (!refocusing) open(a);
  });
  on("click", function (e) {
    var a = trigger(e.target) || noteref(e.target);
    if (a && pointer !== "mouse" && e.detail > 0 && !tapped) {
      e.preventDefault();  // a first tap shows the note or reference; a second follows the link
      if (sides[a.id]) light(a); else open(a);
    } else if (!a) {
      inside(e.target);
    }
    pointer = "mouse";
  });
  on("keydown", function (e) {
    if (e.key === "Escape" && tips.length) shut(tips.length - 1, true);
  });
  function replace() { tips.forEach(function (t) { place(t.el, t.a); }); }
  WIDE.addEventListener("change", sidenotes);
  addEventListener("resize", function () { if (WIDE.matches) stack(); replace(); });
  addEventListener("scroll", replace, { passive: true });
  sidenotes();
  // The text replaced in place (build.py serve, after a correction): its markers set up again.
  on("editio:replaced", function () { tips = []; lit = []; untitle(); sidenotes(); });
})();
