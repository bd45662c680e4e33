/* ProTelecom Assist engineer workspace: sign in, the queue by the contract clock, a case with its
 * live chat, record, site and contract, and the moves. Plain JavaScript, no build step. Every
 * string from the server is rendered with textContent (never HTML), so nothing a site user typed
 * becomes a link, an image or markup. Live updates are server-sent events (the session cookie
 * travels with them); EventSource reconnects by itself with the last event id.
 */
(function () {
  "use strict";
  var API = "/api/v1";
  var me = null, current = null, caseStream = null, queueStream = null, lastSeq = 0;

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  function call(method, path, body) {
    return fetch(API + path, {
      method: method,
      credentials: "same-origin",
      headers: body ? { "Content-Type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined
    }).then(function (response) {
      if (response.status === 204) return null;
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.status === 401 && path !== "/engineer/login") { signedOut(); }
        if (!response.ok) {
          var error = new Error((data.error && data.error.message) || ("HTTP " + response.status));
          error.status = response.status;
          throw error;
        }
        return data;
      });
    });
  }

  // --- signing in and out -----------------------------------------------------------------
  function signedOut() {
    me = null;
    if (caseStream) caseStream.close();
    if (queueStream) queueStream.close();
    $("ws-desk").hidden = true;
    $("ws-logout").hidden = true;
    $("ws-articles-open").hidden = true;
    $("ws-articles").hidden = true;
    $("ws-me").textContent = "";
    $("ws-login").hidden = false;
  }

  function signedIn(engineer) {
    me = engineer;
    $("ws-login").hidden = true;
    $("ws-desk").hidden = false;
    $("ws-logout").hidden = false;
    $("ws-articles-open").hidden = false;
    $("ws-me").textContent = engineer.name + " (" + engineer.role + ")";
    followQueue();
    loadEngineers();
    if (me.role === "admin") loadDead();
  }

  $("ws-login").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = event.target;
    $("ws-login-error").textContent = "";
    call("POST", "/engineer/login", { email: form.email.value, password: form.password.value })
      .then(function (data) { form.password.value = ""; signedIn(data.engineer); })
      .catch(function (error) { $("ws-login-error").textContent = error.message; });
  });
  $("ws-logout").addEventListener("click", function () {
    call("POST", "/engineer/logout").then(signedOut, signedOut);
  });

  // --- the queue ----------------------------------------------------------------------------
  var GROUPS = { live: "Waiting to be joined", callback: "Callbacks", working: "Being worked", closed: "Closed" };

  function waited(seconds) {
    if (seconds === null || seconds === undefined) return "";
    var m = Math.floor(seconds / 60);
    return m < 60 ? m + " min" : Math.floor(m / 60) + " h " + (m % 60) + " min";
  }

  function showQueue(items) {
    var list = $("ws-queue-list");
    clear(list);
    var group = null;
    items.forEach(function (item) {
      if (item.group !== group) {
        group = item.group;
        list.appendChild(el("h3", "ws-group-title", GROUPS[group] || group));
      }
      var row = el("button", "ws-item ws-" + item.priority.toLowerCase());
      row.type = "button";
      row.setAttribute("role", "listitem");
      row.setAttribute("data-case", item.id);
      row.appendChild(el("span", "ws-prio", item.priority));
      row.appendChild(el("span", "ws-site", item.site + (item.device ? " · " + item.device : "")));
      var when = item.group === "live" ? "waiting " + waited(item.waiting_seconds) :
        item.callback_at ? (item.overdue ? "overdue: " : "call back ") + new Date(item.callback_at).toLocaleString() :
        item.claimed_by ? "with " + item.claimed_by : item.status;
      row.appendChild(el("span", "ws-when", when));
      row.appendChild(el("span", "ws-issue", item.issue));
      if (current && current.id === item.id) row.classList.add("ws-current");
      row.addEventListener("click", function () { openCase(item.id); });
      list.appendChild(row);
    });
    if (!items.length) list.appendChild(el("p", "ws-empty", "No open cases."));
  }

  function followQueue() {
    if (queueStream) queueStream.close();
    queueStream = new EventSource(API + "/engineer/queue/events");
    queueStream.addEventListener("queue", function (event) { showQueue(JSON.parse(event.data)); });
  }

  function loadEngineers() {
    call("GET", "/engineer/engineers").then(function (list) {
      var select = $("ws-to");
      clear(select);
      list.filter(function (e) { return !me || e.id !== me.id; }).forEach(function (e) {
        var option = el("option", null, e.name);
        option.value = e.id;
        select.appendChild(option);
      });
    });
  }

  function loadDead() {
    call("GET", "/engineer/outbox?status=dead").then(function (entries) {
      var box = $("ws-dead-list");
      clear(box);
      $("ws-dead").hidden = !entries.length;
      entries.forEach(function (entry) {
        var row = el("div", "ws-dead-row");
        row.appendChild(el("span", null, entry.key + " → " + entry.sink + " (" + entry.attempts + " attempts): " + (entry.last_error || "")));
        var retry = el("button", null, "Retry");
        retry.type = "button";
        retry.addEventListener("click", function () {
          call("POST", "/engineer/outbox/" + entry.id + "/retry").then(loadDead);
        });
        row.appendChild(retry);
        box.appendChild(row);
      });
    });
  }

  // Pipe tables in the assistant's text and knowledge-base quotes (a header row, a |---| row, body
  // rows) as a <table>, every cell set with textContent; \| is a literal pipe. As in widget.js.
  function cells(line) {
    var s = line.trim(), out = [], cur = "", edge = false;
    for (var i = 0; i < s.length; i++) {
      edge = false;
      if (s[i] === "\\" && s[i + 1] === "|") { cur += "|"; i++; }
      else if (s[i] === "|") { out.push(cur.trim()); cur = ""; edge = true; }
      else cur += s[i];
    }
    if (!out.length) return null;
    out.push(cur.trim());
    if (s[0] === "|") out.shift();
    if (edge) out.pop();
    return out.length ? out : null;
  }
  function tableAt(lines, i) {
    var head = cells(lines[i] || ""), rule = cells(lines[i + 1] || "");
    return head && rule && rule.length === head.length &&
      rule.every(function (c) { return /^:?-+:?$/.test(c); }) ? head : null;
  }
  function addRow(table, tag, values, width) {
    var tr = table.appendChild(el("tr"));
    for (var c = 0; c < width; c++) {
      var cell = tr.appendChild(el(tag, null, values[c] || ""));
      cell.style.cssText = "padding:2px 10px 2px 0;text-align:left;vertical-align:top";  // CSSOM
    }
  }
  function renderText(into, text) {
    var lines = String(text || "").split("\n"), inline = false, end = -1, row;
    for (var i = 0; i < lines.length; i++) {
      var head = tableAt(lines, i);
      if (head) {
        var wrap = into.appendChild(el("div", "ws-table-wrap"));
        var table = wrap.appendChild(el("table", "ws-table"));
        wrap.style.overflowX = "auto";
        if (head.some(Boolean)) addRow(table, "th", head, head.length);
        for (i += 2; i < lines.length && (row = cells(lines[i])); i++) addRow(table, "td", row, head.length);
        end = i--;
        inline = false;
        continue;
      }
      if (!lines[i].trim() && (i === end || tableAt(lines, i + 1))) continue;
      if (inline) into.appendChild(document.createElement("br"));
      into.appendChild(document.createTextNode(lines[i]));
      inline = true;
    }
  }

  // --- a case -------------------------------------------------------------------------------
  function addLine(line) {
    if (line.seq) lastSeq = Math.max(lastSeq, line.seq);
    var who = { user: "Site user", assistant: "Assistant", engineer: line.name || "Engineer", activity: "" }[line.who];
    var bubble = el("div", "ws-line ws-" + line.who);
    if (who) bubble.appendChild(el("div", "ws-line-who", who));
    if (line.who === "assistant") renderText(bubble, line.text);  // its tables come from documents
    else line.text.split("\n").forEach(function (part, i) {
      if (i) bubble.appendChild(document.createElement("br"));
      bubble.appendChild(document.createTextNode(part));
    });
    (line.citations || []).forEach(function (c) {
      bubble.appendChild(el("div", "ws-cite", "[" + (c.n || "•") + "] " + c.title + (c.version ? " " + c.version : "") + " — " + c.source));
    });
    if (line.choices && line.choices.length) bubble.appendChild(el("div", "ws-offered", "Offered: " + line.choices.join(" · ")));
    var log = $("ws-transcript");
    log.appendChild(bubble);
    log.scrollTop = log.scrollHeight;
  }

  function showStatus(status, claimedBy) {
    current.status = status;
    current.claimed_by = claimedBy;
    $("ws-case-status").textContent = status.replace("_", " ") + (claimedBy ? " · " + claimedBy : "");
    var mine = me && claimedBy === me.id;
    $("ws-claim").disabled = status !== "open";
    $("ws-resolve").disabled = !(status === "claimed" && mine);
    $("ws-hand-back").disabled = !(status === "open" || (status === "claimed" && mine));
    $("ws-hand-over").disabled = !(status === "claimed" && mine);
    $("ws-compose").querySelector("button").disabled = !(status === "claimed" && mine);
  }

  function facts(box, pairs) {
    clear(box);
    var dl = el("dl", "ws-dl");
    pairs.forEach(function (pair) {
      if (pair[1] === null || pair[1] === undefined || pair[1] === "") return;
      dl.appendChild(el("dt", null, pair[0]));
      dl.appendChild(el("dd", null, pair[1]));
    });
    box.appendChild(dl);
  }

  function showRecord(data) {
    var r = data.record, env = r.environment || {}, dec = r.decision || {}, rep = r.site_representative || {};
    facts($("ws-record"), [
      ["Issue", r.issue],
      ["Device", [env.asset_model, env.asset_serial, env.room].filter(Boolean).join(" · ")],
      ["Firmware", env.firmware],
      ["Identified", env.asset_identification],
      ["Suspected cause", r.suspected_cause ? r.suspected_cause.summary : ""],
      ["Route", dec.route + (dec.callback_at ? " at " + dec.callback_at : "")],
      ["Actions", (dec.actions || []).map(function (a) { return a.kind.replace(/_/g, " "); }).join(", ")],
      ["Representative", [rep.name, rep.phone_display || rep.phone].filter(Boolean).join(", ")],
      ["Checks done", (r.diagnostics || []).map(function (d) { return d.question + " → " + d.answer; }).join("\n")],
      ["KCS articles", (r.articles || []).map(function (a) {
        var how = a.role === "tried" ? "tried in the chat: " + (a.worked ? "it worked" : "it did not help") :
          a.audience === "engineer" ? "engineer-only" : "not offered in the chat";
        return a.id + " (" + how + "): " + a.title + (a.fix || []).map(function (step, i) {
          return "\n  " + (i + 1) + ". " + step;
        }).join("");
      }).join("\n")]
    ]);
    var site = data.site || {};
    facts($("ws-site"), [
      ["Site", site.name],
      ["Local time", site.local_time ? new Date(site.local_time).toLocaleString() : ""],
      ["Hours", site.hours],
      ["Contract", site.contract],
      ["Equipment", (site.assets || []).map(function (a) {
        return (a.room || "-") + ": " + [a.maker, a.model, a.kind.replace("_", " ")].filter(Boolean).join(" ") +
          (a.firmware ? " " + a.firmware : "") + (a.end_of_life ? " (end of life)" : "");
      }).join("\n")]
    ]);
    var step = $("ws-step");
    clear(step);
    var open = el("option", null, "the open question");
    open.value = "";
    step.appendChild(open);
    data.steps.forEach(function (s) { var o = el("option", null, s); o.value = s; step.appendChild(o); });
  }

  function openCase(id) {
    $("ws-case-error").textContent = "";
    call("GET", "/engineer/cases/" + encodeURIComponent(id)).then(function (data) {
      current = data;
      lastSeq = 0;
      $("ws-empty").hidden = true;
      $("ws-case-body").hidden = false;
      $("ws-case-title").textContent = data.id + " · " + data.priority + " · " + ((data.site || {}).name || "");
      clear($("ws-transcript"));
      data.transcript.forEach(addLine);
      showRecord(data);
      showStatus(data.status, data.claimed_by);
      document.querySelectorAll(".ws-item").forEach(function (row) {
        row.classList.toggle("ws-current", row.getAttribute("data-case") === id);
      });
      if (caseStream) caseStream.close();
      if (!data.session_id) return;
      caseStream = new EventSource(API + "/engineer/cases/" + encodeURIComponent(id) + "/events?after=" + lastSeq);
      caseStream.addEventListener("line", function (event) {
        var line = JSON.parse(event.data);
        if (line.seq > lastSeq) addLine(line);
      });
      caseStream.addEventListener("case", function (event) {
        var c = JSON.parse(event.data);
        showStatus(c.status, c.claimed_by);
      });
    }).catch(function (error) { $("ws-case-error").textContent = error.message; });
  }

  function move(kind, body) {
    $("ws-case-error").textContent = "";
    return call("POST", "/handoffs/" + encodeURIComponent(current.id) + "/" + kind, body || {})
      .then(function (moved) { showStatus(moved.status, moved.claimed_by); })
      .catch(function (error) { $("ws-case-error").textContent = error.message; });
  }

  $("ws-claim").addEventListener("click", function () { move("claim"); });
  // Resolving opens the KCS dialog (articles.js): the note, and the fix as an article or a link.
  $("ws-resolve").addEventListener("click", function () {
    if (window.PTAArticles) window.PTAArticles.resolve(current);
  });
  $("ws-hand-back").addEventListener("click", function () {
    var step = $("ws-step").value;
    move("hand_back", step ? { step: step } : {});
  });
  $("ws-hand-over").addEventListener("click", function () { move("hand_over", { to: $("ws-to").value }); });

  function send(body) {
    $("ws-case-error").textContent = "";
    return call("POST", "/engineer/cases/" + encodeURIComponent(current.id) + "/messages", body)
      .catch(function (error) { $("ws-case-error").textContent = error.message; });
  }

  $("ws-compose").addEventListener("submit", function (event) {
    event.preventDefault();
    var text = $("ws-text").value.trim();
    if (!text) return;
    send({ text: text }).then(function () { $("ws-text").value = ""; });
  });
  $("ws-text").addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); $("ws-compose").requestSubmit(); }
  });

  $("ws-search").addEventListener("submit", function (event) {
    event.preventDefault();
    var q = $("ws-q").value.trim();
    if (!q) return;
    call("GET", "/search?q=" + encodeURIComponent(q) + "&k=5").then(function (found) {
      var box = $("ws-results");
      clear(box);
      if (!found.citations.length) box.appendChild(el("p", "ws-empty", found.answer));
      found.citations.forEach(function (c) {
        var row = el("div", "ws-result");
        row.appendChild(el("div", "ws-cite", "[" + c.n + "] " + c.title + (c.version ? " " + c.version : "") + " — " + (c.section || "")));
        renderText(row.appendChild(el("div", "ws-quote")), c.quote);
        var pick = el("button", "ws-send-cite", "Send this citation");
        pick.type = "button";
        pick.addEventListener("click", function () {
          send({ text: "From the release notes: " + c.title + (c.version ? " " + c.version : ""), citations: [c] });
        });
        row.appendChild(pick);
        box.appendChild(row);
      });
    }).catch(function (error) { $("ws-case-error").textContent = error.message; });
  });

  // What articles.js (the KCS dialog and review list) shares with this page.
  window.PTAWorkspace = {
    call: call, el: el, clear: clear,
    showStatus: function (status, claimedBy) { if (current) showStatus(status, claimedBy); },
    reopen: function () { if (current) openCase(current.id); }
  };

  call("GET", "/engineer/me").then(signedIn, signedOut);
})();
