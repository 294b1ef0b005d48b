/* The Wall: live messages over Socket.IO (namespace /wall).
 *
 * Every message text reaches the page through textContent, never innerHTML.
 * New messages are announced through a polite live region; notices that need
 * attention (crisis contacts, refusals) go to an alert region.
 *
 * The page stays short however long a session runs: it shows the latest messages, and
 * "Show earlier messages" loads the ones before (oldest first, above); while the reader
 * follows the live end, the oldest drop off again as new ones arrive.
 * Each message has one Actions button (Reply, and for the team Hide, Pin, Mute). The
 * message box exists only while the Wall is open; while it is closed, the page says
 * when it opens again and what to do meanwhile.
 */
(function () {
  "use strict";

  var root = document.getElementById("wall");
  if (!root || typeof io !== "function") { return; }

  var isModerator = root.dataset.moderator === "yes";
  var me = root.dataset.username;
  var pageSize = parseInt(root.dataset.pageSize, 10) || 20;
  var list = document.getElementById("wall-messages");
  var empty = document.getElementById("wall-empty");
  var messagesTitle = document.getElementById("wall-messages-title");
  var pinnedArea = document.getElementById("wall-pinned");
  var pinnedList = document.getElementById("wall-pinned-list");
  var earlierBox = document.getElementById("wall-earlier");
  var earlierLink = document.getElementById("wall-earlier-link");
  var announcer = document.getElementById("wall-announcer");
  var notices = document.getElementById("wall-notices");
  var statusPanel = document.getElementById("wall-status-panel");
  var statusText = document.getElementById("wall-status");
  var countdown = document.getElementById("wall-countdown");
  var dutyList = document.getElementById("wall-on-duty");
  var noDuty = document.getElementById("wall-no-duty");
  var composeArea = document.getElementById("wall-compose-area");
  var composeTemplate = document.getElementById("wall-compose-template");
  var closedBox = document.getElementById("wall-closed");
  var closedTitle = document.getElementById("wall-closed-title");
  var closedWhen = document.getElementById("wall-closed-when");
  var draftBox = document.getElementById("wall-draft");
  var draftText = document.getElementById("wall-draft-text");
  var connection = document.getElementById("wall-connection");
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
  /* Messages with ids below `boundary` are not on the page (null: all of them are). */
  var boundary = null;
  var loadingEarlier = false;
  var composer = null;  // the message box while the Wall is open
  var draft = "";       // what was in it when the Wall closed
  var skipLink = null;
  var openMenu = null;  // {wrap, toggle, panel}

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function hiddenText(text) { return el("span", "nhsuk-u-visually-hidden", text); }

  function announce(text) {
    var line = el("p", null, text);
    announcer.appendChild(line);
    while (announcer.childNodes.length > 5) { announcer.removeChild(announcer.firstChild); }
  }

  // --- Times, in UK time, as sharon/wall/times.py writes them -----------------------------
  var DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  var LONG_DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var LONG_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
                     "September", "October", "November", "December"];
  var LONDON = new Intl.DateTimeFormat("en-GB", {
    timeZone: "Europe/London", year: "numeric", month: "numeric", day: "numeric",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23"
  });

  /* The UK date and clock time of a moment; names are spelled here, not by the browser's
   * locale data, so that they match the server's ("Sep", never "Sept"). */
  function london(date) {
    var parts = {};
    LONDON.formatToParts(date).forEach(function (part) { parts[part.type] = part.value; });
    var year = +parts.year, month = +parts.month, day = +parts.day;
    return { year: year, month: month, day: day,
             weekday: new Date(Date.UTC(year, month - 1, day)).getUTCDay(),
             clock: ("0" + parts.hour).slice(-2) + ":" + parts.minute };
  }

  function dayKey(date) { var t = london(date); return t.year + "-" + t.month + "-" + t.day; }

  /* "08:15" today, "Thu 26 Nov, 08:15" on other days ("Thu 26 Nov 2025, 08:15" in
   * another year). */
  function messageTime(iso) {
    var t = london(new Date(iso));
    var now = london(new Date());
    if (t.year === now.year && t.month === now.month && t.day === now.day) { return t.clock; }
    return DAYS[t.weekday] + " " + t.day + " " + MONTHS[t.month - 1] +
      (t.year !== now.year ? " " + t.year : "") + ", " + t.clock;
  }

  /* "Tuesday 1 December at 09:00", for when the Wall opens. */
  function longWhen(iso) {
    var t = london(new Date(iso));
    return LONG_DAYS[t.weekday] + " " + t.day + " " + LONG_MONTHS[t.month - 1] + " at " + t.clock;
  }

  /* Text with its line breaks, as the server's render_plain writes them (<br>). */
  function addLines(node, text) {
    text.split("\n").forEach(function (line, index) {
      if (index) { node.appendChild(document.createElement("br")); }
      node.appendChild(document.createTextNode(line));
    });
  }

  /* When the Wall next opens, as a person would say it: "today at 17:00", "tomorrow,
   * Tuesday 1 December, at 09:00", "on Thursday 3 December at 09:00". */
  function openingWords(iso) {
    var t = london(new Date(iso));
    var now = london(new Date());
    if (t.year === now.year && t.month === now.month && t.day === now.day) { return "today at " + t.clock; }
    var day = LONG_DAYS[t.weekday] + " " + t.day + " " + LONG_MONTHS[t.month - 1];
    var days = Math.round((Date.UTC(t.year, t.month - 1, t.day) - Date.UTC(now.year, now.month - 1, now.day)) / 86400000);
    return days === 1 ? "tomorrow, " + day + ", at " + t.clock : "on " + day + " at " + t.clock;
  }

  /* Plain text with web links made into links, built node by node. */
  function fillBody(node, text) {
    var pattern = /https?:\/\/[^\s<>"']+/g;
    var last = 0;
    var match;
    while ((match = pattern.exec(text)) !== null) {
      addLines(node, text.slice(last, match.index));
      var link = el("a", null, match[0]);
      link.href = match[0];
      link.rel = "nofollow ugc noopener noreferrer";
      node.appendChild(link);
      last = match.index + match[0].length;
    }
    addLines(node, text.slice(last));
  }

  function button(text, hidden, onClick, className) {
    var b = el("button", className || "wall-action", text);
    b.type = "button";
    if (hidden) { b.appendChild(hiddenText(" " + hidden)); }
    b.addEventListener("click", onClick);
    return b;
  }

  function showNotice(text, kind, contacts) {
    var box = el("div", "wall-notice wall-notice-" + (kind || "info"));
    box.appendChild(el("p", null, text));
    if (contacts && contacts.length) {
      var ul = el("ul", "wall-crisis-list");
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
    box.scrollIntoView({ block: "nearest" });
  }

  function emit(event, payload, after) {
    socket.timeout(10000).emit(event, payload, function (err, answer) {
      if (err) { showNotice("No answer from the server. Please try again.", "error"); return; }
      if (!answer.ok) { showNotice(answer.message, "error"); }
      if (after) { after(answer); }
    });
  }

  // --- One Actions button per message ----------------------------------------------------

  function closeMenu(returnFocus) {
    if (!openMenu) { return; }
    var menu = openMenu;
    openMenu = null;
    menu.toggle.setAttribute("aria-expanded", "false");
    menu.panel.hidden = true;
    if (returnFocus && document.body.contains(menu.toggle)) { menu.toggle.focus(); }
  }

  function menuItems(panel) {
    return Array.prototype.filter.call(panel.querySelectorAll("button"), function (b) {
      return !b.closest("li").hidden;
    });
  }

  function openMenuOf(wrap, toggle, panel) {
    if (openMenu && openMenu.toggle !== toggle) { closeMenu(false); }
    toggle.setAttribute("aria-expanded", "true");
    panel.hidden = false;
    openMenu = { wrap: wrap, toggle: toggle, panel: panel };
    var items = menuItems(panel);
    if (items.length) { items[0].focus(); }
  }

  document.addEventListener("keydown", function (event) {
    if (!openMenu) { return; }
    if (event.key === "Escape") {
      var inside = openMenu.wrap.contains(document.activeElement);
      closeMenu(inside);
      if (inside) { event.preventDefault(); }
    } else if ((event.key === "ArrowDown" || event.key === "ArrowUp") &&
               openMenu.panel.contains(document.activeElement)) {
      var items = menuItems(openMenu.panel);
      var at = items.indexOf(document.activeElement);
      var next = items[(at + (event.key === "ArrowDown" ? 1 : items.length - 1)) % items.length];
      if (next) { next.focus(); event.preventDefault(); }
    }
  });
  document.addEventListener("click", function (event) {
    if (openMenu && !openMenu.wrap.contains(event.target)) { closeMenu(false); }
  });
  document.addEventListener("focusin", function (event) {
    if (openMenu && !openMenu.wrap.contains(event.target)) { closeMenu(false); }
  });

  function isPinned(id) { return document.getElementById("pinned-" + id) !== null; }

  /* Reply for everyone while the message box is there; hide, pin and mute for the team. */
  function addControls(item, data, pinnedCopy) {
    var old = item.querySelector(".wall-actions");
    if (old) { old.remove(); }
    var wrap = el("div", "wall-actions");
    var panelId = (pinnedCopy ? "pinned-actions-" : "actions-") + data.id;
    var toggle = el("button", "wall-actions-toggle", "Actions");
    toggle.type = "button";
    toggle.setAttribute("aria-expanded", "false");
    toggle.setAttribute("aria-controls", panelId);
    toggle.appendChild(hiddenText(" for the " + (pinnedCopy ? "pinned " : "") + "message from " +
                                  data.author + ", " + messageTime(data.created_at)));
    var panel = el("ul", "wall-actions-menu");
    panel.id = panelId;
    panel.hidden = true;

    function add(kind, control) {
      var li = el("li", "wall-actions-" + kind);
      li.appendChild(control);
      panel.appendChild(li);
    }
    add("reply", button("Reply", "to " + data.author, function () {
      closeMenu(false);
      startReply(data);
    }));
    if (isModerator) {
      add("hide", button("Hide", "message from " + data.author, function () {
        closeMenu(true);
        emit("hide", { id: data.id });
      }));
      var pin = button(isPinned(data.id) || data.pinned ? "Unpin" : "Pin", "message from " + data.author, function () {
        closeMenu(true);
        emit(isPinned(data.id) ? "unpin" : "pin", { id: data.id });
      });
      pin.classList.add("wall-pin");
      pin.dataset.id = data.id;
      add("pin", pin);
      if (TEAM_LABELS.indexOf(data.label) === -1 && data.author !== me && data.author !== "former member") {
        add("mute", button("Mute", data.author, function () {
          closeMenu(false);
          openMute(data.author);
        }));
      }
    }
    toggle.addEventListener("click", function () {
      if (toggle.getAttribute("aria-expanded") === "true") { closeMenu(true); } else { openMenuOf(wrap, toggle, panel); }
    });
    wrap.appendChild(toggle);
    wrap.appendChild(panel);
    item.querySelector(".wall-meta").appendChild(wrap);
    refreshMenu(wrap);
  }

  /* Reply needs the message box; a menu with nothing in it is not shown. */
  function refreshMenu(wrap) {
    var reply = wrap.querySelector(".wall-actions-reply");
    if (reply) { reply.hidden = composer === null; }
    var any = wrap.querySelector(".wall-actions-menu > li:not([hidden])") !== null;
    wrap.hidden = !any;
    if (!any && openMenu && openMenu.wrap === wrap) { closeMenu(false); }
  }

  function refreshMenus() {
    root.querySelectorAll(".wall-actions").forEach(refreshMenu);
  }

  function startReply(data) {
    if (!composer) { return; }
    replyTo = data.id;
    composer.replyingText.textContent = "Replying to " + data.author + ".";
    composer.replying.hidden = false;
    composer.body.focus();
  }

  // --- Messages --------------------------------------------------------------------------

  /* What the controls need of a message rendered on the server. */
  function dataFromItem(item) {
    var time = item.querySelector("time");
    var text = item.querySelector(".wall-body");
    return { id: parseInt(item.dataset.id, 10), author: item.dataset.author || "former member",
             label: item.dataset.label, pinned: item.classList.contains("is-pinned"),
             created_at: time ? time.dateTime : new Date().toISOString(),
             body: text ? text.textContent : "", reply_to: null };
  }

  function renderMessage(data, pinnedCopy) {
    var item = el("li", "wall-message");
    item.id = (pinnedCopy ? "pinned-" : "message-") + data.id;
    item.dataset.id = data.id;
    item.dataset.status = "visible";
    item.dataset.author = data.author;
    item.dataset.label = data.label || "";
    if (data.author === me) { item.classList.add("is-mine"); }
    var meta = el("div", "wall-meta");
    var byline = el("p", "wall-byline");
    byline.appendChild(el("span", "wall-author", data.author));
    if (data.label) {
      byline.appendChild(document.createTextNode(" "));
      byline.appendChild(el("strong", "nhsuk-tag nhsuk-tag--white wall-label", data.label));
    }
    var time = el("time", "wall-time", messageTime(data.created_at));
    time.dateTime = data.created_at;
    byline.appendChild(document.createTextNode(" "));
    byline.appendChild(time);
    meta.appendChild(byline);
    item.appendChild(meta);
    if (data.reply_to && data.reply_to_author) {
      var reply = el("p", "wall-reply-to", "In reply to ");
      var link = el("a", null, data.reply_to_author);
      link.href = (document.getElementById("message-" + data.reply_to) ? "" :
        root.dataset.earlierUrl + "?before=" + (data.reply_to + 1)) + "#message-" + data.reply_to;
      reply.appendChild(link);
      item.appendChild(reply);
    }
    var text = el("div", "wall-body");
    fillBody(text, data.body);
    item.appendChild(text);
    addControls(item, data, pinnedCopy);
    if (!pinnedCopy) { markPinned(item, !!data.pinned); }
    return item;
  }

  function markPinned(item, pinned) {
    item.classList.toggle("is-pinned", pinned);
    var tag = item.querySelector(".wall-pinned-tag");
    if (pinned && !tag) {
      var byline = item.querySelector(".wall-byline");
      byline.appendChild(document.createTextNode(" "));
      byline.appendChild(el("strong", "nhsuk-tag nhsuk-tag--yellow wall-pinned-tag", "Pinned"));
    } else if (!pinned && tag) { tag.remove(); }
  }

  /* Before taking a message off the page, move focus somewhere sensible if it was there. */
  function rescueFocus(node) {
    if (!node.contains(document.activeElement)) { return; }
    if (openMenu && node.contains(openMenu.toggle)) { openMenu = null; }
    var target = node.nextElementSibling || node.previousElementSibling || messagesTitle;
    if (!target.hasAttribute("tabindex")) { target.tabIndex = -1; }
    target.focus();
  }

  /* The pinned area at the top: a copy of each pinned message, newest first. */
  function setPinned(id, pinned, data) {
    var item = document.getElementById("message-" + id);
    if (item) { markPinned(item, pinned); }
    var card = document.getElementById("pinned-" + id);
    if (pinned && !card) {
      var source = data && data.body !== undefined ? data : item ? dataFromItem(item) : null;
      if (source) {
        card = renderMessage(Object.assign({}, source, { pinned: true }), true);
        var before = null;
        pinnedList.querySelectorAll(".wall-message").forEach(function (other) {
          if (!before && parseInt(other.dataset.id, 10) < id) { before = other; }
        });
        pinnedList.insertBefore(card, before);
      }
    } else if (!pinned && card) {
      rescueFocus(card);
      card.remove();
    }
    root.querySelectorAll('.wall-pin[data-id="' + id + '"]').forEach(function (b) {
      b.firstChild.textContent = pinned ? "Unpin" : "Pin";
    });
    pinnedArea.hidden = pinnedList.querySelector(".wall-message") === null;
  }

  /* Is the reader at the live end of the conversation (its last message in view)? */
  function followingLive() {
    var last = list.lastElementChild;
    return !last || last.getBoundingClientRect().top < window.innerHeight;
  }

  function insertMessage(data, quiet) {
    var following = followingLive();
    var existing = document.getElementById("message-" + data.id);
    var item = null;
    if (existing) {
      var hadFocus = existing.contains(document.activeElement);
      item = renderMessage(data);
      existing.replaceWith(item);
      if (hadFocus) { item.querySelector(".wall-actions-toggle").focus(); }
    } else if (boundary !== null && data.id < boundary && quiet) {
      // Further back than the page shows: "Show earlier messages" brings it.
    } else {
      item = renderMessage(data);
      var after = null;
      var items = list.querySelectorAll(".wall-message");
      for (var i = items.length - 1; i >= 0; i--) {
        if (parseInt(items[i].dataset.id, 10) < data.id) { after = items[i]; break; }
      }
      // Published now though written earlier (approved), and further back than the page
      // shows: at the end, where it reaches people.
      if (after) { after.after(item); } else if (boundary !== null) { list.appendChild(item); } else { list.prepend(item); }
      if (!quiet && data.author !== me) {
        announce("New message from " + data.author + ": " + data.body.slice(0, 200));
      }
      if (following && !quiet) { item.scrollIntoView({ block: "nearest" }); }
      if (following) { trim(); }
    }
    setPinned(data.id, !!data.pinned, data);
    empty.hidden = list.querySelector(".wall-message") !== null;
  }

  /* Keep the page short through a long session: while the reader follows the live end,
   * only the latest page of messages stays ("Show earlier messages" brings the rest
   * back). Never the one that holds focus or an open menu, nor anything above it. */
  function trim() {
    var items = list.querySelectorAll(".wall-message:not(.is-waiting)");
    if (items.length <= pageSize) { return; }
    var drop = items.length - pageSize;
    for (var i = 0; i < drop; i++) {
      if (items[i].contains(document.activeElement) ||
          (openMenu && items[i].contains(openMenu.toggle))) { break; }
      items[i].remove();
    }
    var first = list.querySelector(".wall-message:not(.is-waiting)");
    if (first) { setBoundary(parseInt(first.dataset.id, 10)); }
  }

  /* The first message on the page, or null when there is nothing earlier. */
  function setBoundary(id) {
    boundary = id;
    earlierBox.hidden = id === null;
    if (id !== null && earlierLink) {
      earlierLink.href = root.dataset.earlierUrl + "?before=" + id;
    }
  }

  /* The author's own message, held for the team: it stays on their screen, marked as
   * waiting, until a moderator approves it (it is replaced by the published message) or
   * rejects it (it says so). */
  function showWaiting(data) {
    if (document.getElementById("message-" + data.id)) { return; }
    var item = el("li", "wall-message is-waiting is-mine");
    item.id = "message-" + data.id;
    item.dataset.id = data.id;
    item.dataset.status = "held";
    var meta = el("div", "wall-meta");
    var byline = el("p", "wall-byline");
    byline.appendChild(el("span", "wall-author", data.author || me));
    var time = el("time", "wall-time", messageTime(data.created_at));
    time.dateTime = data.created_at;
    byline.appendChild(document.createTextNode(" "));
    byline.appendChild(time);
    meta.appendChild(byline);
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
    var card = document.getElementById("pinned-" + id);
    [item, card].forEach(function (node) {
      if (node) { rescueFocus(node); node.remove(); }
    });
    pinnedArea.hidden = pinnedList.querySelector(".wall-message") === null;
    empty.hidden = list.querySelector(".wall-message") !== null;
    return item || card;
  }

  // --- Earlier messages ------------------------------------------------------------------

  /* Load the page of messages before the first one shown and put them above it; focus
   * goes to the first of them (right under the button), and the count is announced. */
  function loadEarlier() {
    if (loadingEarlier || boundary === null) { return; }
    loadingEarlier = true;
    earlierButton.setAttribute("aria-disabled", "true");
    earlierButton.textContent = "Loading earlier messages…";
    fetch(root.dataset.earlierData + "?before=" + boundary,
          { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (answer) {
        var anchor = list.firstElementChild;
        var firstNew = null;
        answer.messages.forEach(function (data) {
          if (document.getElementById("message-" + data.id)) { return; }
          if (typeof data.seq === "number" && latest[data.id] === undefined) { latest[data.id] = data.seq; }
          var item = renderMessage(data);
          list.insertBefore(item, anchor);
          if (!firstNew) { firstNew = item; }
        });
        var shown = answer.messages.length;
        setBoundary(answer.earlier && shown ? answer.messages[0].id : null);
        empty.hidden = list.querySelector(".wall-message") !== null;
        if (firstNew) {
          firstNew.tabIndex = -1;
          firstNew.focus();
          announce(shown + " earlier message" + (shown === 1 ? "" : "s") + " shown, from " +
                   messageTime(answer.messages[0].created_at) + "." +
                   (boundary === null ? " There are no earlier messages." : ""));
        } else {
          announce("There are no earlier messages.");
          if (messagesTitle) { messagesTitle.tabIndex = -1; messagesTitle.focus(); }
        }
      })
      .catch(function () {
        showNotice("The earlier messages could not be loaded just now. Please try again.", "error");
      })
      .then(function () {
        loadingEarlier = false;
        earlierButton.removeAttribute("aria-disabled");
        earlierButton.textContent = "Show earlier messages";
      });
  }

  /* Without JavaScript "Show earlier messages" is a link to a page of them; here it is a
   * button that brings them into this page. */
  var earlierButton = el("button", "nhsuk-button nhsuk-button--secondary nhsuk-button--small wall-earlier-button",
                         "Show earlier messages");
  earlierButton.type = "button";
  earlierButton.addEventListener("click", loadEarlier);
  if (earlierLink) {
    earlierLink.hidden = true;
    earlierBox.appendChild(earlierButton);
  }

  // --- Open or closed: the message box, or when it opens and what to do meanwhile ---------

  function updateCount() {
    if (!composer) { return; }
    var left = maxLength - composer.body.value.length;
    composer.count.textContent = left < 200 ? left + " characters left." : "";
  }

  /* A second skip link, right after "Skip to main content": the message box is a couple
   * of key presses from the top of the page, past the header's links. */
  function addSkipLink() {
    if (skipLink) { return; }
    skipLink = el("a", "nhsuk-skip-link wall-skip-link", "Skip to the message box");
    skipLink.href = "#wall-body";
    skipLink.addEventListener("click", function (event) {
      event.preventDefault();
      if (composer) { composer.body.focus(); }
    });
    var first = document.querySelector("body > a[href='#main']");
    if (first) { first.after(skipLink); } else { document.body.prepend(skipLink); }
  }

  function mountComposer() {
    if (composer) { return; }
    var form = composeTemplate.content.firstElementChild.cloneNode(true);
    composeArea.insertBefore(form, composeArea.firstChild);
    composer = {
      form: form, body: form.querySelector("#wall-body"), post: form.querySelector("#wall-post"),
      count: form.querySelector("#wall-body-count"), replying: form.querySelector("#wall-replying"),
      replyingText: form.querySelector("#wall-replying-text")
    };
    composer.body.value = draft;
    composer.body.addEventListener("input", updateCount);
    composer.body.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { form.requestSubmit(); }
    });
    form.querySelector("#wall-reply-cancel").addEventListener("click", function () {
      replyTo = null;
      composer.replying.hidden = true;
      composer.body.focus();
    });
    form.addEventListener("submit", send);
    closedBox.hidden = true;
    draftBox.hidden = true;
    updateCount();
    addSkipLink();
    refreshMenus();
    composeArea.classList.add("has-composer");
    watchComposer();
  }

  /* The Wall closed: the box goes (what was typed is kept, and shown), and the page says
   * when it opens again and what to do meanwhile. */
  function unmountComposer() {
    closedBox.hidden = false;
    if (!composer) { return; }
    var hadFocus = composer.form.contains(document.activeElement);
    draft = composer.body.value;
    replyTo = null;
    composer.form.remove();
    composer = null;
    if (skipLink) { skipLink.remove(); skipLink = null; }
    draftText.textContent = draft;
    draftBox.hidden = !draft.trim();
    composeArea.classList.remove("has-composer", "is-sticky");
    document.documentElement.style.removeProperty("--wall-compose-space");
    refreshMenus();
    if (hadFocus) { closedTitle.focus(); }
  }

  /* The box stays at the bottom of the window while the conversation scrolls, unless it
   * would take too much of a small window (zoomed in, or a phone on its side); focus
   * never goes behind it, as the page keeps that much room at the bottom when scrolling
   * to whatever takes focus. */
  var composerWatch = null;
  function placeComposer() {
    if (!composer) { return; }
    var height = composeArea.offsetHeight;
    var sticky = height < window.innerHeight * 0.4;
    composeArea.classList.toggle("is-sticky", sticky);
    document.documentElement.style.setProperty("--wall-compose-space", sticky ? height + 16 + "px" : "0px");
  }
  function watchComposer() {
    placeComposer();
    if (composerWatch === null && typeof ResizeObserver === "function") {
      composerWatch = new ResizeObserver(placeComposer);
      composerWatch.observe(composeArea);
    }
  }
  window.addEventListener("resize", placeComposer);

  function setStatus(status) {
    var was = state.open;
    state.open = status.open;
    state.nextChange = status.next_change;
    statusPanel.classList.toggle("is-open", status.open);
    statusPanel.classList.toggle("is-closed", !status.open);
    statusText.textContent = "";
    var strong = el("strong", null, status.open ? "The Wall is open" : "The Wall is closed.");
    statusText.appendChild(strong);
    if (status.open) {
      statusText.appendChild(document.createTextNode(
        status.next_change ? " until " + london(new Date(status.next_change)).clock + "." : "."));
    } else {
      statusText.appendChild(document.createTextNode(status.next_change
        ? " It next opens " + longWhen(status.next_change) + "."
        : " No opening time is planned yet."));
    }
    closedWhen.textContent = status.next_change && !status.open
      ? "It opens again " + openingWords(status.next_change) + "."
      : "No opening time is planned yet.";
    dutyList.textContent = "";
    status.on_duty.forEach(function (person) {
      var li = el("li", null, person.username + " ");
      li.appendChild(el("strong", "nhsuk-tag nhsuk-tag--white wall-label", person.kind));
      dutyList.appendChild(li);
    });
    noDuty.hidden = status.on_duty.length > 0;
    noDuty.textContent = status.open
      ? "No one from the moderating team is on duty just now: new messages wait until one of them approves them."
      : "No one is on duty while the Wall is closed.";
    if (status.open) { mountComposer(); } else { unmountComposer(); }
    if (was !== status.open) {
      announce(status.open ? "The Wall is now open. The message box is at the bottom of the page."
                           : "The Wall is now closed. Thank you for today.");
    }
    if (dutyToggle) {
      var onDuty = status.on_duty.some(function (p) { return p.username === me; });
      dutyToggle.setAttribute("aria-pressed", onDuty ? "true" : "false");
      dutyToggle.textContent = onDuty ? "Go off duty" : "Go on duty";
      dutyToggle.disabled = !status.open;
    }
    tick();
  }

  var shownDay = dayKey(new Date());
  function tick() {
    // After midnight, yesterday's "08:15" becomes "Thu 26 Nov, 08:15".
    var today = dayKey(new Date());
    if (today !== shownDay) {
      shownDay = today;
      root.querySelectorAll("time.wall-time").forEach(function (time) {
        time.textContent = messageTime(time.dateTime);
      });
    }
    if (!state.nextChange) { countdown.hidden = true; return; }
    var minutes = Math.max(0, Math.floor((new Date(state.nextChange) - new Date()) / 60000));
    if (minutes > 180) { countdown.hidden = true; return; }
    var span = minutes >= 60 ? Math.floor(minutes / 60) + " h " + (minutes % 60) + " min"
      : minutes >= 1 ? minutes + " min" : "under a minute";
    countdown.textContent = (state.open ? "Closes in " : "Opens in ") + span + ".";
    countdown.hidden = false;
  }

  // --- The team's panel ------------------------------------------------------------------

  function heldItem(data) {
    var item = el("li", "wall-held-item");
    item.id = "held-" + data.id;
    item.appendChild(el("p", "wall-byline", data.author + (data.reason === "risk" ? " (risk words)" : data.reason === "no_one_on_duty" ? " (posted while no one was on duty)" : "")));
    var text = el("div", "wall-body");
    fillBody(text, data.body);
    item.appendChild(text);
    var tools = el("p", "wall-tools");
    tools.appendChild(button("Approve", "message from " + data.author, function () { emit("approve", { id: data.id }); }, "nhsuk-button nhsuk-button--small"));
    tools.appendChild(button("Reject", "message from " + data.author, function () { emit("reject", { id: data.id }); }, "nhsuk-button nhsuk-button--secondary nhsuk-button--small"));
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
      notices.querySelectorAll(".wall-notice-degraded").forEach(function (box) { box.remove(); });
    });
  }

  function synced(seq) {
    watermark = Math.max(watermark, seq);
    highest = Math.max(highest, watermark);
    Object.keys(ahead).forEach(function (key) { if (+key <= watermark) { delete ahead[key]; } });
    advance();
  }

  // --- Enhance the page rendered on the server ------------------------------------------
  [list, pinnedList].forEach(function (container) {
    container.querySelectorAll(".wall-message").forEach(function (item) {
      var id = parseInt(item.dataset.id, 10);
      if (item.dataset.status === "held") { return; }  // the author's own, waiting
      var pinnedCopy = container === pinnedList;
      if (!pinnedCopy && item.dataset.seq) { latest[id] = parseInt(item.dataset.seq, 10); }
      var data = dataFromItem(item);
      if (pinnedCopy) { data.pinned = true; }
      addControls(item, data, pinnedCopy);
    });
  });
  var firstShown = list.querySelector(".wall-message:not(.is-waiting)");
  if (!earlierBox.hidden && firstShown) { setBoundary(parseInt(firstShown.dataset.id, 10)); }
  var nojs = document.getElementById("wall-nojs-note");
  if (nojs) { nojs.remove(); }
  if (team) { team.hidden = false; }
  if (state.open) { mountComposer(); } else { unmountComposer(); }
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
    if (data.hidden === true) {
      var gone = removeMessage(data.id);
      if (isModerator && gone && hiddenList && !document.getElementById("hidden-" + data.id)) {
        var h = el("li");
        h.id = "hidden-" + data.id;
        h.appendChild(el("span", null, gone.dataset.author + ": " + gone.querySelector(".wall-body").textContent.slice(0, 120) + " "));
        h.appendChild(button("Unhide", "message from " + gone.dataset.author, function () { emit("unhide", { id: data.id }); }, "nhsuk-button nhsuk-button--secondary nhsuk-button--small"));
        hiddenList.appendChild(h);
      }
    } else if (data.hidden === false) {
      var back = document.getElementById("hidden-" + data.id);
      if (back) { back.remove(); }
      if (data.body !== undefined) { insertMessage(data, true); }
    }
    if (data.pinned !== undefined && data.hidden === undefined) { setPinned(data.id, data.pinned, data); }
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
    box.appendChild(el("h3", "nhsuk-heading-xs", "Urgent: possible risk from " + data.author));
    box.appendChild(el("p", "wall-alert-excerpt", data.excerpt));
    box.appendChild(el("p", "nhsuk-hint", data.refused
      ? "The message was refused and not posted; its author was shown crisis contacts. It is in the moderation queue."
      : data.held ? "The message is held: approve or reject it below." : "The message is on the Wall."));
    box.appendChild(button("Acknowledge", "the alert about " + data.author, function () {
      if (data.refused) { box.remove(); return; }
      emit("acknowledge", { id: data.id }, function (answer) { if (answer.ok) { box.remove(); } });
    }, "nhsuk-button nhsuk-button--small"));
    alerts.appendChild(box);
  });
  socket.on("acknowledged", function (data) {
    var box = document.getElementById("alert-" + data.id);
    if (box) { box.remove(); announce("The alert was acknowledged by " + data.by + "."); }
  });

  // --- Sending --------------------------------------------------------------------------
  function send(event) {
    event.preventDefault();
    if (!composer) { return; }
    var box = composer;
    var text = box.body.value.trim();
    if (!text) { showNotice("Please write a message first.", "error"); box.body.focus(); return; }
    box.post.disabled = true;
    emit("send", { body: text, reply_to: replyTo }, function (answer) {
      box.post.disabled = false;
      if (answer.ok) {
        if (answer.status === "held") {
          showWaiting({ id: answer.id, author: me, body: text, created_at: new Date().toISOString() });
        }
        box.body.value = "";
        replyTo = null;
        box.replying.hidden = true;
        updateCount();
        announce(answer.status === "held" ? "Your message is waiting for approval." : "Your message is posted.");
      }
      if (composer === box) { box.body.focus(); }
    });
  }

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
