/*
 * Material's search worker with Korean query rewriting in front of it.
 *
 * overrides/main.html points Material's configuration at this file with the URL of
 * Material's own worker in `?material=`. This worker loads es-hangul (vendored,
 * pinned, MIT) and query.js, puts a listener in front of Material's message handler
 * and then loads Material's worker unchanged: the setup message (the index) also
 * builds the rewriter's lexicon, every query message is rewritten
 * (KoreanQuery.rewrite) before Material's lunr search sees it, and every result
 * message is re-ranked (rerank, below) before the page shows it.
 */
(function () {
  "use strict";
  var SETUP = 0, QUERY = 2, RESULT = 3;   // Material's SearchMessageType
  var NOTEBOOKS = "generated/notebooks/", SECONDARY = 0.5;   // scripts/search/index.py
  var COORDINATION = 3;
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

  // Material orders pages by their best section's score. A page ranks here by that score times the
  // share of the query's terms found anywhere in the page (a page answering every word of a
  // paraphrase beats one matching a single word in a title); a notebook, which repeats its topic
  // page, counts half (lunr's document boost cancels out in its cosine score).
  function rerank(result) {
    if (!result || !Array.isArray(result.items)) return result;
    var scored = result.items.map(function (group, order) {
      var best = 0, found = {}, asked = {};
      for (var i = 0; i < group.length; i++) {
        best = Math.max(best, group[i].score || 0);
        var terms = group[i].terms || {};
        for (var term in terms) {
          asked[term] = true;
          if (terms[term]) found[term] = true;
        }
      }
      var share = Object.keys(asked).length ? Object.keys(found).length / Object.keys(asked).length : 1;
      var location = group.length ? group[0].location || "" : "";
      var weight = location.indexOf(NOTEBOOKS) === 0 ? SECONDARY : 1;
      return { group: group, order: order, score: best * weight * Math.pow(share, COORDINATION) };
    });
    scored.sort(function (a, b) { return b.score - a.score || a.order - b.order; });
    result.items = afterTopics(scored.map(function (s) { return s.group; }));
    return result;
  }

  // A notebook ("generated/notebooks/bucketing/") comes after its topic page ("assignment/bucketing/")
  // when both are found: the page explains, the notebook repeats it with code.
  function afterTopics(groups) {
    var page = function (group) { return group.length ? (group[0].location || "").split("#")[0] : ""; };
    var out = groups.slice();
    for (var i = 0; i < out.length; i++) {
      var location = page(out[i]);
      if (location.indexOf(NOTEBOOKS) !== 0) continue;
      var slug = "/" + location.slice(NOTEBOOKS.length).replace(/_/g, "-");
      for (var j = i + 1; j < out.length; j++) {
        var topic = page(out[j]);
        if (topic.indexOf(NOTEBOOKS) !== 0 && topic.slice(-slug.length) === slug) {
          out.splice(j + 1, 0, out[i]);
          out.splice(i, 1);
          i--;
          break;
        }
      }
    }
    return out;
  }

  var postMessage = self.postMessage.bind(self);
  self.postMessage = function (message, transfer) {
    if (message && message.type === RESULT) {
      try { rerank(message.data); } catch (error) { /* Material's order stays */ }
    }
    return postMessage(message, transfer);
  };

  var addEventListener = self.addEventListener.bind(self);
  self.addEventListener = function (type, listener, options) {
    if (type !== "message") return addEventListener(type, listener, options);
    return addEventListener(type, function (event) { return listener(rewrite(event)); }, options);
  };
  importScripts(material.href);
})();
