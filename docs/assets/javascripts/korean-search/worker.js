/*
 * Material's search worker with Korean query rewriting in front of it.
 *
 * overrides/main.html points Material's configuration at this file with the URL of
 * Material's own worker in `?material=`. This worker loads es-hangul (vendored,
 * pinned, MIT) and query.js, puts a listener in front of Material's message handler
 * and then loads Material's worker unchanged: the setup message (the index) also
 * builds the rewriter's lexicon, and every query message is rewritten
 * (KoreanQuery.rewrite) before Material's lunr search sees it.
 */
(function () {
  "use strict";
  var SETUP = 0, QUERY = 2;   // Material's SearchMessageType
  var here = self.location.href;
  var material = new URL(new URL(here).searchParams.get("material") || "", here);
  if (material.origin !== self.location.origin) throw new Error("search worker: foreign script " + material);

  // es-hangul's CommonJS build, run in a function scope (its helpers stay out of the worker's globals).
  var request = new XMLHttpRequest();
  request.open("GET", new URL("../vendor/es-hangul-2.4.0/index.js", here).href, false);
  request.send();
  var commonjs = { exports: {} };
  new Function("module", "exports", request.responseText)(commonjs, commonjs.exports);
  var hangul = commonjs.exports;
  importScripts(new URL("query.js", here).href);

  var lexicon = null;
  function rewrite(event) {
    var message = event.data;
    if (!message) return event;
    if (message.type === SETUP) {
      try {
        lexicon = self.KoreanQuery.lexicon(hangul, message.data.config, message.data.docs);
      } catch (error) {
        lexicon = null;
      }
    } else if (message.type === QUERY && lexicon && typeof message.data === "string") {
      return { data: { type: QUERY, data: self.KoreanQuery.rewrite(lexicon, message.data) } };
    }
    return event;
  }

  var addEventListener = self.addEventListener.bind(self);
  self.addEventListener = function (type, listener, options) {
    if (type !== "message") return addEventListener(type, listener, options);
    return addEventListener(type, function (event) { return listener(rewrite(event)); }, options);
  };
  importScripts(material.href);
})();
