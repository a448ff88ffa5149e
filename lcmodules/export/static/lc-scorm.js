/* lcmodules SCORM tracker: reports a module's progress to the LMS through the SCORM 1.2 or
 * SCORM 2004 run-time API. It implements window.lcTracker for _static/lc.js (see
 * docs/internals.md) and reads its settings from window.lcScormConfig (lc-scorm-config.js).
 * With no LMS around (a page opened on its own) it tracks nothing and never throws. */
(function () {
  "use strict";

  var cfg = window.lcScormConfig || {};
  var V2004 = String(cfg.scorm) === "2004";
  var PER_UNIT = cfg.mode === "per-unit";
  var LIMIT = +cfg.suspendLimit || (V2004 ? 64000 : 4000);
  var FORMAT = "1"; // version of the suspend_data encoding
  // After completion: "suspend" keeps the learner's state for every return, "normal" lets the
  // LMS close the attempt (docs/scorm.md, "Looking back").
  var EXIT_DONE = cfg.exitWhenComplete === "normal" ? "normal" : "suspend";
  var B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

  var F = V2004 ? {
    init: "Initialize", finish: "Terminate", get: "GetValue", set: "SetValue", commit: "Commit",
    location: "cmi.location", suspend: "cmi.suspend_data", exit: "cmi.exit",
    session: "cmi.session_time", entry: "cmi.entry", status: "cmi.completion_status",
    success: "cmi.success_status", raw: "cmi.score.raw", min: "cmi.score.min",
    max: "cmi.score.max", scaled: "cmi.score.scaled", mastery: "cmi.scaled_passing_score",
    response: "learner_response", wrong: "incorrect", exitDone: "normal"
  } : {
    init: "LMSInitialize", finish: "LMSFinish", get: "LMSGetValue", set: "LMSSetValue",
    commit: "LMSCommit", location: "cmi.core.lesson_location", suspend: "cmi.suspend_data",
    exit: "cmi.core.exit", session: "cmi.core.session_time", entry: "cmi.core.entry",
    status: "cmi.core.lesson_status", success: null, raw: "cmi.core.score.raw",
    min: "cmi.core.score.min", max: "cmi.core.score.max", scaled: null,
    mastery: "cmi.student_data.mastery_score", response: "student_response", wrong: "wrong",
    exitDone: ""
  };

  // ------------------------------------------------------------------ LMS API discovery

  function apiIn(win) {
    try {
      var api = win[V2004 ? "API_1484_11" : "API"];
      return api && typeof api[F.init] === "function" ? api : null;
    } catch (e) {
      return null; // a frame of another origin
    }
  }

  function climb(win) {
    // ADL's discovery: the window, then up its parents (bounded).
    for (var level = 0; win && level <= 7; level++) {
      var api = apiIn(win);
      if (api) return api;
      var parent = null;
      try { parent = win.parent; } catch (e) { parent = null; }
      if (!parent || parent === win) break;
      win = parent;
    }
    return null;
  }

  function findApi() {
    var api = climb(window);
    if (!api) {
      var opener = null;
      try { opener = window.opener; } catch (e) { opener = null; }
      if (opener) api = climb(opener);
    }
    return api;
  }

  // ------------------------------------------------------------------ state

  var api = null;
  var started = false;
  var terminated = false;
  var startedAt = 0;
  var info = null;
  var scope = null; // {units: [index], quizzes: [name]}
  var quizOrder = []; // every quiz of the module, in unit order
  var current = null; // the latest state lc.js gave us
  var results = {}; // quiz name -> result (this session or restored)
  var written = {}; // CMI element -> value last sent
  var held = { done: false, success: "", raw: null }; // the best the LMS holds (read at launch)
  var masteryPct = null;
  var interactionIndex = {}; // interaction id -> n
  var interactionCount = 0;
  var bases = {}; // SCORM 1.2: quiz name -> first interaction index
  var fingerprint = "";

  function call(name) {
    try {
      return String(api[name].apply(api, Array.prototype.slice.call(arguments, 1)));
    } catch (e) {
      return "";
    }
  }

  function get(element) {
    return call(F.get, element);
  }

  function set(element, value) {
    value = String(value);
    if (written[element] === value) return;
    if (call(F.set, element, value) === "true") written[element] = value;
  }

  function commit() {
    call(F.commit, "");
  }

  // ------------------------------------------------------------------ encodings

  function bitsEncode(indices) {
    var out = [], max = -1, i;
    for (i = 0; i < indices.length; i++) if (indices[i] > max) max = indices[i];
    for (i = 0; i <= max; i += 6) out.push(0);
    for (i = 0; i < indices.length; i++) {
      var n = indices[i];
      if (n >= 0) out[Math.floor(n / 6)] |= 1 << (n % 6);
    }
    var text = "";
    for (i = 0; i < out.length; i++) text += B64.charAt(out[i]);
    return text;
  }

  function bitsDecode(text) {
    var indices = [];
    for (var i = 0; i < text.length; i++) {
      var v = B64.indexOf(text.charAt(i));
      if (v < 0) return null;
      for (var b = 0; b < 6; b++) if (v & (1 << b)) indices.push(i * 6 + b);
    }
    return indices;
  }

  function esc(text) {
    return encodeURIComponent(text).replace(/%20/g, "+");
  }

  function unesc(text) {
    try {
      return decodeURIComponent(text.replace(/\+/g, "%20"));
    } catch (e) {
      return "";
    }
  }

  function hash(text) {
    var h = 0x811c9dc5;
    for (var i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul ? Math.imul(h, 0x01000193) : (h * 0x01000193) | 0;
    }
    return (h >>> 0).toString(36);
  }

  function questionsOf(name) {
    var quiz = info && info.quizzes && info.quizzes[name];
    return (quiz && quiz.questions) || [];
  }

  function num(value) {
    // A decimal without exponent or trailing zeros: 70, 66.67, 0.7429.
    var text = (Math.round(value * 10000) / 10000).toFixed(4);
    text = text.replace(/0+$/, "").replace(/\.$/, "");
    return text === "-0" ? "0" : text;
  }

  // ------------------------------------------------------------------ suspend_data
  // "1|<fingerprint>|<visited bits>|<quiz>;<quiz>;…" with, per quiz of the module in unit
  // order, "" (untouched) or "<a|s>:<1.2 interaction base>:<points>_<correct bits>:<answers>".
  // Answers are comma-separated: a choice index (base 36), a bit set of indices, t/f, an
  // order (base-36 indexes joined by ".", "_" for an open position), or escaped text.
  // The whole stays within cfg.suspendLimit characters: when it would not, typed text is
  // cut short, unsubmitted quizzes first.

  function encodeAnswer(type, value, cap) {
    if (value === null || value === undefined) return "";
    if (type === "single") return typeof value === "number" && value >= 0 ? value.toString(36) : "";
    if (type === "multiple") return value && value.length ? bitsEncode(value) : "";
    if (type === "true-false") return value === true ? "t" : value === false ? "f" : "";
    if (type === "ordering") {
      if (!Array.isArray(value) || !value.some(function (v) { return v !== null; })) return "";
      return value.map(function (v) { return typeof v === "number" && v >= 0 ? v.toString(36) : "_"; }).join(".");
    }
    var text = String(value);
    if (cap !== undefined && text.length > cap) text = text.slice(0, cap);
    return text === "" ? "" : "~" + esc(text);
  }

  function decodeAnswer(type, text) {
    if (text === "") return type === "multiple" || type === "ordering" ? [] : type === "numeric" || type === "text" ? "" : null;
    if (type === "ordering") {
      return text.split(".").map(function (part) { var n = parseInt(part, 36); return isNaN(n) ? null : n; });
    }
    if (type === "single") { var n = parseInt(text, 36); return isNaN(n) ? null : n; }
    if (type === "multiple") return bitsDecode(text) || [];
    if (type === "true-false") return text === "t" ? true : text === "f" ? false : null;
    return text.charAt(0) === "~" ? unesc(text.slice(1)) : "";
  }

  function encodeState(state, capOpen, capDone, bare) {
    var visited = (state && state.visited) || [];
    var parts = [];
    for (var i = 0; i < quizOrder.length; i++) {
      var name = quizOrder[i];
      var q = state && state.quizzes && state.quizzes[name];
      var base = bases[name] !== undefined ? bases[name].toString(36) : "";
      var res = results[name];
      var submitted = !!(q ? q.submitted : res);
      if (!submitted && base === "" && !hasAnswers(q)) { parts.push(""); continue; }
      var seg = (submitted ? "s" : "a") + ":" + base + ":";
      if (submitted && res) {
        var correct = [];
        var rq = res.questions || [];
        for (var k = 0; k < rq.length; k++) if (rq[k].correct) correct.push(k);
        seg += num(+res.points || 0) + "_" + bitsEncode(correct);
      }
      seg += ":";
      if (!bare) {
        var qs = questionsOf(name), answers = (q && q.answers) || {}, list = [];
        for (var j = 0; j < qs.length; j++) {
          list.push(encodeAnswer(qs[j].type, answers[qs[j].id], submitted ? capDone : capOpen));
        }
        seg += list.join(",").replace(/,+$/, "");
      }
      parts.push(seg);
    }
    return [FORMAT, fingerprint, bitsEncode(visited), parts.join(";").replace(/;+$/, "")].join("|");
  }

  function hasAnswers(q) {
    if (!q || !q.answers) return false;
    for (var id in q.answers) {
      var v = q.answers[id];
      var open = Array.isArray(v) && !v.some(function (x) { return x !== null; }); // [] or no position set
      if (v !== null && v !== undefined && v !== "" && !open) return true;
    }
    return false;
  }

  function longestText(state, submittedOnes) {
    var longest = 0;
    for (var i = 0; i < quizOrder.length; i++) {
      var q = state && state.quizzes && state.quizzes[quizOrder[i]];
      if (!q || !!q.submitted !== submittedOnes) continue;
      for (var id in q.answers) {
        if (typeof q.answers[id] === "string" && q.answers[id].length > longest) {
          longest = q.answers[id].length;
        }
      }
    }
    return longest;
  }

  function fitCap(state, build) {
    // The largest cap on typed text for which build(cap) fits the limit (binary search).
    var lo = 0, hi = Math.max(longestText(state, false), longestText(state, true));
    if (build(hi).length <= LIMIT) return hi;
    while (lo < hi) {
      var mid = Math.ceil((lo + hi) / 2);
      if (build(mid).length <= LIMIT) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  function suspendData(state) {
    var text = encodeState(state);
    if (text.length <= LIMIT) return text;
    // Over budget: first cut the text typed in quizzes not yet submitted, then that of
    // submitted ones (their results are kept apart), then drop the answers altogether.
    var capOpen = fitCap(state, function (cap) { return encodeState(state, cap); });
    text = encodeState(state, capOpen);
    if (text.length <= LIMIT) return text;
    var capDone = fitCap(state, function (cap) { return encodeState(state, 0, cap); });
    text = encodeState(state, 0, capDone);
    if (text.length <= LIMIT) return text;
    text = encodeState(state, 0, 0, true);
    if (text.length <= LIMIT) return text;
    return [FORMAT, fingerprint, bitsEncode((state && state.visited) || [])].join("|").slice(0, LIMIT);
  }

  function restoredResult(name, seg, answers) {
    var m = /^([\d.]+)_(.*)$/.exec(seg);
    if (!m) return null;
    var qs = questionsOf(name);
    var correct = bitsDecode(m[2]) || [];
    var max = +(info.quizzes[name].maxPoints || 0);
    var points = +m[1];
    var questions = [];
    for (var i = 0; i < qs.length; i++) {
      var ok = correct.indexOf(i) >= 0;
      var qp = +(qs[i].points || 1);
      var response = answers[qs[i].id] === undefined ? null : answers[qs[i].id];
      questions.push({
        id: qs[i].id, type: qs[i].type, points: ok ? qp : 0, maxPoints: qp, correct: ok,
        response: response
      });
    }
    var scaled = max > 0 ? points / max : 0;
    return {
      quiz: name, points: points, maxPoints: max, scaled: scaled,
      passed: scaled + 1e-9 >= +(info.quizzes[name].mastery || 0), questions: questions
    };
  }

  function decodeState(text) {
    var top = text.split("|");
    if (top[0] !== FORMAT || top[1] !== fingerprint) return null;
    var visited = bitsDecode(top[2] || "") || [];
    var state = { unit: 0, visited: visited, quizzes: {} };
    var segs = (top[3] || "").split(";");
    for (var i = 0; i < quizOrder.length; i++) {
      var seg = segs[i] || "";
      if (!seg) continue;
      var name = quizOrder[i];
      var f = seg.split(":");
      if (f[1]) bases[name] = parseInt(f[1], 36);
      var submitted = f[0] === "s";
      var qs = questionsOf(name), raw = (f.slice(3).join(":") || "").split(","), answers = {};
      for (var j = 0; j < qs.length; j++) {
        if (raw[j] !== undefined && raw[j] !== "") answers[qs[j].id] = decodeAnswer(qs[j].type, raw[j]);
      }
      var result = submitted ? restoredResult(name, f[2] || "", answers) : null;
      if (result) results[name] = result;
      state.quizzes[name] = { answers: answers, submitted: submitted, result: result };
    }
    return state;
  }

  // ------------------------------------------------------------------ interactions

  function interactionIds() {
    // The question id, prefixed with "<quiz>-" only where the id repeats across quizzes.
    var seen = {}, ids = {}, i, j, qs;
    for (i = 0; i < quizOrder.length; i++) {
      qs = questionsOf(quizOrder[i]);
      for (j = 0; j < qs.length; j++) seen[qs[j].id] = (seen[qs[j].id] || 0) + 1;
    }
    for (i = 0; i < quizOrder.length; i++) {
      qs = questionsOf(quizOrder[i]);
      var safe = String(quizOrder[i]).replace(/[^A-Za-z0-9_-]+/g, "-");
      for (j = 0; j < qs.length; j++) {
        ids[quizOrder[i] + "\u0000" + qs[j].id] = seen[qs[j].id] > 1 ? safe + "-" + qs[j].id : qs[j].id;
      }
    }
    return ids;
  }

  var idMap = {};

  function choiceIds(list) {
    var out = [];
    for (var i = 0; i < list.length; i++) out.push(V2004 ? String(list[i]) : list[i].toString(36));
    return out.join(V2004 ? "[,]" : ",");
  }

  function numeric(text) {
    // lc.js's one number parser (window.lcQuestions): what is graded is what is recorded
    var questions = window.lcQuestions;
    var x = questions && typeof questions.parseNumber === "function" ? questions.parseNumber(text) : null;
    return x === null ? null : num(x);
  }

  function indexList(value) {
    if (!Array.isArray(value) || !value.length) return null;
    for (var i = 0; i < value.length; i++) {
      if (typeof value[i] !== "number" || value[i] < 0 || Math.floor(value[i]) !== value[i]) return null;
    }
    return value;
  }

  function fillText(text, max) {
    // One line, no SCORM 2004 delimiters, not starting with "{" (a language tag), bounded.
    var t = String(text === null || text === undefined ? "" : text).replace(/\s+/g, " ").trim();
    t = t.replace(/\[[,.:]\]/g, " ").replace(/^\{/, "(");
    return t.slice(0, max);
  }

  function patterns(type, expected) {
    if (!expected) return [];
    if (type === "single" || type === "multiple") {
      return expected.choices && expected.choices.length ? [choiceIds(expected.choices)] : [];
    }
    if (type === "true-false") {
      if (typeof expected.answer !== "boolean") return [];
      return [V2004 ? String(expected.answer) : (expected.answer ? "t" : "f")];
    }
    if (type === "ordering") return expected.order && expected.order.length ? [choiceIds(expected.order)] : [];
    if (type === "numeric") {
      if (typeof expected.answer !== "number") return [];
      var tol = Math.abs(+expected.tolerance || 0);
      return [V2004 ? num(expected.answer - tol) + "[:]" + num(expected.answer + tol) : num(expected.answer)];
    }
    var answers = expected.answers || [];
    var out = [];
    for (var i = 0; i < answers.length && out.length < (V2004 ? 5 : 1); i++) {
      var p = fillText(answers[i], V2004 ? 250 : 255);
      if (p && out.indexOf(p) < 0) out.push(p);
    }
    return out;
  }

  function response(type, value) {
    if (type === "single") return typeof value === "number" ? choiceIds([value]) : null;
    if (type === "multiple") return value && value.length ? choiceIds(value.slice().sort(function (a, b) { return a - b; })) : null;
    if (type === "true-false") {
      if (typeof value !== "boolean") return null;
      return V2004 ? String(value) : (value ? "t" : "f");
    }
    if (type === "numeric") return numeric(value);
    if (type === "ordering") return indexList(value) ? choiceIds(value) : null;
    var t = fillText(value, V2004 ? 250 : 255);
    return t === "" ? null : t;
  }


  function indexFor(name, position, id) {
    if (V2004) {
      if (interactionIndex[id] === undefined) interactionIndex[id] = interactionCount++;
      return { n: interactionIndex[id], fresh: !(id in knownIds) };
    }
    if (bases[name] === undefined) {
      bases[name] = interactionCount;
      interactionCount += questionsOf(name).length;
    }
    return { n: bases[name] + position, fresh: !(name in knownBases) };
  }

  var knownIds = {}; // 2004: ids that already had an interaction when we started
  var knownBases = {}; // 1.2: quizzes whose interactions the LMS already holds
  var freshDone = {}; // interactions fully written in this session

  function recordInteractions(name, result) {
    var qs = (result && result.questions) || [];
    var order = questionsOf(name);
    for (var i = 0; i < qs.length; i++) {
      var q = qs[i];
      var position = i;
      for (var p = 0; p < order.length; p++) if (order[p].id === q.id) position = p;
      // the interaction type the question type declares (`scorm_type`, in info)
      var kind = (order[position] && order[position].interaction) || "fill-in";
      var id = idMap[name + "\u0000" + q.id] || q.id;
      var slot = indexFor(name, position, id);
      var prefix = "cmi.interactions." + slot.n + ".";
      if (slot.fresh && !freshDone[prefix]) {
        set(prefix + "id", id);
        set(prefix + "type", kind);
        var pats = patterns(q.type, q.expected);
        for (var k = 0; k < pats.length; k++) set(prefix + "correct_responses." + k + ".pattern", pats[k]);
        freshDone[prefix] = true;
      }
      var r = response(q.type, q.response);
      if (r !== null) set(prefix + F.response, r);
      set(prefix + "result", q.correct ? "correct" : F.wrong);
    }
  }

  // ------------------------------------------------------------------ status and score

  function complete(state) {
    var visited = (state && state.visited) || [];
    for (var i = 0; i < scope.units.length; i++) {
      if (visited.indexOf(scope.units[i]) < 0) return false;
    }
    for (var j = 0; j < scope.quizzes.length; j++) {
      var q = state && state.quizzes && state.quizzes[scope.quizzes[j]];
      if (!(q && q.submitted) && !results[scope.quizzes[j]]) return false;
    }
    return true;
  }

  function score() {
    // Aggregate over the quizzes in scope by points; unsubmitted quizzes count 0.
    // No score before the first submission: an LMS would record a grade of 0.
    var points = 0, max = 0, all = true, any = false;
    for (var i = 0; i < scope.quizzes.length; i++) {
      var name = scope.quizzes[i];
      max += +(info.quizzes[name].maxPoints || 0);
      if (results[name]) {
        points += +results[name].points || 0;
        any = true;
      } else {
        all = false;
      }
    }
    if (max <= 0 || !any) return null;
    var raw = Math.round((10000 * points) / max) / 100;
    return { raw: raw, all: all, passed: masteryPct === null || raw + 1e-9 >= masteryPct };
  }

  // SCORM 1.2 lesson_status in order; a status is only sent when it is not below the held one.
  var RANK12 = { "not attempted": 0, browsed: 1, incomplete: 1, failed: 2, completed: 2, passed: 3 };

  function heldFrom(status, success, raw) {
    // What the LMS recorded, as {done, success, raw}, from its status elements.
    var value = raw === "" || isNaN(+raw) ? null : +raw;
    if (V2004) return { done: status === "completed", success: success, raw: value };
    var final = status === "completed" || status === "passed" || status === "failed";
    return { done: final, success: status === "passed" || status === "failed" ? status : "", raw: value };
  }

  function reportScore(s) {
    // The aggregated score, unless the LMS already holds a higher one.
    if (!s || (held.raw !== null && s.raw + 1e-9 < held.raw)) return;
    set(F.raw, num(s.raw));
    set(F.min, "0");
    set(F.max, "100");
    if (V2004) set(F.scaled, num(s.raw / 100));
    held.raw = s.raw;
  }

  function reportStatus(done, s) {
    // Completion and success, never below what the LMS holds; what is sent is held from now on.
    if (V2004) {
      if (done || !held.done) set(F.status, done ? "completed" : "incomplete");
      if (s && s.all && (s.passed || held.success !== "passed")) {
        set(F.success, s.passed ? "passed" : "failed");
        held.success = s.passed ? "passed" : "failed";
      }
      held.done = held.done || done;
      return;
    }
    var status = !done ? "incomplete" : s ? (s.passed ? "passed" : "failed") : "completed";
    if (!held.done || RANK12[status] >= RANK12[held.success || "completed"]) {
      set(F.status, status);
      if (done) held = { done: true, success: s ? status : held.success, raw: held.raw };
    }
  }

  function report(state) {
    var done = complete(state);
    var s = scope.quizzes.length > 0 ? score() : null;
    reportScore(s);
    reportStatus(done, s);
    var finished = done || held.done;
    set(F.exit, finished && EXIT_DONE === "normal" ? F.exitDone : "suspend");
  }

  function saveState(state) {
    set(F.suspend, suspendData(state));
  }

  // ------------------------------------------------------------------ session time

  function sessionTime() {
    var cs = Math.max(0, Math.round((Date.now() - startedAt) / 10));
    var h = Math.floor(cs / 360000), m = Math.floor((cs % 360000) / 6000), s = (cs % 6000) / 100;
    if (V2004) return "PT" + h + "H" + m + "M" + num(s) + "S";
    function pad(n, w) { n = String(n); while (n.length < w) n = "0" + n; return n; }
    var sec = s.toFixed(2).split(".");
    return pad(Math.min(h, 9999), 4) + ":" + pad(m, 2) + ":" + pad(sec[0], 2) + "." + sec[1];
  }

  // ------------------------------------------------------------------ the lcTracker contract

  function ownUnit() {
    var main = document.querySelector("[data-lc-unit]");
    var n = main ? parseInt(main.getAttribute("data-lc-unit"), 10) : NaN;
    return isNaN(n) ? null : n;
  }

  function setScope() {
    var units = (info && info.units) || [];
    quizOrder = [];
    for (var i = 0; i < units.length; i++) if (units[i].kind === "quiz" && units[i].quiz) quizOrder.push(units[i].quiz);
    var own = PER_UNIT ? ownUnit() : null;
    scope = { units: [], quizzes: [] };
    for (var j = 0; j < units.length; j++) {
      if (own !== null && units[j].index !== own) continue;
      scope.units.push(units[j].index);
      if (units[j].kind === "quiz" && units[j].quiz) scope.quizzes.push(units[j].quiz);
    }
    var key = PER_UNIT ? (scope.quizzes[0] || null) : "";
    var m = cfg.mastery || {};
    masteryPct = key !== null && typeof m[key] === "number" ? m[key] : null;
    var shape = [];
    for (var k = 0; k < units.length; k++) shape.push(units[k].kind + ":" + (units[k].quiz || ""));
    for (var q = 0; q < quizOrder.length; q++) {
      var qs = questionsOf(quizOrder[q]);
      for (var r = 0; r < qs.length; r++) shape.push(qs[r].id + ":" + qs[r].type);
    }
    fingerprint = hash(shape.join("/"));
    idMap = interactionIds();
  }

  function readLms() {
    held = heldFrom(get(F.status), V2004 ? get(F.success) : "", get(F.raw));
    var lmsMastery = get(F.mastery);
    if (lmsMastery !== "" && !isNaN(+lmsMastery)) masteryPct = V2004 ? +lmsMastery * 100 : +lmsMastery;
    interactionCount = parseInt(get("cmi.interactions._count"), 10) || 0;
    if (V2004) {
      for (var n = 0; n < interactionCount; n++) {
        var id = get("cmi.interactions." + n + ".id");
        if (id !== "" && interactionIndex[id] === undefined) {
          interactionIndex[id] = n;
          knownIds[id] = true;
        }
      }
    }
  }

  function start(moduleInfo) {
    if (started) return null;
    started = true;
    api = findApi();
    if (!api) return null;
    if (call(F.init, "") !== "true") {
      api = null;
      return null;
    }
    startedAt = Date.now();
    info = moduleInfo || { units: [], quizzes: {} };
    setScope();
    readLms();
    var saved = null;
    var text = get(F.suspend);
    if (text) saved = decodeState(text);
    if (!V2004) {
      // The 1.2 interactions are write-only: the LMS holds those of the quizzes whose base
      // we saved only if its count still covers them; otherwise start a fresh journal.
      var end = 0, name;
      for (name in bases) end = Math.max(end, bases[name] + questionsOf(name).length);
      if (saved && end > 0 && end === interactionCount) {
        for (name in bases) knownBases[name] = true;
      } else {
        bases = {};
      }
    }
    if (saved) {
      var location = parseInt(get(F.location), 10);
      var own = PER_UNIT ? scope.units[0] : null;
      if (own !== null && own !== undefined) saved.unit = own;
      else if (!isNaN(location) && scope.units.indexOf(location) >= 0) saved.unit = location;
      else saved.unit = saved.visited.length ? saved.visited[saved.visited.length - 1] : 0;
      current = saved;
    } else if (held.done) {
      // Completed before, but the LMS handed back no state (e.g. cmi.entry ab-initio): the
      // learner still sees every unit of the SCO as visited.
      saved = { unit: scope.units[0] || 0, visited: scope.units.slice(), quizzes: {} };
      current = saved;
    }
    set(F.exit, "suspend");
    return saved;
  }

  function active() {
    return api && !terminated;
  }

  function unitShown(index, state) {
    if (!active()) return;
    current = state || current;
    set(F.location, String(index));
    saveState(current);
    report(current);
    commit();
  }

  function answersChanged(quizName, state) {
    if (!active()) return;
    current = state || current; // written to the LMS with the next commit or on leaving
  }

  function quizSubmitted(quizName, result, state) {
    if (!active()) return;
    current = state || current;
    if (result) {
      results[quizName] = result;
      if (scope.quizzes.indexOf(quizName) >= 0) recordInteractions(quizName, result);
    }
    saveState(current);
    report(current);
    commit();
  }

  function leave() {
    if (!active()) return;
    if (current) {
      saveState(current);
      report(current);
    }
    set(F.session, sessionTime());
    terminated = true;
    call(F.finish, "");
  }

  window.addEventListener("pagehide", leave);

  window.lcTracker = {
    start: start,
    unitShown: unitShown,
    answersChanged: answersChanged,
    quizSubmitted: quizSubmitted,
    // for tests and LMS administrators' checks
    suspendData: function (state) { return info ? suspendData(state || current) : ""; },
    connected: function () { return !!api; }
  };
})();
