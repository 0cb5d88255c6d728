// Small enhancements. Every feature here also works without JavaScript.
(function () {
  "use strict";

  // Grade a quiz in place: POST the form, swap in the graded quiz from the server.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("[data-quiz-form]");
    if (!form || !form.action) return;
    event.preventDefault();
    var section = form.closest("[data-quiz]");
    var error = form.querySelector("[data-quiz-error]");
    var button = form.querySelector("button[type=submit]");
    error.textContent = ""; // so that a repeated message is announced again
    if (button) button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Requested-With": "klartankt-quiz" },
    })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (!response.ok && type.indexOf("text/plain") !== 0) {
          // An error page, not a message (e.g. the form expired): show it as without JavaScript.
          form.submit();
          return;
        }
        return response.text().then(function (text) {
          if (!response.ok) {
            if (button) button.disabled = false;
            error.textContent = text;
            // The button lost focus while disabled: take the learner to the message.
            error.setAttribute("tabindex", "-1");
            error.focus();
            return;
          }
          var template = document.createElement("template");
          template.innerHTML = text.trim();
          var fresh = template.content.firstElementChild;
          section.replaceWith(fresh);
          var summary = fresh.querySelector("[data-quiz-summary]");
          if (summary) summary.focus();
        });
      })
      .catch(function () {
        form.submit(); // Network trouble: fall back to an ordinary form POST.
      });
  });

  // Video embeds load nothing from another host until the learner asks.
  document.querySelectorAll("[data-video-embed]").forEach(function (box) {
    var button = box.querySelector("[data-video-play]");
    if (!button || !box.dataset.videoEmbed) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var frame = document.createElement("iframe");
      frame.src = box.dataset.videoEmbed + "?autoplay=1";
      frame.title = box.dataset.videoTitle;
      frame.allow = "autoplay; fullscreen; picture-in-picture";
      frame.setAttribute("allowfullscreen", "");
      frame.className = "video-frame";
      box.replaceWith(frame);
      frame.focus();
    });
  });

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
