/* The Wall: live messages over Socket.IO (namespace /wall).
 *
 * Every message text reaches the page through textContent, never innerHTML.
 * New messages are announced through a polite live region; notices that need
 * attention (crisis contacts, refusals) go to an alert region.
 */
(function () {
  "use strict";

  var root = document.getElementById("wall");
  if (!root || typeof io !== "function") { return; }

  var isModerator = root.dataset.moderator === "yes";
  var me = root.dataset.username;
  var list = document.getElementById("wall-messages");
  var empty = document.getElementById("wall-empty");
  var announcer = document.getElementById("wall-announcer");
  var notices = document.getElementById("wall-notices");
  var statusText = document.getElementById("wall-status");
  var countdown = document.getElementById("wall-countdown");
  var dutyList = document.getElementById("wall-on-duty");
  var noDuty = document.getElementById("wall-no-duty");
  var form = document.getElementById("wall-compose");
  var body = document.getElementById("wall-body");
  var count = document.getElementById("wall-body-count");
  var post = document.getElementById("wall-post");
  var connection = document.getElementById("wall-connection");
  var replying = document.getElementById("wall-replying");
  var replyingText = document.getElementById("wall-replying-text");
  var maxLength = parseInt(root.dataset.maxLength, 10) || 2000;
  var team = document.getElementById("wall-team");
  var dutyToggle = document.getElementById("wall-duty-toggle");
  var alerts = document.getElementById("wall-alerts");
  var held = document.getElementById("wall-held");
  var heldEmpty = document.getElementById("wall-held-empty");
  var hiddenList = document.getElementById("wall-hidden");
  var muteForm = document.getElementById("wall-mute-form");

  /* Catching up. Every change to the public conversation carries a number (seq) given in
   * commit order, with no gaps. `watermark` is the number up to which this page has
   * everything; numbers seen above it wait in `ahead`. A gap that does not fill within
   * a few seconds (a broadcast lost to a crashed worker or a message-queue outage), or
   * a server saying "resync", makes the page ask for what it missed; on reconnecting it
   * sends its watermark. `latest` keeps, per message, the number of the state shown, so
   * an older copy arriving late never undoes a newer one. */
  var watermark = parseInt(root.dataset.seq, 10) || 0;
  var ahead = {};
  var highest = watermark;
  var latest = {};
  var gapTimer = null;
  var catchingUp = false;
  var GAP_WAIT_MS = 2500;
  var replyTo = null;
  var muteWho = null;
  var refusedAlerts = 0;
  var state = { open: statusText.dataset.open === "yes", nextChange: statusText.dataset.nextChange || null };
  var TEAM_LABELS = ["peer supporter", "volunteer", "clinician", "SHaRON team"];

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function announce(text) {
    var line = el("p", null, text);
    announcer.appendChild(line);
    while (announcer.childNodes.length > 5) { announcer.removeChild(announcer.firstChild); }
  }

  function londonTime(iso, withDay) {
    var options = { hour: "2-digit", minute: "2-digit", timeZone: "Europe/London" };
    if (withDay) { options.weekday = "long"; options.day = "numeric"; options.month = "long"; }
    return new Date(iso).toLocaleString("en-GB", options);
  }

  /* Plain text with web links made into links, built node by node. */
  function fillBody(node, text) {
    var pattern = /https?:\/\/[^\s<>"']+/g;
    var last = 0;
    var match;
    while ((match = pattern.exec(text)) !== null) {
      node.appendChild(document.createTextNode(text.slice(last, match.index)));
      var link = el("a", null, match[0]);
      link.href = match[0];
      link.rel = "nofollow ugc noopener noreferrer";
      node.appendChild(link);
      last = match.index + match[0].length;
    }
    node.appendChild(document.createTextNode(text.slice(last)));
  }

  function button(text, hiddenText, onClick, className) {
    var b = el("button", className || "link-button", text);
    b.type = "button";
    if (hiddenText) { b.appendChild(el("span", "visually-hidden", " " + hiddenText)); }
    b.addEventListener("click", onClick);
    return b;
  }

  function showNotice(text, kind, contacts) {
    var box = el("div", "notice notice-" + (kind || "info"));
    box.appendChild(el("p", null, text));
    if (contacts && contacts.length) {
      var ul = el("ul", "crisis-list-inline");
      contacts.forEach(function (c) {
        var li = el("li");
        li.appendChild(el("strong", null, c.name + ": "));
        var a = el("a", null, c.how);
        a.href = c.href;
        li.appendChild(a);
        ul.appendChild(li);
      });
      box.appendChild(ul);
    }
    box.appendChild(button("Dismiss", "this notice", function () { box.remove(); }));
    notices.appendChild(box);
    while (notices.childNodes.length > 4) { notices.removeChild(notices.firstChild); }
  }

  function emit(event, payload, after) {
    socket.timeout(10000).emit(event, payload, function (err, answer) {
      if (err) { showNotice("No answer from the server. Please try again.", "error"); return; }
      if (!answer.ok) { showNotice(answer.message, "error"); }
      if (after) { after(answer); }
    });
  }

  /* Controls on a message: reply for everyone; hide, pin and mute for the team. */
  function addControls(item, data) {
    var tools = el("p", "wall-tools");
    tools.appendChild(button("Reply", "to " + data.author, function () {
      replyTo = data.id;
      replyingText.textContent = "Replying to " + data.author + ".";
      replying.hidden = false;
      body.focus();
    }));
    if (isModerator) {
      tools.appendChild(button("Hide", "message from " + data.author, function () {
        emit("hide", { id: data.id });
      }));
      var pin = button(data.pinned ? "Unpin" : "Pin", "message from " + data.author, function () {
        emit(item.classList.contains("is-pinned") ? "unpin" : "pin", { id: data.id });
      });
      pin.classList.add("wall-pin");
      tools.appendChild(pin);
      if (TEAM_LABELS.indexOf(data.label) === -1 && data.author !== me) {
        tools.appendChild(button("Mute", data.author, function () { openMute(data.author); }));
      }
    }
    item.appendChild(tools);
  }

  function setPinned(item, pinned) {
    item.classList.toggle("is-pinned", pinned);
    var badge = item.querySelector(".badge-pinned");
    if (pinned && !badge) {
      item.querySelector(".wall-meta").appendChild(el("span", "badge badge-pinned", "Pinned"));
    } else if (!pinned && badge) { badge.remove(); }
    var pin = item.querySelector(".wall-pin");
    if (pin) { pin.firstChild.textContent = pinned ? "Unpin" : "Pin"; }
  }

  function renderMessage(data) {
    var item = el("li", "wall-message");
    item.id = "message-" + data.id;
    item.dataset.id = data.id;
    var meta = el("p", "wall-meta");
    meta.appendChild(el("span", "wall-author", data.author));
    if (data.label) { meta.appendChild(document.createTextNode(" ")); meta.appendChild(el("span", "badge", data.label)); }
    var time = el("time", null, londonTime(data.created_at));
    time.dateTime = data.created_at;
    meta.appendChild(document.createTextNode(" "));
    meta.appendChild(time);
    item.appendChild(meta);
    if (data.reply_to && data.reply_to_author) {
      var reply = el("p", "wall-reply-to", "In reply to ");
      var link = el("a", null, data.reply_to_author);
      link.href = "#message-" + data.reply_to;
      reply.appendChild(link);
      item.appendChild(reply);
    }
    var text = el("div", "wall-body");
    fillBody(text, data.body);
    item.appendChild(text);
    addControls(item, data);
    setPinned(item, !!data.pinned);
    return item;
  }

  function insertMessage(data, quiet) {
    var existing = document.getElementById("message-" + data.id);
    var item = renderMessage(data);
    if (existing) {
      existing.replaceWith(item);
    } else {
      var after = null;
      var items = list.querySelectorAll(".wall-message");
      for (var i = items.length - 1; i >= 0; i--) {
        if (parseInt(items[i].dataset.id, 10) < data.id) { after = items[i]; break; }
      }
      if (after) { after.after(item); } else { list.prepend(item); }
      if (!quiet && data.author !== me) {
        announce("New message from " + data.author + ": " + data.body.slice(0, 200));
      }
    }
    empty.hidden = true;
  }

  /* The author's own message, held for the team: it stays on their screen, marked as
   * waiting, until a moderator approves it (it is replaced by the published message) or
   * rejects it (it says so). */
  function showWaiting(data) {
    if (document.getElementById("message-" + data.id)) { return; }
    var item = el("li", "wall-message is-waiting");
    item.id = "message-" + data.id;
    item.dataset.id = data.id;
    item.dataset.status = "held";
    var meta = el("p", "wall-meta");
    meta.appendChild(el("span", "wall-author", data.author || me));
    var time = el("time", null, londonTime(data.created_at));
    time.dateTime = data.created_at;
    meta.appendChild(document.createTextNode(" "));
    meta.appendChild(time);
    item.appendChild(meta);
    var text = el("div", "wall-body");
    fillBody(text, data.body);
    item.appendChild(text);
    item.appendChild(el("p", "wall-waiting", "Waiting for the team: only you can see this until a moderator has read it."));
    list.appendChild(item);
    empty.hidden = true;
  }

  function markRejected(id) {
    var item = document.getElementById("message-" + id);
    if (!item || item.dataset.status !== "held") { return; }
    item.classList.add("is-rejected");
    item.dataset.status = "rejected";
    var note = item.querySelector(".wall-waiting");
    if (note) { note.textContent = "Not posted: a moderator read this and decided not to post it on the Wall."; }
  }

  function removeMessage(id) {
    var item = document.getElementById("message-" + id);
    if (item) { item.remove(); }
    empty.hidden = list.querySelector(".wall-message") !== null;
    return item;
  }

  function setStatus(status) {
    var was = state.open;
    state.open = status.open;
    state.nextChange = status.next_change;
    statusText.classList.toggle("is-open", status.open);
    statusText.classList.toggle("is-closed", !status.open);
    statusText.textContent = "";
    var strong = el("strong", null, status.open ? "The Wall is open" : "The Wall is closed.");
    statusText.appendChild(strong);
    if (status.open) {
      statusText.appendChild(document.createTextNode(
        status.next_change ? " until " + londonTime(status.next_change) + "." : "."));
    } else {
      statusText.appendChild(document.createTextNode(status.next_change
        ? " It next opens " + londonTime(status.next_change, true) + "."
        : " No opening time is planned yet."));
    }
    dutyList.textContent = "";
    status.on_duty.forEach(function (person) {
      var li = el("li", null, person.username + " ");
      li.appendChild(el("span", "badge", person.kind));
      dutyList.appendChild(li);
    });
    noDuty.hidden = status.on_duty.length > 0;
    noDuty.textContent = status.open
      ? "No one from the moderating team is on duty just now: new messages wait until one of them approves them."
      : "No one is on duty while the Wall is closed.";
    body.disabled = !status.open;
    post.disabled = !status.open;
    if (was !== status.open) {
      announce(status.open ? "The Wall is now open." : "The Wall is now closed. Thank you for today.");
    }
    if (dutyToggle) {
      var onDuty = status.on_duty.some(function (p) { return p.username === me; });
      dutyToggle.setAttribute("aria-pressed", onDuty ? "true" : "false");
      dutyToggle.textContent = onDuty ? "Go off duty" : "Go on duty";
      dutyToggle.disabled = !status.open;
    }
    tick();
  }

  function tick() {
    if (!state.nextChange) { countdown.hidden = true; return; }
    var minutes = Math.max(0, Math.round((new Date(state.nextChange) - new Date()) / 60000));
    if (minutes > 180) { countdown.hidden = true; return; }
    var span = minutes >= 60 ? Math.floor(minutes / 60) + " h " + (minutes % 60) + " min" : minutes + " min";
    countdown.textContent = (state.open ? "Closes in " : "Opens in ") + span + ".";
    countdown.hidden = false;
  }

  function heldItem(data) {
    var item = el("li", "wall-held-item");
    item.id = "held-" + data.id;
    item.appendChild(el("p", "wall-meta", data.author + (data.reason === "risk" ? " (risk words)" : data.reason === "no_one_on_duty" ? " (posted while no one was on duty)" : "")));
    var text = el("div", "wall-body");
    fillBody(text, data.body);
    item.appendChild(text);
    var tools = el("p", "wall-tools");
    tools.appendChild(button("Approve", "message from " + data.author, function () { emit("approve", { id: data.id }); }, "button"));
    tools.appendChild(button("Reject", "message from " + data.author, function () { emit("reject", { id: data.id }); }, "button-secondary"));
    item.appendChild(tools);
    return item;
  }

  function refreshHeld() {
    if (heldEmpty) { heldEmpty.hidden = held.querySelector("li") !== null; }
  }

  function openMute(username) {
    muteWho = username;
    document.getElementById("wall-mute-who").textContent = username;
    muteForm.hidden = false;
    document.getElementById("wall-mute-reason").focus();
  }

  // --- Numbers: nothing missed, nothing applied twice ----------------------------------
  function advance() {
    while (ahead[watermark + 1]) { delete ahead[watermark + 1]; watermark += 1; }
    if (highest > watermark) { watchGap(); }
  }

  function note(seq) {
    if (typeof seq !== "number") { return; }
    highest = Math.max(highest, seq);
    if (seq > watermark) { ahead[seq] = true; }
    advance();
  }

  /* True when this copy of a message is newer than the one shown. */
  function fresher(data) {
    if (typeof data.seq !== "number") { return true; }
    if (latest[data.id] !== undefined && latest[data.id] >= data.seq) { return false; }
    latest[data.id] = data.seq;
    return true;
  }

  function watchGap() {
    if (gapTimer !== null) { return; }
    gapTimer = setTimeout(function () {
      gapTimer = null;
      if (highest > watermark) { catchUp(); }
    }, GAP_WAIT_MS);
  }

  function catchUp() {
    if (catchingUp || !socket.connected) { return; }
    catchingUp = true;
    socket.timeout(10000).emit("catch_up", { after: watermark }, function (err, answer) {
      catchingUp = false;
      if (err || !answer.ok) { watchGap(); return; }
      answer.items.forEach(function (pair) { apply(pair[0], pair[1], true); });
      if (answer.fresh) {
        showNotice("You missed a lot while you were away: the latest messages are below, and the rest are on the history page.", "catch_up");
      }
      synced(answer.seq);
      notices.querySelectorAll(".notice-degraded").forEach(function (box) { box.remove(); });
    });
  }

  function synced(seq) {
    watermark = Math.max(watermark, seq);
    highest = Math.max(highest, watermark);
    Object.keys(ahead).forEach(function (key) { if (+key <= watermark) { delete ahead[key]; } });
    advance();
  }

  // --- Enhance the page rendered on the server ------------------------------------------
  list.querySelectorAll(".wall-message").forEach(function (item) {
    var id = parseInt(item.dataset.id, 10);
    if (item.dataset.status === "held") { return; }  // the author's own, waiting
    if (item.dataset.seq) { latest[id] = parseInt(item.dataset.seq, 10); }
    addControls(item, { id: id, author: item.dataset.author, label: item.dataset.label,
                        pinned: item.classList.contains("is-pinned") });
  });
  document.getElementById("wall-nojs-note").hidden = true;
  form.hidden = false;
  if (team) { team.hidden = false; }
  body.disabled = !state.open;
  post.disabled = !state.open;
  tick();
  setInterval(tick, 30000);

  // --- The socket ---------------------------------------------------------------------
  var socket = io("/wall", {
    auth: function (cb) { cb({ last_seq: watermark }); },
    reconnectionDelayMax: 10000
  });

  socket.on("connect", function () { connection.textContent = ""; });
  socket.on("disconnect", function () {
    connection.textContent = "Connection lost. Reconnecting…";
  });
  socket.on("connect_error", function (err) {
    if (err && err.data && err.data.error) {
      connection.textContent = err.message;
      // Refused because the service is briefly unavailable: the client library does not
      // retry a refusal by itself, so try again after a pause (spread out over clients).
      if (err.data.error === "unavailable") {
        setTimeout(function () { socket.connect(); }, 3000 + Math.random() * 3000);
      }
    } else {
      connection.textContent = "Cannot reach the Wall just now. Trying again…";
    }
  });
  socket.on("status", setStatus);
  socket.on("synced", function (data) { synced(data.seq); });
  socket.on("sync", function (data) { highest = Math.max(highest, data.seq); advance(); });
  socket.on("resync", function () {
    setTimeout(catchUp, Math.random() * 1500);  // spread the askers out
  });

  function apply(name, data, quiet) {
    if (!fresher(data)) { note(data.seq); return; }
    if (name === "message") { onMessage(data, quiet); } else { onUpdate(data); }
    note(data.seq);
  }

  socket.on("message", function (data) { apply("message", data, false); });
  socket.on("update", function (data) { apply("update", data, false); });

  function onMessage(data, quiet) {
    insertMessage(data, quiet);
    var waiting = document.getElementById("held-" + data.id);
    if (waiting) { waiting.remove(); refreshHeld(); }
  }

  function onUpdate(data) {
    var item = document.getElementById("message-" + data.id);
    if (data.hidden === true) {
      var gone = removeMessage(data.id);
      if (isModerator && gone && hiddenList && !document.getElementById("hidden-" + data.id)) {
        var h = el("li");
        h.id = "hidden-" + data.id;
        h.appendChild(el("span", null, gone.dataset.author + ": " + gone.querySelector(".wall-body").textContent.slice(0, 120) + " "));
        h.appendChild(button("Unhide", "message from " + gone.dataset.author, function () { emit("unhide", { id: data.id }); }, "button-secondary"));
        hiddenList.appendChild(h);
      }
    } else if (data.hidden === false) {
      var back = document.getElementById("hidden-" + data.id);
      if (back) { back.remove(); }
      if (data.body !== undefined) { insertMessage(data, true); }
    }
    if (data.pinned !== undefined && item && data.hidden === undefined) { setPinned(item, data.pinned); }
    if (data.status && data.status !== "held") {
      var waiting = document.getElementById("held-" + data.id);
      if (waiting) { waiting.remove(); refreshHeld(); }
    }
  }
  socket.on("notice", function (data) {
    showNotice(data.message, data.kind, data.kind === "crisis" ? data.contacts : null);
    if (data.kind === "rejected" && data.id) { markRejected(data.id); }
  });
  socket.on("waiting", showWaiting);
  socket.on("held", function (data) {
    if (!held || document.getElementById("held-" + data.id)) { return; }
    held.appendChild(heldItem(data));
    refreshHeld();
  });
  socket.on("alert", function (data) {
    var key = data.refused ? "alert-refused-" + (++refusedAlerts) : "alert-" + data.id;
    if (!alerts || document.getElementById(key)) { return; }
    var box = el("div", "wall-alert");
    box.id = key;
    box.setAttribute("role", "alert");
    box.appendChild(el("h3", null, "Urgent: possible risk from " + data.author));
    box.appendChild(el("p", "wall-alert-excerpt", data.excerpt));
    box.appendChild(el("p", "hint", data.refused
      ? "The message was refused and not posted; its author was shown crisis contacts. It is in the moderation queue."
      : data.held ? "The message is held: approve or reject it below." : "The message is on the Wall."));
    box.appendChild(button("Acknowledge", "the alert about " + data.author, function () {
      if (data.refused) { box.remove(); return; }
      emit("acknowledge", { id: data.id }, function (answer) { if (answer.ok) { box.remove(); } });
    }, "button"));
    alerts.appendChild(box);
  });
  socket.on("acknowledged", function (data) {
    var box = document.getElementById("alert-" + data.id);
    if (box) { box.remove(); announce("The alert was acknowledged by " + data.by + "."); }
  });

  // --- Controls -------------------------------------------------------------------------
  function updateCount() {
    var left = maxLength - body.value.length;
    count.textContent = left < 200 ? left + " characters left." : "";
  }
  body.addEventListener("input", updateCount);
  body.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { form.requestSubmit(); }
  });
  document.getElementById("wall-reply-cancel").addEventListener("click", function () {
    replyTo = null;
    replying.hidden = true;
    body.focus();
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = body.value.trim();
    if (!text) { showNotice("Please write a message first.", "error"); body.focus(); return; }
    post.disabled = true;
    emit("send", { body: text, reply_to: replyTo }, function (answer) {
      post.disabled = !state.open;
      if (answer.ok) {
        if (answer.status === "held") {
          showWaiting({ id: answer.id, author: me, body: text, created_at: new Date().toISOString() });
        }
        body.value = "";
        replyTo = null;
        replying.hidden = true;
        updateCount();
        announce(answer.status === "held" ? "Your message is waiting for approval." : "Your message is posted.");
      }
      body.focus();
    });
  });
  if (dutyToggle) {
    dutyToggle.addEventListener("click", function () {
      emit("duty", { on: dutyToggle.getAttribute("aria-pressed") !== "true" });
    });
  }
  if (muteForm) {
    muteForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var reason = document.getElementById("wall-mute-reason");
      emit("mute", { user: muteWho, minutes: parseInt(document.getElementById("wall-mute-minutes").value, 10),
                     reason: reason.value }, function (answer) {
        if (answer.ok) {
          muteForm.hidden = true;
          reason.value = "";
          announce(muteWho + " is muted.");
        }
      });
    });
    document.getElementById("wall-mute-cancel").addEventListener("click", function () { muteForm.hidden = true; });
    document.getElementById("wall-unmute").addEventListener("click", function () {
      emit("unmute", { user: muteWho }, function (answer) {
        if (answer.ok) {
          muteForm.hidden = true;
          announce(muteWho + " can post again.");
        }
      });
    });
  }
}());
