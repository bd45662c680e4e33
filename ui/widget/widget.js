/* ProTelecom Assist chat widget.
 * Embed with: <script src="https://HOST/widget.js" data-api="https://HOST" async></script>
 * Plain JavaScript, no build step. Everything that comes from the server is rendered with
 * textContent, never as HTML (a pipe table in a bot message or passage becomes a <table> whose
 * cells are set with textContent too). An open conversation survives a page reload through
 * sessionStorage; an ended one offers "Start a new chat". Only the newest question's buttons can be pressed.
 * Once an engineer is involved, the chat stays open: what the engineer writes arrives as
 * server-sent events (read with fetch, so the token stays in a header), with a long poll as the
 * fallback; after a reconnect it asks for everything after the last event it saw.
 */
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector("script[data-api]");
  var api = ((script && script.getAttribute("data-api")) || window.location.origin).replace(/\/$/, "");
  var KEY = "pta-session:" + api;
  var state = { sessionId: null, token: null, status: "active", phase: "idle", busy: false,
                lastSeq: 0, live: null };
  var LIVE = ["waiting_for_engineer", "with_engineer"];
  var ENDED = ["conversation_ended", "conversation_full"];  // refusals that end the chat here

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  // Styles: the widget's own CSS file, next to widget.js
  var css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = api + "/widget.css";
  document.head.appendChild(css);

  var root = el("div", "pta-root");
  var launcher = el("button", "pta-launcher", "Need help with the room?");
  launcher.type = "button";
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", "pta-panel");
  var panel = el("section", "pta-panel");
  panel.id = "pta-panel";
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", "ProTelecom support chat");
  panel.hidden = true;

  var header = el("header", "pta-header");
  header.appendChild(el("span", "pta-title", "ProTelecom support"));
  var restart = el("button", "pta-restart", "New chat");  // leave a conversation for another problem
  restart.type = "button";
  restart.hidden = true;
  header.appendChild(restart);
  var close = el("button", "pta-close", "\u00d7");
  close.type = "button";
  close.setAttribute("aria-label", "Close the chat");
  header.appendChild(close);

  var banner = el("div", "pta-banner");
  banner.hidden = true;
  banner.setAttribute("role", "status");
  var log = el("div", "pta-log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  log.setAttribute("aria-relevant", "additions");
  var typing = el("div", "pta-typing", "Assistant is typing\u2026");
  typing.hidden = true;
  typing.setAttribute("aria-hidden", "true");

  var start = el("form", "pta-start");
  var codeLabel = el("label", "pta-label", "Site access code");
  var codeInput = el("input", "pta-input");
  codeInput.name = "access_code";
  codeInput.autocomplete = "off";
  codeInput.required = true;
  codeLabel.appendChild(codeInput);
  var startBtn = el("button", "pta-send", "Start chat");
  startBtn.type = "submit";
  start.appendChild(codeLabel);
  start.appendChild(startBtn);

  var form = el("form", "pta-form");
  var input = el("textarea", "pta-input");
  input.rows = 2;
  input.maxLength = 4000;
  input.placeholder = "Describe the problem or ask a question";
  input.setAttribute("aria-label", "Your message");
  var send = el("button", "pta-send", "Send");
  send.type = "submit";
  var person = el("button", "pta-person", "Talk to a person");
  person.type = "button";
  var newChat = el("button", "pta-new", "Start a new chat");
  newChat.type = "button";
  newChat.hidden = true;
  form.appendChild(input);
  form.appendChild(send);
  var footer = el("div", "pta-footer");
  footer.appendChild(person);
  footer.appendChild(newChat);
  form.hidden = true;

  panel.appendChild(header);
  panel.appendChild(banner);
  panel.appendChild(log);
  panel.appendChild(typing);
  panel.appendChild(start);
  panel.appendChild(form);
  panel.appendChild(footer);
  root.appendChild(panel);
  root.appendChild(launcher);

  function save() {
    sessionStorage.setItem(KEY, JSON.stringify({ sessionId: state.sessionId, token: state.token }));
  }

  function scroll() {
    log.scrollTop = log.scrollHeight;
  }

  // Pipe tables in a bot message or a passage (a header row, a |---|:--:| row, body rows) become a
  // <table> in a scrolling wrapper, every cell set with textContent; \| is a literal pipe. Any
  // other line, a line with a stray | included, stays a text line.
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
    var ok = head && rule && rule.length === head.length &&
      rule.every(function (c) { return /^:?-+:?$/.test(c); });
    return ok ? head : null;
  }

  function tableRow(tag, values, width) {
    var tr = el("tr");
    for (var c = 0; c < width; c++) tr.appendChild(el(tag, null, values[c] || ""));
    return tr;
  }

  function renderText(into, text) {
    var lines = String(text || "").split("\n"), inline = false, end = -1;
    for (var i = 0; i < lines.length; i++) {
      var head = tableAt(lines, i);
      if (head) {
        var wrap = el("div", "pta-table-wrap"), table = el("table", "pta-table");
        var body = el("tbody"), row;
        wrap.tabIndex = 0;  // a scrolling region is reachable from the keyboard
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", "Table");
        if (head.some(Boolean)) {  // an HTML table without a header row has an empty one
          table.appendChild(el("thead")).appendChild(tableRow("th", head, head.length));
        }
        for (i += 2; i < lines.length && (row = cells(lines[i])); i++) {
          body.appendChild(tableRow("td", row, head.length));
        }
        table.appendChild(body);
        wrap.appendChild(table);
        into.appendChild(wrap);
        end = i--;
        inline = false;
        continue;
      }
      if (!lines[i].trim() && (i === end || tableAt(lines, i + 1))) continue;  // around a table
      if (inline) into.appendChild(document.createElement("br"));
      into.appendChild(document.createTextNode(lines[i]));
      inline = true;
    }
  }

  function addUser(text) {
    var bubble = el("div", "pta-msg pta-user", text);
    log.appendChild(bubble);
    scroll();
  }

  function documentPath(source) {
    return "/api/v1/documents/" + source.split("/").map(encodeURIComponent).join("/") +
      "?session_id=" + encodeURIComponent(state.sessionId);
  }

  // The whole cited document, from the index, rendered as text.
  function showDocument(source, into) {
    return request("GET", documentPath(source)).then(function (doc) {
      into.appendChild(el("div", "pta-doc-title", doc.title + (doc.version ? " " + doc.version : "")));
      doc.sections.forEach(function (section) {
        var head = [section.section, section.version].filter(Boolean).join(" \u2014 ");
        if (head) into.appendChild(el("div", "pta-doc-section", head));
        section.passages.forEach(function (text) {
          renderText(into.appendChild(el("div", "pta-doc-text")), text);
        });
      });
    });
  }

  function documentButton(source) {
    var wrap = el("div", "pta-doc-wrap");
    var open = el("button", "pta-doc-open", "Show the whole document");
    open.type = "button";
    open.setAttribute("aria-expanded", "false");
    var body = el("div", "pta-doc");
    body.hidden = true;
    open.addEventListener("click", function () {
      var loaded = body.childNodes.length ? Promise.resolve() : showDocument(source, body);
      open.disabled = true;
      loaded
        .catch(function (error) { body.appendChild(el("p", "pta-doc-error", error.message)); })
        .then(function () {
          body.hidden = !body.hidden;
          open.setAttribute("aria-expanded", String(!body.hidden));
          open.disabled = false;
        });
    });
    wrap.appendChild(open);
    wrap.appendChild(body);
    return wrap;
  }

  function addCitations(container, citations) {
    if (!citations || !citations.length) return;
    var list = el("ol", "pta-citations");
    citations.forEach(function (c, i) {
      var item = el("li");
      var link = el("button", "pta-cite", "[" + (c.n || i + 1) + "] " + (c.title || c.source) + (c.version ? " " + c.version : ""));
      link.type = "button";
      link.setAttribute("aria-expanded", "false");
      var detail = el("blockquote", "pta-passage");
      detail.hidden = true;
      detail.appendChild(el("div", "pta-passage-meta", [c.section, c.source].filter(Boolean).join(" \u2014 ")));
      renderText(detail.appendChild(el("div", "pta-passage-text")), c.quote || "");
      if (c.source && state.sessionId) detail.appendChild(documentButton(c.source));
      link.addEventListener("click", function () {
        detail.hidden = !detail.hidden;
        link.setAttribute("aria-expanded", String(!detail.hidden));
      });
      item.appendChild(link);
      item.appendChild(detail);
      list.appendChild(item);
    });
    container.appendChild(list);
  }

  function addBot(message, interactive) {
    var bubble = el("div", "pta-msg pta-bot pta-" + (message.type || "text"));
    renderText(bubble, message.text);
    addCitations(bubble, message.citations);
    if (interactive && message.choices && message.choices.length) {
      var row = el("div", "pta-choices");
      message.choices.forEach(function (choice) {
        var button = el("button", "pta-choice", choice.label);
        button.type = "button";
        button.setAttribute("data-choice", choice.id);
        button.addEventListener("click", function () {
          if (choice.id === "person") return talkToPerson();
          row.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
          post({ choice: choice.id }, choice.label);
        });
        row.appendChild(button);
      });
      bubble.appendChild(row);
    }
    log.appendChild(bubble);
    scroll();
  }

  function addEngineer(event) {
    var bubble = el("div", "pta-msg pta-engineer");
    bubble.appendChild(el("div", "pta-who", event.engineer || "Engineer"));
    (event.text || "").split("\n").forEach(function (line, i) {
      if (i) bubble.appendChild(document.createElement("br"));
      bubble.appendChild(document.createTextNode(line));
    });
    addCitations(bubble, event.citations);
    log.appendChild(bubble);
    scroll();
  }

  function addActivity(text) {
    log.appendChild(el("div", "pta-activity", text));
    scroll();
  }

  // One transcript event as it arrives live (the user's own messages are already shown).
  function addEvent(event) {
    if (event.seq) state.lastSeq = Math.max(state.lastSeq, event.seq);
    if (event.kind === "engineer") addEngineer(event);
    else if (event.kind === "activity") addActivity(event.text);
    else if (event.kind === "bot") { retireChoices(); addBot(event, true); }
  }

  function showBanner(s) {
    var text = "";
    if (s.phase === "waiting_for_engineer" && s.route === "callback" && s.callback_at) {
      text = "An engineer will call you back at " +
        new Date(s.callback_at).toLocaleString([], { weekday: "short", hour: "2-digit", minute: "2-digit" }) +
        ". You can add notes here until then.";
    } else if (s.phase === "waiting_for_engineer") {
      text = "Waiting for an engineer to join. You can keep typing; nothing is lost.";
    } else if (s.phase === "with_engineer") {
      text = (s.engineer || "An engineer") + " is in this chat.";
    }
    banner.textContent = text;
    banner.hidden = !text;
  }

  function setBusy(busy) {
    state.busy = busy;
    typing.hidden = !busy;
    send.disabled = busy;
  }

  function showError(text) {
    addBot({ type: "error", text: text, choices: [], citations: [] }, false);
  }

  // A 503 "overloaded" was refused before any work was done: wait as told and send it again.
  var BUSY_RETRIES = 3;

  function request(method, path, body, attempt) {
    attempt = attempt || 0;
    var headers = { "Content-Type": "application/json" };
    if (state.token) headers.Authorization = "Bearer " + state.token;
    return fetch(api + path, { method: method, headers: headers, body: body ? JSON.stringify(body) : undefined })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          var busy = response.status === 503 && data.error && data.error.code === "overloaded";
          if (busy && attempt < BUSY_RETRIES) {
            var wait = Math.min(10, parseInt(response.headers.get("Retry-After"), 10) || 1);
            addActivity("The service is busy; trying again in " + wait + " s.");
            return new Promise(function (resolve) { setTimeout(resolve, wait * 1000); })
              .then(function () { return request(method, path, body, attempt + 1); });
          }
          if (!response.ok) {
            var message = (data.error && data.error.message) || ("Request failed (" + response.status + ")");
            var error = new Error(message);
            error.status = response.status;
            error.code = data.error && data.error.code;
            throw error;
          }
          return data;
        });
      });
  }

  function applyState(s) {
    s = s || {};
    state.status = s.status || "active";
    state.phase = s.phase || "idle";
    var ended = s.open === false;
    input.disabled = ended;
    send.disabled = ended;
    person.disabled = ended;
    person.hidden = ended || LIVE.indexOf(state.phase) >= 0;  // already with a person
    newChat.hidden = !(ended || state.phase === "waiting_for_engineer");  // another problem
    restart.hidden = !newChat.hidden;
    input.placeholder = ended ? "This conversation has ended." :
      (LIVE.indexOf(state.phase) >= 0 ? "Write to the engineer" : "Describe the problem or ask a question");
    if (ended) retireChoices();
    showBanner(s);
    if (LIVE.indexOf(state.phase) >= 0) follow();
    else stopFollowing();
  }

  // --- live: server-sent events read with fetch, or a long poll ---------------------------
  function stopFollowing() {
    if (state.live) { state.live.stop = true; if (state.live.abort) state.live.abort.abort(); }
    state.live = null;
  }

  function follow() {
    if (state.live || !state.sessionId) return;
    var live = state.live = { stop: false, abort: null, failures: 0 };
    var base = "/api/v1/sessions/" + encodeURIComponent(state.sessionId);
    function onState(s) { applyState(s); }
    function stream() {
      if (live.stop) return;
      if (!window.ReadableStream || !window.AbortController || live.failures > 1) return poll();
      live.abort = new AbortController();
      fetch(api + base + "/events?after=" + state.lastSeq, {
        headers: { Authorization: "Bearer " + state.token }, signal: live.abort.signal
      }).then(function (response) {
        if (!response.ok || !response.body) throw new Error("stream " + response.status);
        var reader = response.body.getReader();
        var decoder = new TextDecoder();
        var buffer = "";
        function pump() {
          return reader.read().then(function (chunk) {
            if (chunk.done) return;
            buffer += decoder.decode(chunk.value, { stream: true });
            var parts = buffer.split("\n\n");
            buffer = parts.pop();
            parts.forEach(function (block) {
              var name = "", data = "";
              block.split("\n").forEach(function (line) {
                if (line.indexOf("event: ") === 0) name = line.slice(7);
                else if (line.indexOf("data: ") === 0) data += line.slice(6);
              });
              if (!data) return;
              var payload = JSON.parse(data);
              if (name === "transcript" && payload.kind !== "user") addEvent(payload);
              else if (name === "transcript") state.lastSeq = Math.max(state.lastSeq, payload.seq);
              else if (name === "state") onState(payload);
            });
            if (live.stop) return;
            return pump();
          });
        }
        return pump();
      }).then(function () {
        live.failures = 0;
        if (!live.stop) setTimeout(stream, 200);  // the server ends a stream now and then
      }, function () {
        if (live.stop) return;
        live.failures += 1;
        setTimeout(stream, 1000);
      });
    }
    // What this page already shows (from its own turns) is skipped: only later events come live.
    function sync() {
      request("GET", base + "/updates?after=" + state.lastSeq).then(function (data) {
        data.events.forEach(function (e) { state.lastSeq = Math.max(state.lastSeq, e.seq); });
        stream();
      }, function () { setTimeout(sync, 2000); });
    }
    function poll() {
      if (live.stop) return;
      request("GET", base + "/updates?wait=20&after=" + state.lastSeq).then(function (data) {
        data.events.forEach(function (e) {
          if (e.kind !== "user") addEvent(e); else state.lastSeq = Math.max(state.lastSeq, e.seq);
        });
        if (data.events.length) onState(data.state);
        setTimeout(poll, 100);
      }, function () { setTimeout(poll, 3000); });
    }
    sync();
  }

  function resetChat() {
    stopFollowing();
    state.lastSeq = 0;
    banner.hidden = true;
    sessionStorage.removeItem(KEY);
    state.sessionId = null;
    state.token = null;
    state.status = "active";
    while (log.firstChild) log.removeChild(log.firstChild);
    form.hidden = true;
    start.hidden = false;
    newChat.hidden = true;
    restart.hidden = true;
    person.hidden = false;
    person.disabled = false;
    input.disabled = false;
    codeInput.focus();
  }

  function showConversation() {
    start.hidden = true;
    form.hidden = false;
    input.focus();
  }

  function startChat(code) {
    setBusy(true);
    request("POST", "/api/v1/sessions", { access_code: code })
      .then(function (data) {
        state.sessionId = data.session_id;
        state.token = data.token;
        save();
        showConversation();
        data.messages.forEach(function (m) { addBot(m, true); });
        applyState(data.state);
      })
      .catch(function (error) {
        showError(error.status === 401 ? "That access code was not recognised." : error.message);
      })
      .then(function () { setBusy(false); });
  }

  // Buttons belong to the question they were offered with: once anything else is said, the old
  // ones are disabled (the server also answers an old choice with the current question).
  function retireChoices() {
    log.querySelectorAll(".pta-choices button").forEach(function (b) { b.disabled = true; });
  }

  function post(body, shown) {
    if (state.busy) return;
    retireChoices();
    addUser(shown);
    setBusy(true);
    request("POST", "/api/v1/sessions/" + encodeURIComponent(state.sessionId) + "/messages", body)
      .then(function (data) {
        data.messages.forEach(function (m) { addBot(m, true); });
        applyState(data.state);
      })
      .catch(function (error) {
        showError(error.message);
        if (ENDED.indexOf(error.code) >= 0) applyState({ status: "ended", phase: "closed", open: false });
      })
      .then(function () { setBusy(false); input.focus(); });
  }

  function talkToPerson() {
    post({ text: "talk to a person" }, "Talk to a person");
  }

  function restore() {
    var saved;
    try { saved = JSON.parse(sessionStorage.getItem(KEY) || "null"); } catch (e) { saved = null; }
    if (!saved || !saved.sessionId) return;
    state.sessionId = saved.sessionId;
    state.token = saved.token;
    request("GET", "/api/v1/sessions/" + encodeURIComponent(state.sessionId))
      .then(function (data) {
        if (data.state.open === false) {  // only an open conversation comes back
          sessionStorage.removeItem(KEY);
          state.sessionId = null;
          state.token = null;
          return;
        }
        showConversation();
        var bots = data.transcript.filter(function (e) { return e.kind === "bot"; });
        var last = bots[bots.length - 1];
        data.transcript.forEach(function (e) {
          state.lastSeq = Math.max(state.lastSeq, e.seq || 0);
          if (e.kind === "user") addUser(e.text || e.choice || "");
          else if (e.kind === "bot") addBot(e, e === last);
          else if (e.kind === "engineer") addEngineer(e);
          else if (e.kind === "activity") addActivity(e.text);
        });
        applyState(data.state);
        toggle(true);
      })
      .catch(function () {
        sessionStorage.removeItem(KEY);
        state.sessionId = null;
        state.token = null;
      });
  }

  function toggle(open) {
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", String(open));
    if (open) (form.hidden ? codeInput : input).focus();
    else launcher.focus();
  }

  launcher.addEventListener("click", function () { toggle(panel.hidden); });
  close.addEventListener("click", function () { toggle(false); });
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") toggle(false);
  });
  start.addEventListener("submit", function (event) {
    event.preventDefault();
    var code = codeInput.value.trim();
    if (code) startChat(code);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text || state.busy) return;
    input.value = "";
    post({ text: text }, text);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  newChat.addEventListener("click", resetChat);
  restart.addEventListener("click", resetChat);
  person.addEventListener("click", function () {
    if (!state.sessionId) { showError("Start the chat with your site code first."); return; }
    talkToPerson();
  });

  function mount() {
    document.body.appendChild(root);
    restore();  // opens the panel again when an open conversation comes back
  }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
