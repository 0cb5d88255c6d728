// H5P activities in lessons. The player runs on a separate content origin in a
// sandboxed iframe; it reports results with postMessage. We accept a message
// only from that origin AND from that iframe's window, check its shape, and
// send it to the platform with the CSRF token. The server checks it again.
(function () {
  "use strict";
  if (window.klartanktH5P) return;
  window.klartanktH5P = true;

  var VERB_PREFIX = "http://adlnet.gov/expapi/verbs/";
  var VERBS = ["answered", "completed", "passed", "failed"];
  var UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  var MIN_HEIGHT = 150;
  var MAX_HEIGHT = 20000;

  function boxes() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-h5p]"));
  }

  function isNumber(value) {
    return typeof value === "number" && isFinite(value);
  }

  // The statement summary the player page sends (see h5p/player_assets/player.js).
  function validStatement(statement, activity) {
    if (!statement || typeof statement !== "object") return false;
    if (typeof statement.id !== "string" || !UUID.test(statement.id)) return false;
    var verb = statement.verb && statement.verb.id;
    if (typeof verb !== "string" || verb.indexOf(VERB_PREFIX) !== 0) return false;
    if (VERBS.indexOf(verb.slice(VERB_PREFIX.length)) < 0) return false;
    var objectId = statement.object && statement.object.id;
    if (typeof objectId !== "string" || objectId.indexOf(activity) < 0) return false;
    var score = statement.result && statement.result.score;
    if (!score || !isNumber(score.raw) || !isNumber(score.max)) return false;
    return score.max > 0 && score.raw >= 0 && score.raw <= score.max;
  }

  function isChild(statement) {
    var context = statement.context || {};
    var parents = (context.contextActivities || {}).parent;
    return (Array.isArray(parents) && parents.length > 0) ||
      statement.object.id.indexOf("subContentId=") >= 0;
  }

  function csrfToken(box) {
    var input = box.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function record(box, statement) {
    var status = box.querySelector("[data-h5p-status]");
    var endpoint = box.dataset.h5pEndpoint;
    if (!endpoint) return;
    fetch(endpoint, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "X-CSRFToken": csrfToken(box),
        "X-Requested-With": "klartankt-h5p",
      },
      body: JSON.stringify({ activity: box.dataset.h5pActivity, statement: statement }),
    })
      .then(function (response) {
        return response.json().then(function (data) {
          if (status && data.message) status.textContent = data.message;
        });
      })
      .catch(function () {
        /* Nothing recorded; the learner can try the activity again. */
      });
  }

  boxes().forEach(function (box) {
    var frame = box.querySelector("iframe");
    if (!frame) return;
    frame.style.width = "100%";
    frame.style.border = "0";
    frame.style.display = "block";
    frame.style.height = "400px";
  });

  window.addEventListener("message", function (event) {
    var box = null;
    boxes().forEach(function (candidate) {
      var frame = candidate.querySelector("iframe");
      if (frame && frame.contentWindow === event.source) box = candidate;
    });
    if (!box || event.origin !== box.dataset.h5pOrigin) return;
    var data = event.data;
    if (!data || typeof data !== "object" || data.activity !== box.dataset.h5pActivity) return;
    if (data.type === "klartankt:h5p-resize" && isNumber(data.height)) {
      var height = Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, Math.ceil(data.height)));
      box.querySelector("iframe").style.height = height + "px";
    } else if (data.type === "klartankt:h5p-xapi") {
      if (!validStatement(data.statement, box.dataset.h5pActivity)) return;
      if (isChild(data.statement)) return; // sub-content: its parent's result counts
      record(box, data.statement);
    }
  });
})();
