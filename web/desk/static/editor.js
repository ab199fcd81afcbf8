// The story and page editors' helpers, for browsers with JavaScript; the
// forms work without them. Served from the desk's own static files, as the
// Content-Security-Policy requires.
//
// Autosave: while the text changes, a copy of the form goes to
// /desk/autosave every few seconds, and once more when the page is left
// (closed, reloaded, or the browser put in the background), so that a
// crash or a lost connection loses at most a few seconds. The copy never
// changes what readers see; the editor offers it back next time.
//
// Live preview: a moment after typing stops, the form goes to the same
// preview the Preview button opens, and the answer, the public page's own
// rendering, shows beside the text.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form) return;
  var key = form.getAttribute("data-autosave");
  var status = form.querySelector(".autosave-status");
  var every = 3000;

  function data() {
    var fd = new FormData(form);
    fd.set("key", key);
    return fd;
  }
  function fingerprint(fd) {
    var parts = [];
    fd.forEach(function (v, k) { if (k !== "csrf_token") parts.push(k + "=" + v); });
    return parts.join("&");
  }
  var last = fingerprint(data()); // what is already saved needs no copy
  var submitting = false;

  function save(leaving) {
    if (submitting) return;
    var fd = data();
    var print = fingerprint(fd);
    if (print === last) return;
    if (leaving && navigator.sendBeacon) {
      if (navigator.sendBeacon("/desk/autosave", fd)) last = print;
      return;
    }
    fetch("/desk/autosave", { method: "POST", body: fd, credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      last = print;
      if (status) status.textContent = "A copy was kept at " + new Date().toLocaleTimeString() + ".";
    }).catch(function () {
      if (status) status.textContent = "No copy could be kept just now; keep the page open, it will try again.";
    });
  }
  setInterval(function () { save(false); }, every);
  window.addEventListener("pagehide", function () { save(true); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") save(true);
  });
  form.addEventListener("submit", function (e) {
    // The Preview button saves nothing; only the form's own submit does.
    var by = e.submitter;
    if (!by || !by.hasAttribute("formaction")) submitting = true;
  });

  var frame = document.querySelector("iframe.live-preview");
  var previewURL = form.getAttribute("data-preview");
  if (!frame || !previewURL) return;
  frame.hidden = false;
  form.closest(".editor").classList.add("previewing");
  // With the original beside the text, the preview can take its place.
  var original = document.querySelector(".side-by-side > .original");
  if (original) {
    var swap = document.createElement("button");
    swap.type = "button";
    swap.className = "swap-preview";
    var besideText = "Show the live preview beside the text";
    swap.textContent = besideText;
    var home = frame.parentNode, next = frame.nextSibling;
    swap.addEventListener("click", function () {
      var beside = !original.hidden;
      original.hidden = beside;
      if (beside) {
        original.parentNode.insertBefore(frame, original);
      } else {
        home.insertBefore(frame, next);
      }
      frame.classList.toggle("beside", beside);
      swap.textContent = beside ? "Show the original beside the text" : besideText;
    });
    original.parentNode.parentNode.insertBefore(swap, original.parentNode);
  }
  var pending = null, shown = "";
  function preview() {
    var fd = new FormData(form);
    var print = fingerprint(fd);
    if (print === shown) return;
    fetch(previewURL, { method: "POST", body: fd, credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.text();
    }).then(function (html) {
      shown = print;
      frame.srcdoc = html;
    }).catch(function () {});
  }
  form.addEventListener("input", function () {
    clearTimeout(pending);
    pending = setTimeout(preview, 600);
  });
  preview();
})();

// Images in the text: the upload form beside the editor sends the image
// and puts the Markdown line the desk answers into the text, where the
// cursor was. Without the script the form posts, and the page says the line.
(function () {
  "use strict";
  var up = document.querySelector("form.text-image");
  var body = document.querySelector("form[data-autosave] textarea#body");
  if (!up || !body) return;
  var status = up.querySelector(".text-image-status");
  var at = null;
  body.addEventListener("blur", function () { at = [body.selectionStart, body.selectionEnd]; });
  up.addEventListener("submit", function (e) {
    e.preventDefault();
    if (status) status.textContent = "Uploading…";
    fetch(up.action, { method: "POST", body: new FormData(up), credentials: "same-origin",
      // The token in a header lets the desk read the upload itself and
      // answer a file too large with a sentence, not a page.
      headers: { "X-Requested-With": "editor.js", "X-CSRF-Token": up.elements.csrf_token.value } }).then(function (r) {
      return r.text().then(function (t) { if (!r.ok) throw new Error(t); return t; });
    }).then(function (line) {
      var s = at ? at[0] : body.value.length, end = at ? at[1] : s;
      var before = body.value.slice(0, s), after = body.value.slice(end);
      var insert = (before && !before.endsWith("\n\n") ? (before.endsWith("\n") ? "\n" : "\n\n") : "") + line.trim() + "\n\n";
      body.value = before + insert + after;
      body.dispatchEvent(new Event("input", { bubbles: true }));
      up.reset();
      if (status) status.textContent = "Inserted into the text. Save to keep it.";
    }).catch(function (err) {
      if (status) status.textContent = "Not added: " + err.message;
    });
  });
})();
