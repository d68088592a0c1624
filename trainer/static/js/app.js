/* Progressive enhancement only: every page works without this file. */
(function () {
  "use strict";

  // Print buttons (no inline handlers: the Content-Security-Policy forbids them).
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // Lesson pacing: the server decides; this only shows the time left and enables Next.
  var pace = document.querySelector("[data-pace-remaining]");
  if (pace) {
    var remaining = parseInt(pace.getAttribute("data-pace-remaining"), 10) || 0;
    var display = pace.querySelector("[data-pace-display]");
    var announcer = pace.querySelector("[data-pace-announce]");
    var next = document.querySelector("[data-pace-next]");
    var doneText = pace.getAttribute("data-done-text") || "";
    var minuteText = pace.getAttribute("data-minutes-text") || "";
    var lastAnnounced = null;
    var format = function (s) {
      var m = Math.floor(s / 60), r = s % 60;
      return m + ":" + (r < 10 ? "0" : "") + r;
    };
    var tick = function () {
      if (display) { display.textContent = format(Math.max(remaining, 0)); }
      if (remaining <= 0) {
        if (next) { next.disabled = false; next.removeAttribute("aria-disabled"); }
        if (announcer && lastAnnounced !== 0) { announcer.textContent = doneText; lastAnnounced = 0; }
        return;
      }
      // Announce sparingly: once a minute, not every second.
      var minutes = Math.ceil(remaining / 60);
      if (announcer && remaining % 60 === 0 && minutes !== lastAnnounced) {
        announcer.textContent = minuteText.replace("%d", String(minutes));
        lastAnnounced = minutes;
      }
      remaining -= 1;
      window.setTimeout(tick, 1000);
    };
    tick();
  }

  // Autosave: each answer is sent as it is given; the full form still posts without JS.
  var form = document.querySelector("form[data-autosave]");
  if (form && window.fetch) {
    var url = form.getAttribute("data-autosave");
    var note = document.querySelector("[data-save-note]");
    form.addEventListener("change", function (event) {
      var input = event.target;
      if (!input.name || input.name.indexOf("q:") !== 0) { return; }
      var body = new FormData();
      body.append("csrf_token", form.querySelector("input[name=csrf_token]").value);
      body.append("question", input.name.slice(2));
      form.querySelectorAll("input[name='" + input.name + "']").forEach(function (el) {
        if (el.checked) { body.append("answer", el.value); }
      });
      fetch(url, { method: "POST", body: body, credentials: "same-origin" })
        .then(function (r) {
          if (note) { note.textContent = r.ok ? note.getAttribute("data-saved") : note.getAttribute("data-failed"); }
        })
        .catch(function () { if (note) { note.textContent = note.getAttribute("data-failed"); } });
    });
  }
})();
