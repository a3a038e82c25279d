// Edit mode, in pages served by `build.py serve` only: the article's open questions where they occur, and
// corrections made on the page. Every action is a form (a dialog: keyboard first); pointing only fills it in
// (a place clicked in the text, words selected). The server writes the entry into corrections.yaml and the
// page reloads with the edition rebuilt.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="editio-secret"]');
  if (!meta) return;
  var secret = meta.content, parts = location.pathname.split("/").filter(Boolean);
  var slug = parts.length ? decodeURIComponent(parts[0]) : "";
  var onArticle = document.body.classList.contains("article");
  var ON = "editio-edit-on", SAID = "editio-edit-said", STACK = "editio-edit:" + slug;
  var state = null, picking = null, panel = null, status = null, opener = null;

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text) e.textContent = text;
    return e;
  }
  function stack(name) { return JSON.parse(sessionStorage.getItem(STACK + ":" + name) || "[]"); }
  function keep(name, list) { sessionStorage.setItem(STACK + ":" + name, JSON.stringify(list)); }
  function say(text, urgent) {
    status.setAttribute("role", urgent ? "alert" : "status");
    status.textContent = text;
  }

  // The text of an element as the page shows it, without what the edition adds (markers, page numbers,
  // the ¶ link, hidden explanations, the edit mode's own buttons); a paragraph of a note ends with a space.
  var ADDED = "sup.noteref-wrap, .pagebreak, .pilcrow, .visually-hidden, .lacuna, .expansion, .editio-chip, " +
              "[role=doc-backlink], .unanchored, .tip, .sidenote";
  function shown(node) {
    if (node.nodeType === 3) return node.nodeValue;
    if (node.nodeType !== 1 || node.matches(ADDED)) return "";
    var out = "";
    node.childNodes.forEach(function (c) { out += shown(c); });
    return node.tagName === "P" && node.closest("li") ? out + " " : out;
  }
  function shownBefore(block, container, offset) {
    var range = document.createRange();
    range.setStart(block, 0);
    range.setEnd(container, offset);
    var box = el("div");
    box.appendChild(range.cloneContents());
    return shown(box);
  }
  function shownAfter(block, container, offset) {
    var range = document.createRange();
    range.setStart(container, offset);
    range.setEnd(block, block.childNodes.length);
    var box = el("div");
    box.appendChild(range.cloneContents());
    return shown(box);
  }
  function blockOf(node) {
    var e = node.nodeType === 1 ? node : node.parentElement;
    return e && e.closest("main p[id], main h1[id], main h2[id], li[id^='note-']");
  }
  function whereOf(block) { return block.id.indexOf("note-") === 0 ? "note " + block.id.slice(5) : block.id; }

  // Where the nth character shown in a block stands, to put a question's button there.
  function pointAt(block, offset) {
    var walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT, {
      acceptNode: function (n) { return n.parentElement.closest(ADDED) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT; }
    });
    var seen = 0, n;
    while ((n = walker.nextNode())) {
      if (seen + n.nodeValue.length >= offset) return [n, offset - seen];
      seen += n.nodeValue.length;
    }
    return null;
  }

  function post(body) {
    body.slug = slug;
    body.digest = state.digest;
    return fetch("/__editio__/edit", {
      method: "POST", headers: { "Content-Type": "application/json", "X-Editio-Secret": secret },
      body: JSON.stringify(body)
    }).then(function (r) { return r.json().then(function (j) { j.status = r.status; return j; }); });
  }
  // After a write the server rebuilds and the page reloads by itself; a refusal is said, and the page reloads
  // with the file as it is (the reason kept to be said again after the reload).
  function done(result, what, undoable) {
    if (result.status === 200) {
      if (undoable) {
        var undo = stack("undo");
        undo.push({ section: result.section, fields: result.fields, what: what });
        keep("undo", undo);
        keep("redo", []);
      }
      state.digest = result.digest;
      sessionStorage.setItem(SAID, "Written to corrections.yaml: " + what + ". The edition is being rebuilt.");
      say("Written to corrections.yaml: " + what + ". The edition is being rebuilt.");
      return true;
    }
    say("Not written: " + result.why, true);
    if (result.status === 409) {
      sessionStorage.setItem(SAID, "Not written: " + result.why);
      setTimeout(function () { location.reload(); }, 1500);
    }
    return false;
  }

  // --- dialogs ---
  function dialog(title, fields, submit, extra) {
    var d = el("dialog", { "class": "editio-dialog", "aria-labelledby": "editio-dialog-h" });
    var form = el("form", { method: "dialog" });
    form.appendChild(el("h2", { id: "editio-dialog-h" }, title));
    var inputs = {};
    fields.forEach(function (f) {
      var id = "editio-f-" + f.name, label = el("label", { "for": id }, f.label);
      var input;
      if (f.options) {
        input = el("select", { id: id, name: f.name });
        f.options.forEach(function (o) { input.appendChild(el("option", { value: o[0] }, o[1])); });
      } else {
        input = el(f.long ? "textarea" : "input", { id: id, name: f.name });
        if (!f.long) input.type = "text";
      }
      if (f.value !== undefined) input.value = f.value;
      if (f.required) input.required = true;
      if (f.readonly) input.readOnly = true;
      inputs[f.name] = input;
      var row = el("p");
      row.append(label, input);
      if (f.help) row.appendChild(el("span", { "class": "editio-help", id: id + "-help" }, f.help));
      if (f.help) input.setAttribute("aria-describedby", id + "-help");
      form.appendChild(row);
    });
    var message = el("p", { "class": "editio-message", role: "status" });
    var buttons = el("p", { "class": "editio-buttons" });
    var ok = el("button", { type: "submit", "class": "editio-primary" }, submit);
    var cancel = el("button", { type: "button" }, "Cancel");
    cancel.addEventListener("click", function () { d.close(); });
    buttons.append(ok);
    (extra || []).forEach(function (x) {
      var b = el("button", { type: "button" }, x.label);
      b.addEventListener("click", function () { x.act(inputs, d); });
      buttons.append(b);
    });
    buttons.append(cancel);
    form.append(message, buttons);
    d.appendChild(form);
    d.addEventListener("close", function () { d.remove(); if (opener) opener.focus(); });
    document.body.appendChild(d);
    return { dialog: d, form: form, inputs: inputs, message: message };
  }
  function run(box, body, what) {
    box.form.addEventListener("submit", function (e) {
      e.preventDefault();
      var values = {};
      Object.keys(box.inputs).forEach(function (k) { values[k] = box.inputs[k].value; });
      box.message.textContent = "Writing…";
      post(body(values)).then(function (result) {
        if (done(result, what(values), true)) box.dialog.close();
        else box.message.textContent = "Not written: " + result.why;
      });
    });
    box.dialog.showModal();
  }

  function markerDialog(q, before, words) {
    var n = q ? q.note : "";
    var box = dialog(q ? "Restore the marker of note " + n : "Restore a lost marker", [
      { name: "note", label: "Note", value: String(n), required: true },
      { name: "where", label: "Paragraph", value: before ? before.where : (q && q.place ? q.place.block : q ? q.block : ""), required: true,
        help: "The id of the paragraph (p12), as in its ¶ link." },
      { name: "before", label: "After the words", required: true,
        value: words || (q && q.proposal && q.proposal.after ? q.proposal.after.replace(/\*/g, "") : ""),
        help: "The words the marker follows, as the paragraph shows them (or choose the place in the text)." },
      { name: "reason", label: "Reason (the evidence)", long: true, required: true }
    ], "Restore the marker", [{ label: "Choose the place in the text", act: function (inputs, d) {
      picking = { kind: "marker", q: q, note: inputs.note.value, reason: inputs.reason.value };
      d.close();
      say("Click where the marker of note " + (inputs.note.value || "?") + " stood (Escape to stop).");
    } }]);
    if (before) box.inputs.before.dataset.full = before.text;
    run(box, function (v) {
      var full = box.inputs.before.dataset.full;
      return { action: "marker", note: parseInt(v.note, 10), where: v.where,
               before: full && words === v.before ? full : v.before, reason: v.reason };
    }, function (v) { return "marker of note " + v.note + " restored"; });
  }

  function lacunaDialog(q, before, words) {
    var box = dialog("Record a lacuna", [
      { name: "where", label: "Paragraph", value: before ? before.where : (q ? q.block : ""), required: true },
      { name: "before", label: "Text lost after the words", value: words || (q && q.proposal.after ? q.proposal.after.replace(/\*/g, "") : ""), required: true },
      { name: "reason", label: "Reason (the evidence)", long: true, required: true }
    ], "Record the lacuna", [{ label: "Choose the place in the text", act: function (inputs, d) {
      picking = { kind: "lacuna", q: q, reason: inputs.reason.value };
      d.close();
      say("Click where text is lost (Escape to stop).");
    } }].concat(q ? [acceptButton(q)] : []));
    if (before) box.inputs.before.dataset.full = before.text;
    run(box, function (v) {
      var full = box.inputs.before.dataset.full;
      return { action: "lacuna", where: v.where, before: full && words === v.before ? full : v.before, reason: v.reason };
    }, function () { return "lacuna recorded"; });
  }

  function acceptButton(q) {
    return { label: "Accept as it stands", act: function (inputs, d) {
      var reason = inputs.reason.value.trim();
      if (!reason) { inputs.reason.focus(); say("Give the reason for accepting it.", true); return; }
      post({ action: "accept", doubt: q.index, reason: reason }).then(function (r) {
        if (done(r, q.kind + " accepted", true)) d.close();
      });
    } };
  }

  function emendDialog(where, before, words) {
    var targets = Array.prototype.map.call(document.querySelectorAll("main p[id], main h1[id], main h2[id], li[id^='note-']"),
      function (b) { return [whereOf(b), b.id.indexOf("note-") === 0 ? "note " + b.id.slice(5) : b.id]; });
    var box = dialog("Emend the text", [
      { name: "where", label: "In", options: targets, value: where || (targets[0] && targets[0][0]) },
      { name: "source", label: "The words as the source reads them", value: words || "", required: true },
      { name: "edition", label: "The edition's reading", value: words || "", required: true },
      { name: "reason", label: "Reason (the evidence)", long: true, required: true }
    ], "Emend");
    run(box, function (v) {
      return { action: "emend", where: v.where, source: v.source, before: v.source === words ? before || "" : "",
               edition: v.edition, reason: v.reason };
    }, function (v) { return "'" + v.source + "' emended to '" + v.edition + "' in " + v.where; });
    box.inputs.edition.focus();
  }

  function linkDialog(q) {
    var options = [["", "not a citation of a work"]].concat(state.entries.map(function (e) { return [e.key, e.label]; }));
    var box = dialog("Link the citation in note " + q.note, [
      { name: "text", label: "The citation", value: q.excerpt, readonly: true },
      { name: "target", label: "The work it cites", options: options },
      { name: "reason", label: "Reason (the evidence)", long: true, required: true }
    ], "Link", [acceptButton(q)]);
    run(box, function (v) { return { action: "link", note: q.note, text: v.text, target: v.target, reason: v.reason }; },
        function (v) { return "note " + q.note + ": '" + v.text + "' " + (v.target ? "linked to " + v.target : "is not a citation"); });
  }

  function open(q) {
    if (q.kind === "unanchored-note") markerDialog(q);
    else if (q.kind === "suspected-lacuna") lacunaDialog(q);
    else if (/^unresolved-citation$/.test(q.kind) && q.note) linkDialog(q);
    else {
      var box = dialog("Accept: " + q.kind, [
        { name: "detail", label: "The question", value: q.detail, readonly: true, long: true },
        { name: "reason", label: "Reason (the evidence)", long: true, required: true }
      ], "Accept as it stands");
      run(box, function (v) { return { action: "accept", doubt: q.index, reason: v.reason }; },
          function () { return q.kind + " accepted"; });
    }
  }

  // --- the panel and the questions in the text ---
  function describe(q) {
    if (q.kind === "unanchored-note") return "Note " + q.note + ": its marker is lost (" + (q.place ? "a place is proposed in " + q.place.block : "no place proposed") + ")";
    if (q.kind === "suspected-lacuna") return "Text may be lost at the end of " + q.block;
    if (q.note) return "Note " + q.note + ": " + q.detail;
    return q.kind + ": " + q.detail;
  }
  function build() {
    panel = el("section", { "class": "editio-panel", "aria-labelledby": "editio-panel-h" });
    var head = el("h2", { id: "editio-panel-h" }, "Edit mode");
    status = el("p", { "class": "editio-status", role: "status" });
    var tools = el("p", { "class": "editio-tools" });
    var undo = el("button", { type: "button" }, "Undo"), redo = el("button", { type: "button" }, "Redo");
    var emend = el("button", { type: "button" }, "Emend…"), marker = el("button", { type: "button" }, "Restore a marker…");
    var lacuna = el("button", { type: "button" }, "Record a lacuna…");
    undo.disabled = !stack("undo").length;
    redo.disabled = !stack("redo").length;
    undo.addEventListener("click", function () { undoRedo("undo", "redo", "remove"); });
    redo.addEventListener("click", function () { undoRedo("redo", "undo", "redo"); });
    emend.addEventListener("click", function () { opener = emend; fromSelection(); });
    marker.addEventListener("click", function () { opener = marker; markerDialog(null); });
    lacuna.addEventListener("click", function () { opener = lacuna; lacunaDialog(null); });
    tools.append(undo, redo, emend, marker, lacuna);
    var list = el("ul", { "class": "editio-questions" });
    state.questions.forEach(function (q) {
      var li = el("li"), b = el("button", { type: "button" }, describe(q));
      b.addEventListener("click", function () { opener = b; open(q); });
      li.appendChild(b);
      list.appendChild(li);
    });
    panel.append(head, status, tools, el("h3", {}, state.questions.length + " open question(s)"), list);
    document.body.appendChild(panel);
    state.questions.forEach(chip);
    var said = sessionStorage.getItem(SAID);
    sessionStorage.removeItem(SAID);
    say(said || "Edit mode: choose an open question, or select words to emend. Nothing is written until you confirm.");
  }
  function chip(q) {
    var block = q.place && document.getElementById(q.place.block);
    var point = block && pointAt(block, q.place.offset);
    if (!point) return;
    var b = el("button", { type: "button", "class": "editio-chip", "data-question": String(q.index) },
               q.kind === "unanchored-note" ? q.note + "?" : "…?");
    b.appendChild(el("span", { "class": "visually-hidden" }, " " + describe(q)));
    var range = document.createRange();
    range.setStart(point[0], point[1]);
    range.insertNode(b);
    b.addEventListener("click", function (e) { e.preventDefault(); opener = b; open(q); });
  }
  function undoRedo(from, to, action) {
    var list = stack(from), item = list.pop();
    if (!item) return;
    post({ action: action, section: item.section, fields: item.fields }).then(function (r) {
      if (done(r, (action === "remove" ? "undone: " : "redone: ") + item.what, false)) {
        keep(from, list);
        var other = stack(to);
        other.push(item);
        keep(to, other);
      }
    });
  }
  function fromSelection() {
    var sel = getSelection();
    if (sel.rangeCount && !sel.isCollapsed) {
      var range = sel.getRangeAt(0), block = blockOf(range.startContainer);
      if (block && block === blockOf(range.endContainer)) {
        var box = el("div");
        box.appendChild(range.cloneContents());
        return emendDialog(whereOf(block), shownBefore(block, range.startContainer, range.startOffset), shown(box).trim());
      }
    }
    emendDialog(null, "", "");
  }

  function caret(x, y) {
    if (document.caretPositionFromPoint) {
      var p = document.caretPositionFromPoint(x, y);
      return p && [p.offsetNode, p.offset];
    }
    var r = document.caretRangeFromPoint(x, y);
    return r && [r.startContainer, r.startOffset];
  }
  document.addEventListener("click", function (e) {
    if (!picking || e.target.closest(".editio-panel, dialog")) return;
    var at = caret(e.clientX, e.clientY), block = at && blockOf(at[0]);
    if (!block || block.id.indexOf("note-") === 0) { say("Choose a place in a paragraph of the text (Escape to stop).", true); return; }
    e.preventDefault();
    var before = shownBefore(block, at[0], at[1]), rest = shownAfter(block, at[0], at[1]);
    // As the server reads a place: inside a word, or before its closing punctuation, means after both.
    if (/[\p{L}\p{N}]$/u.test(before)) before += rest.match(/^[\p{L}\p{N}]*[.,;:!?…’”'")\]*]*/u)[0];
    var words = before.trim().split(/\s+/).slice(-6).join(" ");
    var p = picking;
    picking = null;
    if (p.kind === "marker") markerDialog(p.q || { note: parseInt(p.note, 10) || "", block: block.id, proposal: {} }, { where: block.id, text: before }, words);
    else lacunaDialog(p.q, { where: block.id, text: before }, words);
    var form = document.querySelector(".editio-dialog form");
    if (form && form.elements.reason) form.elements.reason.value = p.reason || "";
    if (form && form.elements.note && p.note) form.elements.note.value = p.note;
    if (form && form.elements.where) form.elements.where.value = block.id;
  }, true);
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && picking) { picking = null; say("No place chosen."); }
  });
  document.addEventListener("mouseup", function (e) {
    if (!document.body.classList.contains("editio-editing") || picking || e.target.closest(".editio-selection, dialog")) return;
    var sel = getSelection(), hint = document.querySelector(".editio-selection");
    if (hint) hint.remove();
    if (!sel.rangeCount || sel.isCollapsed || !blockOf(sel.getRangeAt(0).startContainer)) return;
    var r = sel.getRangeAt(0).getBoundingClientRect(), b = el("button", { type: "button", "class": "editio-selection" }, "Emend selection…");
    b.style.top = (scrollY + r.bottom + 6) + "px";
    b.style.left = (scrollX + r.left) + "px";
    b.addEventListener("mousedown", function (e) { e.preventDefault(); });
    b.addEventListener("click", function () { opener = null; b.remove(); fromSelection(); });
    document.body.appendChild(b);
  });

  // --- the toggle ---
  function start() {
    document.body.classList.add("editio-editing");
    fetch("/__editio__/edit/state?slug=" + encodeURIComponent(slug), { headers: { "X-Editio-Secret": secret } })
      .then(function (r) { return r.json().then(function (j) { j.status = r.status; return j; }); })
      .then(function (j) {
        if (j.status !== 200) { alert("Edit mode is not available: " + j.why); return; }
        state = j;
        build();
      });
  }
  var toggle = el("button", { type: "button", "class": "editio-toggle", "aria-pressed": "false" }, "Edit mode");
  toggle.addEventListener("click", function () {
    if (!slug) {  // the collection's own pages: nothing of an article to correct here
      var note = document.querySelector(".editio-toggle-note") || document.body.appendChild(
        el("p", { "class": "editio-toggle-note", role: "status" }));
      note.textContent = "Edit mode corrects an article: open one of the articles listed here.";
      return;
    }
    var now = sessionStorage.getItem(ON) !== "1";
    sessionStorage.setItem(ON, now ? "1" : "0");
    if (now && !onArticle && slug) { location.href = "/" + encodeURIComponent(slug) + "/"; return; }
    location.reload();
  });
  document.body.appendChild(toggle);
  if (sessionStorage.getItem(ON) === "1" && onArticle) {
    toggle.setAttribute("aria-pressed", "true");
    toggle.textContent = "Leave edit mode";
    start();
  }
})();
