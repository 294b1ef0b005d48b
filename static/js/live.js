/* Live news on every page (namespace /live).
 *
 * For the moderating team: risk written anywhere (forums, the Wall, library discussions,
 * urgent reports) arrives as an "alert"; the count of open urgent items beside
 * "Moderation" follows "urgent". For one person: a "notice" (such as a reply from the
 * team to their message) appears in the polite region under the header; without
 * JavaScript the same news is in their notifications. Text reaches the page through
 * textContent only.
 */
(function () {
  "use strict";

  var region = document.getElementById("live-alerts");
  var notices = document.getElementById("live-notices");
  if ((!region && !notices) || typeof io !== "function") { return; }
  var badge = document.getElementById("nav-urgent");
  var onWall = document.getElementById("wall") !== null;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function setCount(count) {
    if (!badge) { return; }
    badge.firstChild.textContent = String(count);
    badge.hidden = !count;
  }

  function showNotice(data) {
    if (!notices || !data || !data.id) { return; }
    var key = "live-notice-" + data.id;
    if (document.getElementById(key)) { return; }
    var box = el("div", "live-notice");
    box.id = key;
    var line = el("p", "live-notice-text", data.text);
    box.appendChild(line);
    var links = el("p", "live-notice-links");
    if (onThisSite(data.url)) {
      var open = el("a", null, data.link || "Open it");
      open.href = data.url;
      links.appendChild(open);
      links.appendChild(document.createTextNode(" · "));
    }
    var dismiss = el("button", "link-button", "Dismiss");
    dismiss.type = "button";
    dismiss.appendChild(el("span", "visually-hidden", " this notice"));
    dismiss.addEventListener("click", function () { box.remove(); });
    links.appendChild(dismiss);
    box.appendChild(links);
    notices.appendChild(box);
    while (notices.childNodes.length > 3) { notices.removeChild(notices.firstChild); }
  }

  // Only a link on this site: the server sends a path, never someone else's address
  // ("//host" and "/\\host" would leave it).
  function onThisSite(url) {
    return typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/" &&
      url.charAt(1) !== "\\";
  }

  function showAlert(data) {
    if (!region) { return; }
    var why = data.why || "urgent";
    var key = "live-alert-" + data.id + "-" + why;
    if (document.getElementById(key)) { return; }
    // On the Wall's own page, the Wall shows its new alerts itself (not escalations or
    // flags overdue).
    if (onWall && data.area === "the Wall" && why === "urgent") { return; }
    var box = el("div", "live-alert");
    box.id = key;
    box.setAttribute("role", "alert");
    // The server words the title: urgent risk, an escalation, or a flag overdue.
    box.appendChild(el("h2", "live-alert-title", data.title ||
      ("Urgent: possible risk in " + data.area + (data.author ? " from " + data.author : ""))));
    if (data.excerpt) { box.appendChild(el("p", "live-alert-excerpt", data.excerpt)); }
    var links = el("p", "live-alert-links");
    if (onThisSite(data.url)) {
      var open = el("a", null, "Open it");
      open.href = data.url;
      links.appendChild(open);
      links.appendChild(document.createTextNode(" · "));
    }
    var queue = el("a", null, "Moderation queue");
    queue.href = data.queue_url;
    links.appendChild(queue);
    links.appendChild(document.createTextNode(" · "));
    var dismiss = el("button", "link-button", "Dismiss");
    dismiss.type = "button";
    dismiss.appendChild(el("span", "visually-hidden", " this alert"));
    dismiss.addEventListener("click", function () { box.remove(); });
    links.appendChild(dismiss);
    box.appendChild(links);
    region.appendChild(box);
    while (region.childNodes.length > 3) { region.removeChild(region.firstChild); }
  }

  var socket = io("/live", { reconnectionDelayMax: 10000 });
  socket.on("alert", showAlert);
  socket.on("notice", showNotice);
  socket.on("urgent", function (data) { setCount(data.count); });
  socket.on("connect_error", function (err) {
    if (err && err.data && err.data.error === "unavailable") {
      setTimeout(function () { socket.connect(); }, 3000 + Math.random() * 3000);
    }
  });
}());
