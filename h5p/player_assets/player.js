// The H5P player page, on the content origin. Starts h5p-standalone and tells
// the embedding lesson (and nobody else) about results and the page's height.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("klartankt-h5p-config").textContent);
  var VERB_PREFIX = "http://adlnet.gov/expapi/verbs/";
  var VERBS = { answered: true, completed: true, passed: true, failed: true };

  function send(message) {
    message.activity = config.activity;
    // Only the platform origin that embeds us may receive anything.
    window.parent.postMessage(message, config.parentOrigin);
  }

  function uuid4() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) {
      return (b + 0x100).toString(16).slice(1);
    }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" +
      hex.slice(16, 20) + "-" + hex.slice(20);
  }

  // Only what the platform needs: no actor, no responses.
  function summary(statement) {
    var context = statement.context || {};
    var activities = context.contextActivities || {};
    var score = statement.result.score;
    var result = { score: { raw: score.raw, max: score.max } };
    if (typeof score.min === "number") result.score.min = score.min;
    if (typeof statement.result.success === "boolean") result.success = statement.result.success;
    if (typeof statement.result.completion === "boolean") {
      result.completion = statement.result.completion;
    }
    var parent = Array.isArray(activities.parent)
      ? activities.parent.map(function (a) { return { id: String(a && a.id) }; })
      : [];
    return {
      id: statement.id,
      verb: { id: statement.verb.id },
      object: { id: String(statement.object && statement.object.id) },
      result: result,
      context: { contextActivities: { parent: parent } },
    };
  }

  function onStatement(event) {
    var statement = event && event.data && event.data.statement;
    if (!statement || !statement.verb || typeof statement.verb.id !== "string") return;
    var verb = statement.verb.id.indexOf(VERB_PREFIX) === 0
      ? statement.verb.id.slice(VERB_PREFIX.length) : "";
    if (!VERBS[verb] || !statement.result || !statement.result.score) return;
    if (!statement.id) statement.id = uuid4();
    send({ type: "klartankt:h5p-xapi", statement: summary(statement) });
  }

  var lastHeight = 0;
  function reportHeight() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height !== lastHeight) {
      lastHeight = height;
      send({ type: "klartankt:h5p-resize", height: height });
    }
  }
  if (window.ResizeObserver) new ResizeObserver(reportHeight).observe(document.body);
  window.addEventListener("load", reportHeight);

  // H5P core writes the content into its own frame; size that frame to its
  // content, so that our page (and the lesson's iframe) grows with it. H5P
  // rewrites that frame's document, so look again rather than observe once.
  function fitContentFrame() {
    var frame = document.querySelector("iframe.h5p-iframe");
    var doc = frame && frame.contentDocument;
    if (!doc || !doc.body) return;
    var height = Math.ceil(doc.body.scrollHeight);
    if (height > 0 && frame.style.height !== height + "px") {
      frame.style.height = height + "px";
    }
    reportHeight();
  }

  function fail() {
    var box = document.getElementById("player-message");
    box.textContent = config.messages.failed;
    box.hidden = false;
    reportHeight();
  }

  var options = {
    id: "klartankt",
    h5pJsonPath: config.h5pJsonPath,
    librariesPath: config.librariesPath,
    frameJs: config.frameJs,
    frameCss: config.frameCss,
    title: config.title,
    xAPIObjectIRI: config.xAPIObjectIRI,
    translations: config.translations,
    frame: false,
    icon: false,
    copyright: true,
    export: false,
    embed: false,
    fullScreen: false,
  };
  try {
    new window.H5PStandalone.H5P(document.getElementById("h5p-container"), options)
      .then(function () {
        window.H5P.externalDispatcher.on("xAPI", onStatement);
        send({ type: "klartankt:h5p-ready" });
        fitContentFrame();
        window.setInterval(fitContentFrame, 300);
      })
      .catch(fail);
  } catch (error) {
    fail();
  }
})();
