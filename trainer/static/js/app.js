/* Progressive enhancement only: every page works without this file. */
(function () {
  "use strict";

  // The access sheet's QR code carries the code in the URL fragment (#code=...), which
  // browsers never send to the server, so it stays out of every access log: fill it in.
  var codeField = document.querySelector("input[name=code]");
  var fragment = /(?:^#|&)code=([A-Za-z0-9-]{16,40})/.exec(window.location.hash);
  if (codeField && fragment) {
    codeField.value = fragment[1];
    var filled = codeField.form && codeField.form.querySelector("[data-code-filled]");
    if (filled) { filled.hidden = false; }
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", window.location.pathname + window.location.search);
    }
  }

  // Print buttons (no inline handlers: the Content-Security-Policy forbids them).
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // A wide table scrolls inside its frame; a frame that scrolls can take the keyboard
  // focus (so it scrolls with the arrow keys) and is named by the table's caption.
  var wraps = document.querySelectorAll(".table-wrap");
  var markScrollable = function () {
    wraps.forEach(function (wrap, index) {
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      if (scrolls && !wrap.hasAttribute("tabindex")) {
        var caption = wrap.querySelector("caption");
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("data-scroll-marked", "");
        if (caption && !wrap.hasAttribute("aria-labelledby")) {
          if (!caption.id) { caption.id = "table-caption-" + index; }
          wrap.setAttribute("aria-labelledby", caption.id);
        }
      } else if (!scrolls && wrap.hasAttribute("data-scroll-marked")) {
        ["tabindex", "role", "aria-labelledby", "data-scroll-marked"].forEach(function (name) {
          wrap.removeAttribute(name);
        });
      }
    });
  };
  if (wraps.length) {
    markScrollable();
    window.addEventListener("resize", markScrollable);
  }

  // Lesson pacing: the server decides; this only shows the time left and enables Next.
  var pace = document.querySelector("[data-pace-remaining]");
  if (pace) {
    var remaining = parseInt(pace.getAttribute("data-pace-remaining"), 10) || 0;
    var display = pace.querySelector("[data-pace-display]");
    var announcer = pace.querySelector("[data-pace-announce]");
    var next = document.querySelector("[data-pace-next]");
    var doneText = pace.getAttribute("data-done-text") || "";
    var minuteText = pace.getAttribute("data-minutes-text") || "";
    var oneMinuteText = pace.getAttribute("data-minute-text") || "";
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
        announcer.textContent = minutes === 1 && oneMinuteText
          ? oneMinuteText
          : minuteText.replace("%d", String(minutes));
        lastAnnounced = minutes;
      }
      remaining -= 1;
      window.setTimeout(tick, 1000);
    };
    tick();
  }

  // Tests: before sending the answers with questions left unanswered, list them (the
  // server asks the same when this script does not run). "Submit anyway" sends them.
  var testForm = document.querySelector("form[data-check-unanswered]");
  var warning = document.querySelector("[data-unanswered]");
  if (testForm && warning) {
    testForm.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (!button || button.value !== "submit") { return; }
      var missing = [];
      testForm.querySelectorAll("fieldset[data-question]").forEach(function (set) {
        if (!set.querySelector("input:checked")) { missing.push(set); }
      });
      if (!missing.length) { return; }
      event.preventDefault();
      var list = warning.querySelector("[data-unanswered-list]");
      var heading = warning.querySelector("[data-unanswered-heading]");
      list.textContent = "";
      missing.forEach(function (set) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.className = "usa-link";
        link.href = "#" + set.id;
        link.textContent = set.getAttribute("data-label");
        item.appendChild(link);
        list.appendChild(item);
      });
      heading.textContent = missing.length === 1
        ? warning.getAttribute("data-heading-one")
        : warning.getAttribute("data-heading-many").replace("%d", String(missing.length));
      warning.hidden = false;
      warning.focus();
    });
  }

  // Autosave: each answer is sent as it is given, one request at a time (the latest
  // choice of each question wins); the full form still posts without JS.
  var form = document.querySelector("form[data-autosave]");
  if (form && window.fetch) {
    var url = form.getAttribute("data-autosave");
    var note = document.querySelector("[data-save-note]");
    var waiting = [];
    var busy = false;
    var report = function (ok) {
      if (note) { note.textContent = note.getAttribute(ok ? "data-saved" : "data-failed"); }
    };
    var sendNext = function () {
      if (busy || !waiting.length) { return; }
      var name = waiting.shift();
      var body = new FormData();
      body.append("csrf_token", form.querySelector("input[name=csrf_token]").value);
      body.append("question", name.slice(2));
      form.querySelectorAll("input[name='" + name + "']").forEach(function (el) {
        if (el.checked) { body.append("answer", el.value); }
      });
      busy = true;
      fetch(url, { method: "POST", body: body, credentials: "same-origin" })
        .then(function (r) { report(r.ok); }, function () { report(false); })
        .then(function () { busy = false; sendNext(); });
    };
    form.addEventListener("change", function (event) {
      var input = event.target;
      if (!input.name || input.name.indexOf("q:") !== 0) { return; }
      if (waiting.indexOf(input.name) === -1) { waiting.push(input.name); }
      sendNext();
    });
  }
})();
