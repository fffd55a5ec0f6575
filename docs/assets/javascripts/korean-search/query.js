/*
 * Korean query rewriting for Material's search: what a learner types -> the index's tokens.
 *
 *   const lexicon = KoreanQuery.lexicon(hangul, config, docs)   // once, from search_index.json
 *   KoreanQuery.rewrite(lexicon, "ㅇㅊ ㅇㅋㄷ")                   // -> "위치 인코딩"
 *
 * `hangul` is es-hangul (vendor/es-hangul-2.4.0, MIT). Every rule works against the
 * vocabulary of the index itself (its tokens as Material's separator makes them) and
 * the glossary's Hangul spellings (config.korean.phrases):
 *
 * - 초성: a word of initial consonants only ("ㅂㅋㅌ") becomes the glossary phrases or
 *   index tokens whose initials it spells, whole or cut into known pieces;
 * - 한/영 keys: a Latin word that no index token starts with ("qjzltxld") is read as
 *   2-set (두벌식) keys; kept if the Hangul it spells is found;
 * - spacing: a Hangul word that no token starts with ("셀프어텐션시간복잡도") is cut into
 *   index tokens (fewest pieces; a piece may be a misspelling, below);
 * - misspellings: a word matches a token with the same "loose" jamo key (ㅐ=ㅔ, ㅏ=ㅓ,
 *   ㅒ=ㅖ, ㅑ=ㅕ, ㅗ=ㅜ in loanwords...) or one jamo edit away, its first consonant kept;
 * - endings: a word still unknown loses syllables from its end until a token starts
 *   with it ("나누나요" -> "나누");
 * - question words (왜, 어떻게, why, how, ...) are dropped: every page has them.
 *
 * Known words pass through as typed. The result is a plain query for Material's own
 * query parser; any error returns the query unchanged.
 */
(function (root) {
  "use strict";

  var MAX_QUERY = 200;        // longer queries are not rewritten
  var MAX_WORDS = 12;
  var MAX_PIECE = 10;         // syllables in one piece of a spacing-free word
  var SYLLABLES = /^[\uAC00-\uD7A3]+$/;
  var HAS_HANGUL = /[\uAC00-\uD7A3]/;
  var CHOSEONG = /^[\u3131-\u314E]+$/;
  var LATIN = /^[A-Za-z]+$/;
  var STOPWORDS = new Set([
    "왜", "어떻게", "어떻", "어떤", "무엇", "무엇인", "뭐", "뭔", "뭔가", "뭐야", "뭐예요", "무슨", "언제", "어디",
    "어디에", "누가", "정말", "그냥", "좀", "요", "것", "거", "건가", "걸까", "나요", "까요", "해요", "돼", "돼요",
    "되나요", "하나요", "인가요", "있나요", "없나요", "알려", "알려줘", "궁금", "궁금해요", "설명",
    "why", "how", "what", "when", "where", "which", "who", "does", "do", "did", "is", "are", "was", "were",
    "the", "a", "an", "of", "by", "to", "in", "on", "for", "with", "it", "we", "you", "i", "should", "can",
    "there", "this", "that", "be", "happens", "happen", "without", "use", "used", "need", "needed"
  ]);
  // Loose jamo classes: vowels that loanword spellings and typos mix up.
  var LOOSE = {
    "ㅐ": "ㅔ", "ㅏ": "ㅓ", "ㅒ": "ㅖ", "ㅑ": "ㅕ", "ㅜ": "ㅗ", "ㅚ": "ㅙ", "ㅞ": "ㅙ"
  };

  function lexicon(hangul, config, docs) {
    var separator = new RegExp(config.separator || "[\\s\\-]+");
    var weight = new Map();
    var add = function (text, w) {
      if (!text) return;
      var parts = String(text).replace(/<[^>]*>/g, " ").replace(/&[a-z#0-9]+;/gi, " ").split(separator);
      for (var i = 0; i < parts.length; i++) {
        var token = parts[i].toLowerCase();
        if (token && token.length <= 40) weight.set(token, (weight.get(token) || 0) + w);
      }
    };
    for (var d = 0; d < docs.length; d++) {
      var doc = docs[d];
      add(doc.title, 5);
      add(doc.keywords, 5);
      add(doc.morphs, 1);
      add(doc.formula, 1);
      add(doc.text, 1);
      if (Array.isArray(doc.tags)) add(doc.tags.join(" "), 5);
    }
    var phrases = ((config.korean && config.korean.phrases) || []).slice();
    for (var p = 0; p < phrases.length; p++) add(phrases[p], 20);
    for (var t = 0; t < docs.length; t++)
      if (HAS_HANGUL.test(docs[t].title) && docs[t].title.length <= 40) phrases.push(docs[t].title);

    var words = Array.from(weight.keys()).sort();
    var byChoseong = new Map(), byLoose = new Map(), hangulWords = [];
    var push = function (map, key, value) {
      var list = map.get(key);
      if (!list) map.set(key, list = []);
      if (list.indexOf(value) < 0) list.push(value);
    };
    var lex = { hangul: hangul, separator: separator, weight: weight, words: words,
                abbreviations: (config.korean && config.korean.abbreviations) || {},
                byChoseong: byChoseong, byLoose: byLoose, hangulWords: hangulWords, phraseByChoseong: new Map() };
    for (var w = 0; w < words.length; w++) {
      var word = words[w];
      if (!SYLLABLES.test(word)) continue;
      hangulWords.push(word);
      if (word.length >= 2) push(byChoseong, hangul.getChoseong(word), word);
      push(byLoose, looseKey(lex, word), word);
    }
    // Glossary phrases and titles as written (Hangul only): "시간복잡도", "위치 인코딩".
    lex.phraseBySqueezed = new Map();
    for (var q = 0; q < phrases.length; q++) {
      var phrase = String(phrases[q]).trim().toLowerCase();
      var squeezed = phrase.replace(/\s+/g, "");
      if (!SYLLABLES.test(squeezed)) continue;
      push(lex.phraseByChoseong, hangul.getChoseong(squeezed), phrase);
      push(lex.phraseBySqueezed, squeezed, phrase);
    }
    return lex;
  }

  function tokenize(lex, text) {
    return String(text).split(lex.separator).filter(Boolean).map(function (t) { return t.toLowerCase(); });
  }

  function looseKey(lex, word) {
    var jamo = lex.hangul.disassemble(word);
    var out = "";
    for (var i = 0; i < jamo.length; i++) out += LOOSE[jamo[i]] || jamo[i];
    return out;
  }

  // Some index token starts with `prefix` (Material matches every query term as a prefix).
  function known(lex, prefix) {
    var lo = 0, hi = lex.words.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (lex.words[mid] < prefix) lo = mid + 1; else hi = mid;
    }
    return lo < lex.words.length && lex.words[lo].indexOf(prefix) === 0;
  }

  function heaviest(lex, list, n) {
    return list.slice().sort(function (a, b) { return (lex.weight.get(b) || 0) - (lex.weight.get(a) || 0); })
      .slice(0, n);
  }

  // A token of the index for `piece`: itself, or the heaviest one with the same loose key.
  function pieceMatch(lex, piece) {
    var phrase = lex.phraseBySqueezed.get(piece);
    if (phrase) return { token: phrase[0], cost: 1 };
    if (piece.length === 1) return lex.weight.has(piece) ? { token: piece, cost: 2 } : null;
    if (lex.weight.has(piece)) return { token: piece, cost: 1 };
    var loose = lex.byLoose.get(looseKey(lex, piece));
    if (loose) return { token: heaviest(lex, loose, 1)[0], cost: 1.5 };
    return null;
  }

  // Cut a spacing-free Hangul word into index tokens (fewest pieces, at least two);
  // a tail of at most two syllables that matches nothing is dropped (a particle or ending).
  function segment(lex, word) {
    var n = word.length;
    if (n < 3 || n > 40) return null;
    var best = new Array(n + 1).fill(null);
    best[0] = { cost: 0, pieces: [] };
    for (var i = 0; i < n; i++) {
      if (!best[i]) continue;
      for (var j = i + 1; j <= Math.min(n, i + MAX_PIECE); j++) {
        var match = pieceMatch(lex, word.slice(i, j));
        if (!match) continue;
        var cost = best[i].cost + match.cost;
        if (!best[j] || cost < best[j].cost) best[j] = { cost: cost, pieces: best[i].pieces.concat([match.token]) };
      }
    }
    for (var end = n; end >= n - 2 && end > 0; end--) {
      var found = best[end];
      if (found && (found.pieces.length >= 2 || end < n || found.pieces[0] !== word)) return found.pieces;
    }
    return null;
  }

  function editDistance(a, b, limit) {
    if (Math.abs(a.length - b.length) > limit) return limit + 1;
    var prev = [], cur = [];
    for (var j = 0; j <= b.length; j++) prev[j] = j;
    for (var i = 1; i <= a.length; i++) {
      cur = [i];
      var rowMin = i;
      for (var k = 1; k <= b.length; k++) {
        cur[k] = Math.min(prev[k] + 1, cur[k - 1] + 1, prev[k - 1] + (a[i - 1] === b[k - 1] ? 0 : 1));
        if (cur[k] < rowMin) rowMin = cur[k];
      }
      if (rowMin > limit) return limit + 1;
      prev = cur;
    }
    return prev[b.length];
  }

  // Index tokens that `word` misspells: same loose key (or its prefix), else one jamo edit
  // after the first: a typo changes a vowel or a later consonant, while another first
  // consonant makes another word (빠른 is not a misspelt 다른).
  function correct(lex, word) {
    if (word.length < 2) return [];
    var key = looseKey(lex, word);
    var same = lex.byLoose.get(key);
    if (same) return heaviest(lex, same, 2);
    var limit = key.length >= 5 ? 1 : 0;
    if (!limit) return [];
    var found = [];
    for (var i = 0; i < lex.hangulWords.length; i++) {
      var candidate = lex.hangulWords[i];
      if (Math.abs(candidate.length - word.length) > 1) continue;
      var other = looseKey(lex, candidate);
      if (other[0] === key[0] && editDistance(key, other, limit) <= limit) found.push(candidate);
    }
    return heaviest(lex, found, 2);
  }

  // Drop syllables from the end until some token starts with what is left (two at least).
  function truncate(lex, word) {
    for (var end = word.length - 1; end >= 2; end--)
      if (known(lex, word.slice(0, end))) return word.slice(0, end);
    return null;
  }

  function fromChoseong(lex, word) {
    if (word.length < 2 || word.length > 40) return null;
    var phrases = lex.phraseByChoseong.get(word);
    if (phrases) return [phrases[0]];
    var tokens = lex.byChoseong.get(word);
    if (tokens) return heaviest(lex, tokens, 3);
    // Spacing-free initials: cut into the initials of index tokens, fewest pieces.
    var n = word.length, best = new Array(n + 1).fill(null);
    best[0] = [];
    for (var i = 0; i < n; i++) {
      if (!best[i]) continue;
      for (var j = i + 2; j <= Math.min(n, i + MAX_PIECE); j++) {
        var piece = lex.phraseByChoseong.get(word.slice(i, j)) || lex.byChoseong.get(word.slice(i, j));
        if (piece && (!best[j] || best[i].length + 1 < best[j].length))
          best[j] = best[i].concat([heaviest(lex, piece, 1)[0]]);
      }
    }
    if (best[n]) return best[n];
    // A prefix of the initials of a token.
    var prefixed = [];
    lex.byChoseong.forEach(function (list, key) {
      if (key.indexOf(word) === 0) prefixed = prefixed.concat(list);
    });
    return prefixed.length ? heaviest(lex, prefixed, 3) : null;
  }

  // What a Hangul token of the query stands for, or null if nothing in the index.
  function hangulToken(lex, token) {
    if (known(lex, token)) return [token];
    var pieces = segment(lex, token);
    if (pieces) return pieces;
    var fixed = correct(lex, token);
    if (fixed.length) return fixed;
    var cut = truncate(lex, token);
    if (cut) return [cut];
    return null;
  }

  function latinToken(lex, token) {
    if (known(lex, token.toLowerCase())) return [token];
    var candidates = [token, token.toLowerCase()];
    for (var i = 0; i < candidates.length; i++) {
      var converted = lex.hangul.convertQwertyToHangul(candidates[i]);
      if (!SYLLABLES.test(converted)) continue;
      var found = hangulToken(lex, converted);
      if (found) return found;
    }
    return null;
  }

  function rewriteWord(lex, word) {
    if (CHOSEONG.test(word)) return fromChoseong(lex, word) || [word];
    var out = [];
    var tokens = tokenize(lex, word);
    for (var i = 0; i < tokens.length; i++) {
      var token = tokens[i];
      if (STOPWORDS.has(token)) continue;
      var found = null;
      if (SYLLABLES.test(token)) found = hangulToken(lex, token);
      else if (LATIN.test(token)) found = latinToken(lex, token);
      out.push.apply(out, found || [token]);
    }
    return out;
  }

  // ---------------------------------------------------------------- formulas
  // The same reading as scripts/search/formula.py (normalise): TeX, Unicode or words -> tokens
  // (QK^T/√d_k -> qkt sqrt dk). tests/formula_examples.yml holds the examples both agree on.

  var F_UNICODE = {
    "√": "\\sqrt ", "∂": "\\partial ", "⊤": "^T", "ᵀ": "^T", "⁻": "^-", "−": "-", "‖": "|",
    "∑": "\\sum ", "∏": "\\prod ", "∞": "\\infty ", "·": " ", "⋅": " ", "∙": " ", "×": " ", "*": " ",
    "α": "\\alpha ", "β": "\\beta ", "γ": "\\gamma ", "δ": "\\delta ", "Δ": "\\delta ", "ε": "\\epsilon ",
    "η": "\\eta ", "θ": "\\theta ", "λ": "\\lambda ", "μ": "\\mu ", "π": "\\pi ", "ρ": "\\rho ",
    "σ": "\\sigma ", "τ": "\\tau ", "φ": "\\phi ", "ω": "\\omega ", "ζ": "\\zeta ", "ξ": "\\xi ",
    "ψ": "\\psi ", "χ": "\\chi ", "ν": "\\nu ", "κ": "\\kappa ", "Σ": "\\sigma ", "Ω": "\\omega ",
    "Θ": "\\theta ", "Λ": "\\lambda ", "Φ": "\\phi ", "Γ": "\\gamma ", "∇": "\\nabla ", "≤": "\\le ",
    "≥": "\\ge ", "≈": "\\approx ", "≠": "\\ne ", "→": "\\to ", "∈": "\\in ", "∼": "\\sim "
  };
  var F_ALIASES = { leq: "le", geq: "ge", neq: "ne", rightarrow: "to" };
  var F_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹", F_SUBSCRIPTS = "₀₁₂₃₄₅₆₇₈₉";
  var F_SPACES = new Set(["left", "right", "big", "bigl", "bigr", "Big", "Bigl", "Bigr", "cdot", "times",
    "cdots", "dots", "ldots", "quad", "qquad", "displaystyle"]);
  var F_WRAPPERS = new Set(["mathrm", "text", "operatorname", "mathbf", "mathbb", "mathit", "mathsf",
    "boldsymbol", "textrm"]);
  var F_TRANSPOSE = new Set(["top", "intercal"]), F_TRANSPOSE_WORDS = new Set(["transpose", "transposed"]);
  var F_NORMS = new Set(["lvert", "rvert", "lVert", "rVert", "vert", "Vert", "mid"]);
  var F_FRACTIONS = new Set(["frac", "tfrac", "dfrac"]);
  var F_SYNONYMS = [["root", "sqrt"], ["루트", "sqrt"], ["제곱근", "sqrt"], ["전치", "transpose"]];
  var F_WORD = /[A-Za-z]+|[0-9]+(?:\.[0-9]+)?/y;
  var F_LETTERS = /[A-Za-z]+/y;
  var F_SCRIPT = /-?(?:[0-9]+(?:\.[0-9]+)?|[A-Za-z]+)/y;

  function fold(text) {
    var out = "";
    text = text.split("**").join("^");
    for (var k = 0; k < text.length; k++) {
      var c = text[k];
      if (Object.prototype.hasOwnProperty.call(F_UNICODE, c)) out += F_UNICODE[c];
      else if (F_SUPERSCRIPTS.indexOf(c) >= 0) out += "^" + F_SUPERSCRIPTS.indexOf(c);
      else if (F_SUBSCRIPTS.indexOf(c) >= 0) out += "_" + F_SUBSCRIPTS.indexOf(c);
      else out += c;
    }
    out = out.split("\\_").join("_");
    for (var s = 0; s < F_SYNONYMS.length; s++)
      out = out.replace(new RegExp("(?<![A-Za-z])" + F_SYNONYMS[s][0] + "(?![A-Za-z])", "g"),
        " " + F_SYNONYMS[s][1] + " ");
    return out;
  }

  function sticky(re, text, i) {
    re.lastIndex = i;
    return re.exec(text);
  }

  function formulaTokens(formula) {
    var tokens = [];
    var products = fProducts(fold(String(formula)));
    for (var g = 0; g < products.length; g++) {
      if (products[g].length > 1) tokens.push(products[g].join(""));
      tokens.push.apply(tokens, products[g]);
    }
    // A bare number is in the page's text already (MathML keeps it as it is).
    return tokens.filter(function (t, i) { return t.length >= 2 && !/^[0-9]+$/.test(t) && tokens.indexOf(t) === i; });
  }

  function fTranspose(product) {
    if (product.length) product[product.length - 1] += "t"; else product.push("t");
  }

  function fCommand(text, i) {
    var m = sticky(F_LETTERS, text, i);
    return m ? [m[0], i + m[0].length] : ["", i + 1];
  }

  function fScript(text, i) {
    while (i < text.length && text[i] === " ") i++;
    if (i >= text.length) return ["", i];
    var opening = text[i];
    if (opening === "{" || opening === "(") {
      var closing = opening === "{" ? "}" : ")", depth = 0, j = i;
      for (; j < text.length; j++) {
        if (text[j] === opening) depth++;
        else if (text[j] === closing && --depth === 0) break;
      }
      return [fFlat(text.slice(i + 1, j)), j + 1];
    }
    if (opening === "\\") {
      var command = fCommand(text, i + 1);
      if (F_WRAPPERS.has(command[0])) return fScript(text, command[1]);
      return [F_TRANSPOSE.has(command[0]) ? "t" : command[0].toLowerCase(), command[1]];
    }
    var m = sticky(F_SCRIPT, text, i);
    return m ? [fFlat(m[0]), i + m[0].length] : ["", i];
  }

  function fFlat(script) {
    return fProducts(script).map(function (g) { return g.join(""); }).join("");
  }

  function fProducts(text) {
    var groups = [], current = [], lastShort = false, i = 0, n = text.length;
    function close() {
      if (current.length) groups.push(current);
      current = [];
      lastShort = false;
    }
    while (i < n) {
      var c = text[i];
      if (c === "^" || c === "_") {
        var script = fScript(text, i + 1);
        i = script[1];
        if (script[0] === "" && c === "^") continue;
        if (current.length) current[current.length - 1] += script[0];
        else { current = [script[0]]; lastShort = false; }
        continue;
      }
      if (c === "\\") {
        var command = fCommand(text, i + 1), name = command[0];
        i = command[1];
        if (F_SPACES.has(name) || name === "" || F_WRAPPERS.has(name)) continue;
        if (F_TRANSPOSE.has(name)) { fTranspose(current); continue; }
        if (F_NORMS.has(name) || F_FRACTIONS.has(name)) { close(); continue; }
        close();
        current = [(F_ALIASES[name] || name).toLowerCase()];
        continue;
      }
      var m = sticky(F_WORD, text, i);
      if (m) {
        var word = m[0].toLowerCase().split(".").join("");
        i += m[0].length;
        if (F_TRANSPOSE_WORDS.has(word)) { fTranspose(current); continue; }
        var short = word.length <= 2 || /^[0-9]+$/.test(word);
        if (short && lastShort) current.push(word);
        else { close(); current = [word]; }
        lastShort = short;
        continue;
      }
      if (/\s/.test(c) || c === "{" || c === "}" || c === "'") { i++; continue; }
      close();
      i++;
    }
    close();
    return groups;
  }

  // A word written as a formula: a script mark, a TeX command, a math symbol, a function call.
  var FORMULA_MARK = /[\^_\\√∂⊤ᵀ⁰¹²³⁴⁵⁶⁷⁸⁹⁻₀₁₂₃₄₅₆₇₈₉·⋅∑∏∞‖−α-ωΔΣΩΘΛΦΓ∇≤≥≈≠→∈∼]|\*\*|^[A-Za-z]+\(/;
  var PLAIN_WORD = /^([a-z0-9_]{2,}|[\uAC00-\uD7A3]+)$/;
  var FORMULA_TRIGGER = /^(transpose|transposed|전치)$/i;
  // Words that may stand inside a formula typed with spaces ("Q K transpose", "sqrt d_k").
  var FORMULA_PART = /^([()\[\]{}+\-=\/,.<>|0-9]*[A-Za-z]{0,2}[()\[\]{}+\-=\/,.<>|0-9]*|sqrt|root|루트|제곱근)$/i;

  // Runs of words that read as one formula: [start, end) pairs, each with a mark or a trigger.
  function formulaRuns(words) {
    var runs = [];
    for (var i = 0; i < words.length; i++) {
      if (!FORMULA_MARK.test(words[i]) && !FORMULA_TRIGGER.test(words[i])) continue;
      var start = i, end = i + 1;
      var part = function (w) { return FORMULA_MARK.test(w) || FORMULA_TRIGGER.test(w) || FORMULA_PART.test(w); };
      while (start > 0 && part(words[start - 1]) && !(runs.length && runs[runs.length - 1][1] > start - 1)) start--;
      while (end < words.length && part(words[end])) end++;
      runs.push([start, end]);
      i = end - 1;
    }
    return runs;
  }

  // A formula's tokens that the index knows (each cut from its end to a known prefix); a lone
  // symbol keeps the plain words typed in it that the index knows ("d_k", as the page's text
  // spells it). Null when the formula reads as nothing known.
  function formulaQuery(lex, text) {
    var out = [];
    var tokens = formulaTokens(text);
    for (var i = 0; i < tokens.length; i++) {
      // Cut by half at most: "warmupsteps15" -> "warmupsteps", not "nabla" -> "na".
      for (var end = tokens[i].length; end >= Math.max(2, Math.ceil(tokens[i].length / 2)); end--) {
        var cut = tokens[i].slice(0, end);
        if (known(lex, cut)) { if (out.indexOf(cut) < 0) out.push(cut); break; }
      }
    }
    if (!out.length) return null;
    if (out.length > 1) return out;  // a formula: its typed pieces ("2i", "d_model") would outweigh it
    var typed = tokenize(lex, text);
    for (var t = 0; t < typed.length; t++)
      if (PLAIN_WORD.test(typed[t]) && known(lex, typed[t]) && out.indexOf(typed[t]) < 0) out.push(typed[t]);
    return out;
  }

  // A date as the log writes it (21/09/07) or as ISO (2021-09-07, 2021.9.7): the month, the day and
  // the yymmdd form that scripts/search/dated.py indexes for a dated entry.
  var DATE = /^(\d{2}|\d{4})[-.\/](\d{1,2})[-.\/](\d{1,2})\.?$/;

  function dateTokens(word) {
    var m = DATE.exec(word);
    if (!m || +m[2] < 1 || +m[2] > 12 || +m[3] < 1 || +m[3] > 31) return null;
    var two = function (n) { return ("0" + (+n)).slice(-2); };
    return [+m[2] + "월", +m[3] + "일", two(m[1].slice(-2)) + two(m[2]) + two(m[3])];
  }

  // One syllable or one or two Latin letters or digits ("날", "수", "1", "pe") begin too many words
  // to search as a prefix ("peer", "10일"): such a term matches a whole token (Material appends
  // no wildcard to a term with a boost).
  function exact(token) {
    return /^([\uAC00-\uD7A3]|[a-z0-9]{1,2})$/.test(token) ? token + "^1" : token;
  }

  function rewrite(lex, query) {
    try {
      if (!lex || typeof query !== "string" || query.length > MAX_QUERY) return query;
      var words = query.trim().split(/\s+/).filter(Boolean);
      if (!words.length || words.length > MAX_WORDS) return query;
      // Initials typed with spaces may spell one glossary phrase ("ㅇㅊ ㅇㅋㄷ").
      if (words.length > 1 && words.every(function (w) { return CHOSEONG.test(w); })) {
        var phrase = lex.phraseByChoseong.get(words.join(""));
        if (phrase) return phrase[0];
      }
      var out = [], runs = formulaRuns(words), r = 0;
      for (var i = 0; i < words.length; i++) {
        var rewritten = dateTokens(words[i]);
        if (!rewritten && r < runs.length && runs[r][0] === i) {
          rewritten = formulaQuery(lex, words.slice(i, runs[r][1]).join(" "));
          if (rewritten) i = runs[r][1] - 1;
          r++;
        }
        rewritten = rewritten || rewriteWord(lex, words[i]);
        for (var j = 0; j < rewritten.length; j++)
          if (out.indexOf(rewritten[j]) < 0) out.push(rewritten[j]);
      }
      // An abbreviation among other words also searches for the term it abbreviates.
      if (words.length > 1)
        out.slice().forEach(function (token) {
          var full = Object.prototype.hasOwnProperty.call(lex.abbreviations, token) && lex.abbreviations[token];
          if (full && out.indexOf(full) < 0) out.push(full);
        });
      return out.length ? out.join(" ").split(" ").map(exact).join(" ") : query;
    } catch (error) {
      return query;
    }
  }

  var api = { lexicon: lexicon, rewrite: rewrite, formulaTokens: formulaTokens, dateTokens: dateTokens };
  root.KoreanQuery = api;
  if (typeof module === "object" && module.exports) module.exports = api;
})(typeof self !== "undefined" ? self : this);
