/* Live alerts for the moderating team, on every page (namespace /live).
 *
 * Risk written anywhere (forums, the Wall, library discussions, urgent reports) arrives
 * here as an "alert"; the count of open urgent items beside "Moderation" follows
 * "urgent". Text reaches the page through textContent only.
 */
(function () {
  "use strict";

  var region = document.getElementById("live-alerts");
  if (!region || typeof io !== "function") { return; }
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

  function showAlert(data) {
    var key = "live-alert-" + data.id;
    if (document.getElementById(key)) { return; }
    // On the Wall's own page, the Wall shows its alerts itself.
    if (onWall && data.area === "the Wall") { return; }
    var box = el("div", "live-alert");
    box.id = key;
    box.setAttribute("role", "alert");
    box.appendChild(el("h2", "live-alert-title",
      "Urgent: possible risk in " + data.area + (data.author ? " from " + data.author : "")));
    if (data.excerpt) { box.appendChild(el("p", "live-alert-excerpt", data.excerpt)); }
    var links = el("p", "live-alert-links");
    if (data.url) {
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
  socket.on("urgent", function (data) { setCount(data.count); });
  socket.on("connect_error", function (err) {
    if (err && err.data && err.data.error === "unavailable") {
      setTimeout(function () { socket.connect(); }, 3000 + Math.random() * 3000);
    }
  });
}());
