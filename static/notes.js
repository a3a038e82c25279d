// Note popovers. Pointing at a note marker (after a short delay), focusing it or tapping it shows the
// whole note beside it; Esc, a tap elsewhere or moving away closes it. Without this script the marker
// is a plain link to the endnote, which links back.
(function () {
  "use strict";
  var OPEN_DELAY = 200, CLOSE_DELAY = 300, GAP = 6, MARGIN = 8;
  var pop = null, owner = null, openTimer = 0, closeTimer = 0;
  var lastPointer = "mouse", tappedOpen = false, refocusing = false;

  function marker(node) {
    return node && node.closest ? node.closest('a[role="doc-noteref"]') : null;
  }

  // The note's content, without its ids and back-link, in phrasing elements (it sits inside a <p>).
  function content(a) {
    var li = document.getElementById(a.hash.slice(1));
    var box = document.createElement("span");
    if (!li) return box;
    var clone = li.cloneNode(true);
    clone.querySelectorAll('[role="doc-backlink"]').forEach(function (b) { b.remove(); });
    clone.querySelectorAll("[id]").forEach(function (e) { e.removeAttribute("id"); });
    clone.querySelectorAll("p").forEach(function (p) {
      var s = document.createElement("span");
      s.className = "note-popover-p";
      while (p.firstChild) s.appendChild(p.firstChild);
      p.replaceWith(s);
    });
    while (clone.firstChild) box.appendChild(clone.firstChild);
    return box;
  }

  function place() {
    var r = owner.getBoundingClientRect(), root = document.documentElement;
    var vw = root.clientWidth, vh = window.innerHeight;
    pop.style.maxWidth = Math.min(440, vw - 2 * MARGIN) + "px";
    var below = vh - r.bottom - GAP - MARGIN, above = r.top - GAP - MARGIN;
    pop.style.maxHeight = Math.max(below, above, 120) + "px";
    var w = pop.offsetWidth, h = pop.offsetHeight;
    var left = Math.min(Math.max(r.left + r.width / 2 - w / 2, MARGIN), vw - w - MARGIN);
    var top = h <= below || below >= above ? r.bottom + GAP : r.top - GAP - h;
    pop.style.left = left + window.scrollX + "px";
    pop.style.top = top + window.scrollY + "px";
  }

  function open(a) {
    clearTimeout(openTimer);
    clearTimeout(closeTimer);
    if (owner === a) return;
    close(false);
    owner = a;
    pop = document.createElement("span");
    pop.className = "note-popover";
    pop.id = "note-popover";
    pop.setAttribute("role", "note");
    pop.setAttribute("aria-label", "Note " + a.textContent);
    var head = document.createElement("span");
    head.className = "note-popover-head";
    head.textContent = "Note " + a.textContent;
    if (a.dataset.why) {
      var why = document.createElement("span");
      why.className = "note-popover-editorial";
      why.textContent = a.dataset.why;
      head.appendChild(why);
    }
    pop.appendChild(head);
    pop.appendChild(content(a));
    pop.addEventListener("mouseenter", function () { clearTimeout(closeTimer); });
    pop.addEventListener("mouseleave", later);
    a.parentNode.after(pop);  // next in reading and tab order
    a.setAttribute("aria-describedby", pop.id);
    place();
  }

  function close(refocus) {
    clearTimeout(closeTimer);
    if (!pop) return;
    var a = owner;
    pop.remove();
    a.removeAttribute("aria-describedby");
    pop = owner = null;
    if (refocus) {
      refocusing = true;  // focus returns to the marker without opening the note again
      a.focus();
      refocusing = false;
    }
  }

  function later() {
    clearTimeout(openTimer);
    clearTimeout(closeTimer);
    closeTimer = setTimeout(function () { close(false); }, CLOSE_DELAY);
  }

  // A native title tooltip would show beside the popover: the popover says it instead.
  document.querySelectorAll('a[role="doc-noteref"][title]').forEach(function (a) {
    a.dataset.why = a.title;
    a.removeAttribute("title");
  });

  document.addEventListener("pointerdown", function (e) {
    lastPointer = e.pointerType;
    var a = marker(e.target);
    tappedOpen = !!a && owner === a;
  }, true);
  document.addEventListener("mouseover", function (e) {
    var a = marker(e.target);
    if (!a || lastPointer === "touch") return;
    clearTimeout(closeTimer);
    if (a !== owner) {
      clearTimeout(openTimer);
      openTimer = setTimeout(function () { open(a); }, OPEN_DELAY);
    }
  });
  document.addEventListener("mouseout", function (e) {
    if (marker(e.target) && !(pop && pop.contains(e.relatedTarget))) later();
  });
  document.addEventListener("focusin", function (e) {
    var a = marker(e.target);
    if (a && !refocusing) open(a);
    else if (!a && pop && !pop.contains(e.target)) close(false);
  });
  document.addEventListener("click", function (e) {
    var a = marker(e.target);
    if (a && lastPointer !== "mouse" && e.detail > 0 && !tappedOpen) {
      e.preventDefault();  // a first tap shows the note; a second follows the link
      open(a);
    } else if (pop && !a && !pop.contains(e.target)) {
      close(false);
    }
    lastPointer = "mouse";
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && pop) close(true);
  });
  window.addEventListener("resize", function () { if (pop) place(); });
})();
