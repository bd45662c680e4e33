/* ProTelecom Assist engineer workspace: KCS articles. The resolve dialog asks for the note the
 * site user reads and what was learned: a new article in KCS shape (environment, symptom, cause,
 * fix steps, customer-safe), or a link to a similar existing article (suggested by the server),
 * or nothing. The "Articles" page lists drafts to review (and the published and rejected ones)
 * with their counters and review flags: edit, publish, reject with a reason, engineer-only.
 * Every string from the server is set with textContent, never as HTML.
 */
(function () {
  "use strict";
  var ws = window.PTAWorkspace;
  if (!ws) return;
  var call = ws.call, el = ws.el, clear = ws.clear;
  var resolving = null, readFields = null;

  function $(id) { return document.getElementById(id); }
  function encode(id) { return encodeURIComponent(id); }

  // --- the article's fields (used by the resolve dialog and by edit) -------------------------
  function input(box, label, name, value, attrs) {
    var field = box.appendChild(el("label", "ws-field", label));
    var node = el(attrs && attrs.multiline ? "textarea" : "input");
    node.name = name;
    if (attrs && attrs.multiline) node.rows = attrs.rows || 2;
    if (attrs && attrs.placeholder) node.placeholder = attrs.placeholder;
    node.maxLength = (attrs && attrs.max) || 1000;
    node.value = value || "";
    field.appendChild(node);
    return node;
  }

  function articleFields(box, a) {
    clear(box);
    var row = box.appendChild(el("div", "ws-fields-row"));
    var nodes = {
      product: input(row, "Product line", "product", a.product, { placeholder: "cx-codec", max: 100 }),
      model: input(row, "Model (empty: any)", "model", a.model, { placeholder: "CX-900", max: 100 }),
      firmware_from: input(row, "Firmware from", "firmware_from", a.firmware_from, { placeholder: "9.4.0", max: 40 }),
      firmware_to: input(row, "Firmware to (empty: later too)", "firmware_to", a.firmware_to, { placeholder: "9.4.1", max: 40 })
    };
    nodes.title = input(box, "Title (empty: the symptom)", "title", a.title, { max: 200 });
    nodes.symptom = input(box, "Symptom, in the user's words", "symptom", a.symptom, { multiline: true, max: 1000 });
    nodes.cause = input(box, "Cause", "cause", a.cause, { multiline: true, max: 2000 });
    nodes.fix = input(box, "Fix: one step per line", "fix", (a.fix || []).join("\n"), { multiline: true, rows: 4, max: 6000 });
    var safe = box.appendChild(el("label", "ws-field"));
    var check = el("input");
    check.type = "checkbox";
    check.name = "customer_safe";
    check.checked = a.customer_safe !== false;
    safe.appendChild(check);
    safe.appendChild(document.createTextNode(" Customer-safe: site users may be offered this fix (no internal tools, passwords or hosts)"));
    return function () {
      var text = function (node) { return node.value.trim(); };
      return {
        title: text(nodes.title),
        product: text(nodes.product),
        model: text(nodes.model) || null,
        firmware_from: text(nodes.firmware_from) || null,
        firmware_to: text(nodes.firmware_to) || null,
        symptom: text(nodes.symptom),
        cause: text(nodes.cause),
        fix: nodes.fix.value.split("\n").map(function (s) { return s.trim(); }).filter(Boolean),
        customer_safe: check.checked
      };
    };
  }

  // --- the resolve dialog --------------------------------------------------------------------
  function learned() {
    var picked = document.querySelector("#ws-resolve-form input[name=learned]:checked");
    return picked ? picked.value : "new";
  }

  function showLearned() {
    $("ws-article-fields").hidden = learned() !== "new";
    $("ws-similar").hidden = learned() === "none";
  }

  function showSimilar(found) {
    var box = $("ws-similar");
    clear(box);
    if (!found.length) { box.appendChild(el("p", "ws-meta", "No similar article yet.")); return; }
    box.appendChild(el("p", "ws-meta", "Similar articles: link to one when the cause is the same, instead of writing a duplicate."));
    found.forEach(function (item) {
      var a = item.article;
      var row = box.appendChild(el("label"));
      var radio = el("input");
      radio.type = "radio";
      radio.name = "link";
      radio.value = a.id;
      radio.addEventListener("change", function () {
        document.querySelector("#ws-resolve-form input[name=learned][value=link]").checked = true;
        showLearned();
      });
      row.appendChild(radio);
      row.appendChild(document.createTextNode(" " + a.id + " · " + a.status + " · " + a.title +
        " (" + [a.model, a.firmware_from && a.firmware_from + "–" + (a.firmware_to || "")].filter(Boolean).join(", ") +
        "; match " + Math.round(item.score * 100) + "%, " + a.counts.linked + " cases)"));
    });
  }

  function resolve(current) {
    if (!current) return;
    resolving = current;
    var form = $("ws-resolve-form"), record = current.record || {}, env = record.environment || {};
    form.reset();
    $("ws-resolve-case").textContent = current.id;
    $("ws-resolve-error").textContent = "";
    readFields = articleFields($("ws-article-fields"), {
      product: env.asset_product, model: env.asset_model, firmware_from: env.firmware,
      symptom: record.issue, customer_safe: true
    });
    showSimilar([]);
    showLearned();
    $("ws-resolve-dialog").showModal();
    call("GET", "/kcs/similar/" + encode(current.id)).then(showSimilar).catch(function (error) {
      $("ws-resolve-error").textContent = error.message;
    });
  }

  document.querySelectorAll("#ws-resolve-form input[name=learned]").forEach(function (radio) {
    radio.addEventListener("change", showLearned);
  });
  $("ws-resolve-cancel").addEventListener("click", function () { $("ws-resolve-dialog").close(); });
  $("ws-resolve-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = event.target, body = { note: form.note.value.trim() };
    if (learned() === "new") body.article = readFields();
    if (learned() === "link") {
      var link = form.querySelector("input[name=link]:checked");
      if (!link) { $("ws-resolve-error").textContent = "Choose the article to link to, or write a new one."; return; }
      body.link = link.value;
    }
    $("ws-resolve-submit").disabled = true;
    call("POST", "/kcs/resolutions/" + encode(resolving.id), body).then(function (moved) {
      $("ws-resolve-dialog").close();
      ws.showStatus(moved.status, moved.claimed_by);
    }).catch(function (error) {
      $("ws-resolve-error").textContent = error.message;  // every problem, named by the server
    }).then(function () { $("ws-resolve-submit").disabled = false; });
  });

  // --- the articles to review ----------------------------------------------------------------
  function openArticles() {
    $("ws-desk").hidden = true;
    $("ws-articles").hidden = false;
    loadArticles();
  }

  function loadArticles() {
    var status = $("ws-articles-status").value;
    $("ws-articles-error").textContent = "";
    return call("GET", "/kcs/articles" + (status ? "?status=" + encode(status) : "")).then(function (list) {
      var box = $("ws-articles-list");
      clear(box);
      if (!list.length) box.appendChild(el("p", "ws-empty", "No articles here."));
      list.forEach(function (a) { box.appendChild(card(a)); });
    }).catch(function (error) { $("ws-articles-error").textContent = error.message; });
  }

  function act(path, body) {
    $("ws-articles-error").textContent = "";
    return call("POST", "/kcs/articles/" + path, body || {}).then(loadArticles).catch(function (error) {
      $("ws-articles-error").textContent = error.message;
    });
  }

  function button(box, label, handler) {
    var b = box.appendChild(el("button", null, label));
    b.type = "button";
    b.addEventListener("click", handler);
    return b;
  }

  function card(a) {
    var node = el("article", "ws-article");
    node.setAttribute("data-article", a.id);
    var head = node.appendChild(el("div"));
    head.appendChild(el("span", "ws-badge", a.id));
    head.appendChild(el("span", "ws-badge", a.status));
    head.appendChild(el("span", "ws-badge", a.customer_safe ? "customer-safe" : "engineer-only"));
    if (a.flagged) head.appendChild(el("span", "ws-badge ws-flag", "needs review: " + a.flag_reason));
    node.appendChild(el("h3", null, a.title));
    node.appendChild(el("p", "ws-meta", [a.product, a.model || "any model",
      "firmware " + (a.firmware_from || "…") + "–" + (a.firmware_to || "…") + (a.versions.length ? " (" + a.versions.join(", ") + ")" : "")].join(" · ")));
    node.appendChild(el("p", null, "Symptom: " + a.symptom));
    node.appendChild(el("p", null, "Cause: " + a.cause));
    var steps = node.appendChild(el("ol"));
    a.fix.forEach(function (step) { steps.appendChild(el("li", null, step)); });
    var c = a.counts;
    node.appendChild(el("p", "ws-meta", "Used " + c.used + " · worked " + c.resolved + " · failed " + c.failed +
      " · still handed off " + c.handed_off + " · cases " + c.linked +
      (a.reviewed_at ? " · reviewed " + a.reviewed_at.slice(0, 10) + " by " + a.reviewed_by : "") +
      (a.rejected_reason ? " · rejected: " + a.rejected_reason : "")));
    var actions = node.appendChild(el("div", "ws-article-actions"));
    button(actions, "Edit", function () { edit(node, a); });
    if (a.status === "draft") button(actions, "Publish", function () { act(encode(a.id) + "/publish"); });
    if (a.status !== "rejected") {
      button(actions, a.customer_safe ? "Engineer-only" : "Customer-safe", function () {
        act(encode(a.id) + "/audience", { customer_safe: !a.customer_safe });
      });
      var why = actions.appendChild(el("input"));
      why.placeholder = "Why reject?";
      why.maxLength = 1000;
      why.setAttribute("aria-label", "Why reject " + a.id);
      button(actions, "Reject", function () {
        if (!why.value.trim()) { $("ws-articles-error").textContent = "Say why " + a.id + " is rejected."; return; }
        act(encode(a.id) + "/reject", { why: why.value.trim() });
      });
    }
    return node;
  }

  function edit(node, a) {
    clear(node);
    node.appendChild(el("h3", null, "Edit " + a.id + (a.status === "published" ? " (it leaves the knowledge base until published again)" : "")));
    var read = articleFields(node.appendChild(el("div")), a);
    var actions = node.appendChild(el("div", "ws-article-actions"));
    button(actions, "Save as draft", function () { act(encode(a.id) + "/edit", read()); });
    button(actions, "Cancel", loadArticles);
  }

  $("ws-articles-open").addEventListener("click", openArticles);
  $("ws-articles-status").addEventListener("change", loadArticles);
  $("ws-articles-close").addEventListener("click", function () {
    $("ws-articles").hidden = true;
    $("ws-desk").hidden = false;
  });

  window.PTAArticles = { resolve: resolve, open: openArticles };
})();
