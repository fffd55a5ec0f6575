/*
 * What the search box shows when a query finds nothing: the glossary terms and topic pages
 * closest to the query, never a bare "no matching documents".
 *
 * Material writes its "none" message (config.translations["search.result.none"]) above an empty
 * result list. This script watches that message; when it appears for a typed query, it loads
 * the site's own search index (search/search_index.json, the file Material's worker loads; no
 * other host) and lists, under the message:
 *
 * - the glossary terms closest to the query (config.korean.phrases), as buttons that search
 *   for the term;
 * - the topic pages closest to it (their titles), as links; with no close title, every topic;
 * - for a query typed as a formula, the ways a formula can be written.
 *
 * Closeness is the overlap of character pairs (Dice), with a bonus for a shared word.
 */
(function () {
  "use strict";
  var element = document.getElementById("__config");
  if (!element) return;
  var config = JSON.parse(element.textContent);
  var NONE = (config.translations || {})["search.result.none"];
  var FORMULA = /[\^_\\√∂⊤ᵀ²³·∑∏‖−α-ωΔ]|[A-Za-z]\(|[=/]/;
  var MAX_TERMS = 6, MAX_TOPICS = 4;
  var loading = null;

  function load() {
    if (!loading) {
      var url = new URL(config.base + "/search/search_index.json", location.href);
      loading = fetch(url.href).then(function (response) { return response.json(); }).then(candidates);
    }
    return loading;
  }

  // Glossary terms and topic pages (a page's own entry: no "#"; not the notebooks, tags or glossary).
  function candidates(index) {
    var terms = ((index.config.korean || {}).phrases || []).slice();
    var topics = index.docs.filter(function (doc) {
      return doc.location && doc.location.indexOf("#") < 0 && !/^(generated\/|tags\/|glossary\/)/.test(doc.location);
    }).map(function (doc) { return { title: plain(doc.title), location: doc.location }; });
    return { terms: terms, topics: topics };
  }

  // Index titles are HTML ("Q&amp;A").
  function plain(html) {
    return new DOMParser().parseFromString(html, "text/html").body.textContent || "";
  }

  function pairs(text) {
    var squeezed = text.toLowerCase().replace(/\s+/g, ""), out = new Map();
    if (squeezed.length < 2) out.set(squeezed, 1);
    for (var i = 0; i + 1 < squeezed.length; i++) {
      var pair = squeezed.slice(i, i + 2);
      out.set(pair, (out.get(pair) || 0) + 1);
    }
    return out;
  }

  function closeness(query, candidate) {
    var a = pairs(query), b = pairs(candidate), common = 0, size = 0;
    a.forEach(function (n, pair) { common += Math.min(n, b.get(pair) || 0); size += n; });
    b.forEach(function (n) { size += n; });
    var score = size ? 2 * common / size : 0;
    var words = query.toLowerCase().split(/\s+/);
    var lower = candidate.toLowerCase();
    for (var w = 0; w < words.length; w++)
      if (words[w].length >= 2 && lower.indexOf(words[w]) >= 0) score += 0.5;
    return score;
  }

  function closest(query, list, text, n) {
    return list.map(function (item) { return { item: item, score: closeness(query, text(item)) }; })
      .filter(function (s) { return s.score > 0.15; })
      .sort(function (x, y) { return y.score - x.score; })
      .slice(0, n).map(function (s) { return s.item; });
  }

  function node(tag, className, text) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    if (text) el.textContent = text;
    return el;
  }

  function search(box, term) {
    box.value = term;
    box.focus();
    // Material searches on keyup.
    box.dispatchEvent(new KeyboardEvent("keyup", { key: "Enter", bubbles: true }));
  }

  function panel(box, query, found) {
    var root = node("div", "korean-search-empty");
    root.setAttribute("role", "status");
    root.dataset.query = query;
    root.appendChild(node("p", null, "비슷한 말로 다시 찾아 보세요."));
    if (FORMULA.test(query))
      root.appendChild(node("p", "korean-search-empty__hint",
        "수식은 QK^T, QK⊤, Q K transpose, sqrt(d_k), √d_k, d_k처럼 여러 꼴로 찾을 수 있습니다. " +
        "기호 대신 이름(sqrt, partial, sigma)으로도 써 보세요."));
    var terms = closest(query, found.terms, function (t) { return t; }, MAX_TERMS);
    if (terms.length) {
      root.appendChild(node("h3", null, "가까운 용어"));
      var list = node("ul");
      terms.forEach(function (term) {
        var button = node("button", "md-button", term);
        button.type = "button";
        button.addEventListener("click", function () { search(box, term); });
        var item = node("li");
        item.appendChild(button);
        list.appendChild(item);
      });
      root.appendChild(list);
    }
    var topics = closest(query, found.topics, function (t) { return t.title; }, MAX_TOPICS);
    root.appendChild(node("h3", null, topics.length ? "가까운 주제" : "주제 페이지"));
    var links = node("ul");
    (topics.length ? topics : found.topics).forEach(function (topic) {
      var link = node("a", null, topic.title);
      link.href = new URL(config.base + "/" + topic.location, location.href).href;
      var item = node("li");
      item.appendChild(link);
      links.appendChild(item);
    });
    root.appendChild(links);
    return root;
  }

  function update() {
    var result = document.querySelector(".md-search-result");
    var box = document.querySelector("input[data-md-component=search-query]");
    if (!result || !box) return;
    var meta = result.querySelector(".md-search-result__meta");
    var list = result.querySelector(".md-search-result__list");
    var shown = result.querySelector(".korean-search-empty");
    var query = box.value.trim();
    var empty = query && meta && meta.textContent.trim() === NONE && list && !list.children.length;
    if (!empty) {
      if (shown) shown.remove();
      return;
    }
    if (shown && shown.dataset.query === query) return;
    load().then(function (found) {
      if (box.value.trim() !== query || meta.textContent.trim() !== NONE) return;  // a newer query
      var old = result.querySelector(".korean-search-empty");
      if (old) old.remove();
      meta.insertAdjacentElement("afterend", panel(box, query, found));
    }).catch(function () { /* the index did not load: Material's own message stays */ });
  }

  function watch() {
    var result = document.querySelector(".md-search-result");
    if (!result || !NONE) return;
    var meta = result.querySelector(".md-search-result__meta");
    var list = result.querySelector(".md-search-result__list");
    var observer = new MutationObserver(update);
    if (meta) observer.observe(meta, { childList: true, characterData: true, subtree: true });
    if (list) observer.observe(list, { childList: true });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", watch);
  else watch();
})();
