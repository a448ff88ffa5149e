/* lcmodules page script: unit navigation, knowledge checks, and the optional tracker protocol.
 *
 * It knows nothing of SCORM: a tracker script loaded before it may define window.lcTracker
 * (docs/internals.md, "Page script ⇄ tracker contract"). Without one, everything works the
 * same and nothing is stored. A classic script (no modules, no fetch) so it runs from file://,
 * inside an LMS iframe, and in a Jupyter Book page that holds only a quiz. */
(function () {
  "use strict";

  var EPSILON = 1e-9;

  /* ------------------------------------------------------------ grading
   * The one number parser and the one grading function of the browser. They follow the
   * question types of lcmodules/questions/ (tests/test_questions_browser.py compares them
   * with Python's `grade` over a table of responses); lc-scorm.js calls them through
   * window.lcQuestions for the learner_response it records. */

  function isIndex(value) {
    return typeof value === "number" && isFinite(value) && Math.floor(value) === value;
  }

  /* A learner's number (lcmodules/questions/numbers.py): spaces ignored, U+2212 for minus, a
   * decimal comma or point; with both, the last one is the decimal separator. Else null. */
  function parseNumber(raw) {
    if (typeof raw !== "string") return null;
    var s = raw.replace(/\u2212/g, "-").replace(/\s+/g, "");
    if (s.indexOf(",") >= 0 && s.indexOf(".") >= 0) {
      var last = Math.max(s.lastIndexOf(","), s.lastIndexOf("."));
      s = s.slice(0, last).replace(/[.,]/g, "") + "." + s.slice(last + 1);
    } else {
      s = s.replace(",", ".");
    }
    if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) return null;
    var value = parseFloat(s);
    return isFinite(value) ? value : null;
  }

  function normaliseText(value) {
    var s = String(value);
    if (s.normalize) s = s.normalize("NFC");
    return s.toLowerCase().replace(/\s+/g, "");
  }

  function sameList(a, b) {
    return a.length === b.length && a.every(function (v, i) { return v === b[i]; });
  }

  function sortedIndexes(list) {
    return list.slice().sort(function (a, b) { return a - b; });
  }

  /* Whether a value in the tracker's shape answers a question of the answer key rightly. */
  var CORRECT = {
    single: function (value, expected) {
      return isIndex(value) && (expected.choices || []).indexOf(value) >= 0;
    },
    multiple: function (value, expected) {
      if (!Array.isArray(value) || !value.every(isIndex)) return false;
      var got = sortedIndexes(value);
      var unique = got.every(function (v, i) { return i === 0 || v !== got[i - 1]; });
      return unique && sameList(sortedIndexes(expected.choices || []), got);
    },
    "true-false": function (value, expected) {
      return typeof value === "boolean" && value === expected.answer;
    },
    numeric: function (value, expected) {
      var x = parseNumber(value);
      if (x === null || typeof expected.answer !== "number") return false;
      var slack = Math.abs(expected.tolerance || 0) + EPSILON * Math.max(1, Math.abs(expected.answer));
      return Math.abs(x - expected.answer) <= slack;
    },
    text: function (value, expected) {
      if (typeof value !== "string") return false;
      var given = normaliseText(value);
      return given !== "" && (expected.answers || []).some(function (a) { return normaliseText(a) === given; });
    },
    ordering: function (value, expected) {
      return Array.isArray(value) && value.every(isIndex) && sameList(expected.order || [], value);
    }
  };

  /* {points, correct} for one question of the answer key and a value; never throws. */
  function grade(question, value) {
    var check = CORRECT[question.type];
    var correct = false;
    try {
      correct = !!(check && check(value, question.expected || {}));
    } catch (e) {
      correct = false;
    }
    return { points: correct ? (Number(question.points) || 0) : 0, correct: correct };
  }

  window.lcQuestions = { parseNumber: parseNumber, grade: grade };

  function readJSON(element) {
    if (!element) return null;
    try {
      return JSON.parse(element.textContent || "null");
    } catch (e) {
      return null;
    }
  }

  function clone(value) {
    return value === undefined ? null : JSON.parse(JSON.stringify(value));
  }

  function toArray(list) {
    return Array.prototype.slice.call(list || []);
  }

  /* Call lcTracker[name](...args) if there is such a function; never throw. */
  function callTracker(name, args) {
    var tracker = window.lcTracker;
    if (!tracker || typeof tracker[name] !== "function") return undefined;
    try {
      return tracker[name].apply(tracker, args);
    } catch (e) {
      if (window.console && console.warn) console.warn("lcTracker." + name + " failed:", e);
      return undefined;
    }
  }

  function metaContent(name) {
    var meta = document.querySelector('meta[name="' + name + '"]');
    return meta ? meta.getAttribute("content") : null;
  }

  function init() {
    var body = document.body;
    var info = readJSON(document.getElementById("lc-module"));
    var strings = readJSON(document.getElementById("lc-i18n")) || {};
    var language = (info && info.module && info.module.language) ||
      document.documentElement.getAttribute("lang") || "en";
    // numbers as the interface language writes them (the page's strings say which it is)
    var numberFormat = new Intl.NumberFormat(text("locale", language),
      { maximumFractionDigits: 2, useGrouping: false });
    var single = !!body && body.getAttribute("data-lc-layout") === "single";
    var mains = toArray(document.querySelectorAll("main[data-lc-unit]"));
    var unitCount = info && info.units ? info.units.length : mains.length;
    var quizzes = {};   // name -> {form, key, timer}
    var gradeUrl = metaContent("lc-grade-url");
    var csrfToken = metaContent("lc-csrf-token");
    var state = { unit: 0, visited: [], quizzes: {} };

    function text(key, fallback) {
      return typeof strings[key] === "string" ? strings[key] : fallback;
    }

    function formatNumber(value) {
      return numberFormat.format(value);
    }

    function snapshot() {
      return clone(state);
    }

    function emptyQuizState() {
      return { answers: {}, submitted: false, result: null };
    }

    /* ------------------------------------------------------------ answers */

    function inputsOf(form, qid) {
      return toArray(form.querySelectorAll("input, select")).filter(function (el) {
        return el.name === qid;
      });
    }

    function readAnswer(form, question) {
      var inputs = inputsOf(form, question.id);
      var checked = inputs.filter(function (el) { return el.checked; });
      switch (question.type) {
        case "single":
          return checked.length ? parseInt(checked[0].value, 10) : null;
        case "multiple":
          return checked.map(function (el) { return parseInt(el.value, 10); })
            .sort(function (a, b) { return a - b; });
        case "true-false":
          return checked.length ? checked[0].value === "true" : null;
        case "ordering":  // one select per position: the shown index put there, or null
          return inputs.map(function (el) { return el.value === "" ? null : parseInt(el.value, 10); });
        default:
          return inputs.length ? inputs[0].value : "";
      }
    }

    function writeAnswer(form, question, value) {
      var inputs = inputsOf(form, question.id);
      switch (question.type) {
        case "single":
          inputs.forEach(function (el) { el.checked = value !== null && String(value) === el.value; });
          break;
        case "multiple":
          var chosen = Array.isArray(value) ? value.map(String) : [];
          inputs.forEach(function (el) { el.checked = chosen.indexOf(el.value) >= 0; });
          break;
        case "true-false":
          inputs.forEach(function (el) {
            el.checked = (value === true && el.value === "true") || (value === false && el.value === "false");
          });
          break;
        case "ordering":
          inputs.forEach(function (el, i) {
            var v = Array.isArray(value) ? value[i] : null;
            el.value = isIndex(v) ? String(v) : "";
          });
          break;
        default:
          if (inputs.length) inputs[0].value = value === null || value === undefined ? "" : String(value);
      }
    }

    function readAnswers(quiz) {
      var answers = {};
      quiz.key.questions.forEach(function (q) { answers[q.id] = readAnswer(quiz.form, q); });
      return answers;
    }

    /* ------------------------------------------------------------ scoring */

    function score(quiz, answers) {
      var key = quiz.key;
      var points = 0;
      var maxPoints = 0;
      var questions = key.questions.map(function (q) {
        var response = answers.hasOwnProperty(q.id) ? answers[q.id] : null;
        var graded = grade(q, response);
        var qPoints = Number(q.points) || 0;
        maxPoints += qPoints;
        points += graded.points;
        return {
          id: q.id, type: q.type, points: graded.points, maxPoints: qPoints,
          correct: graded.correct, response: clone(response), expected: clone(q.expected)
        };
      });
      var scaled = maxPoints > 0 ? Math.round((points / maxPoints) * 10000) / 10000 : 0;
      var mastery = typeof key.mastery === "number" ? key.mastery : 0.7;
      return {
        quiz: key.name, points: points, maxPoints: maxPoints, scaled: scaled,
        passed: scaled + EPSILON >= mastery, questions: questions
      };
    }

    /* ------------------------------------------------------------ feedback */

    function showResult(quiz, result) {
      var form = quiz.form;
      var byId = {};
      (result && result.questions || []).forEach(function (r) { byId[r.id] = r; });
      quiz.key.questions.forEach(function (q) {
        var fieldset = toArray(form.querySelectorAll("fieldset[data-lc-question]")).filter(function (el) {
          return el.getAttribute("data-lc-question") === q.id;
        })[0];
        if (!fieldset) return;
        var r = byId[q.id];
        var box = fieldset.querySelector("[data-lc-feedback]");
        fieldset.classList.remove("lc-correct", "lc-incorrect");
        if (!r) {
          if (box) { box.hidden = true; box.innerHTML = ""; }
          return;
        }
        fieldset.classList.add(r.correct ? "lc-correct" : "lc-incorrect");
        if (!box) return;
        var parts = ['<p class="lc-verdict">' + (r.correct ? text("correct", "Correct") : text("incorrect", "Incorrect")) + "</p>"];
        var chosen = q.type === "single" && typeof r.response === "number" ? [r.response]
          : q.type === "multiple" && Array.isArray(r.response) ? r.response : [];
        chosen.forEach(function (i) {
          var html = q.choiceFeedback && q.choiceFeedback[i];
          if (html) parts.push('<p class="lc-choice-feedback">' + html + "</p>");
        });
        var general = typeof r.feedback === "string" ? r.feedback : q.feedback;  // the server's, else the key's
        if (general) parts.push('<p class="lc-question-feedback">' + general + "</p>");
        box.innerHTML = parts.join("");
        box.hidden = false;
      });
      var out = form.querySelector("[data-lc-quiz-result]");
      if (out) {
        if (!result) {
          out.textContent = "";
          out.removeAttribute("data-lc-passed");
        } else {
          var line = text("points", "{points} of {max} points")
            .replace("{points}", formatNumber(result.points)).replace("{max}", formatNumber(result.maxPoints));
          out.textContent = line + " \u2014 " + (result.passed ? text("passed", "Passed") : text("not_passed", "Not passed"));
          out.setAttribute("data-lc-passed", result.passed ? "true" : "false");
          out.classList.toggle("lc-passed", !!result.passed);
          out.classList.toggle("lc-failed", !result.passed);
        }
      }
    }

    /* ------------------------------------------------------------ quizzes */

    function quizState(name) {
      if (!state.quizzes[name]) state.quizzes[name] = emptyQuizState();
      return state.quizzes[name];
    }

    function answersChanged(name) {
      var quiz = quizzes[name];
      if (quiz.timer) { clearTimeout(quiz.timer); quiz.timer = null; }
      var answers = readAnswers(quiz);
      var entry = quizState(name);
      if (JSON.stringify(entry.answers) === JSON.stringify(answers)) return;
      entry.answers = answers;
      callTracker("answersChanged", [name, snapshot()]);
    }

    function submitted(name, result) {
      var entry = quizState(name);
      entry.submitted = true;
      entry.result = result;
      showResult(quizzes[name], result);
      callTracker("quizSubmitted", [name, clone(result), snapshot()]);
    }

    function showScoreSent(quiz, sent) {
      var box = quiz.form.querySelector("[data-lc-score-sent]");
      if (!box) return;
      if (sent !== true && sent !== false) {
        box.setAttribute("data-lc-score-sent", "");
        box.textContent = "";
        box.hidden = true;
        return;
      }
      box.setAttribute("data-lc-score-sent", sent ? "true" : "false");
      box.textContent = sent ? text("score_sent", "Your score was sent to the learning environment.")
        : text("score_not_sent", "Your score could not be sent to the learning environment.");
      box.hidden = false;
    }

    function gradingFailed(quiz) {
      var out = quiz.form.querySelector("[data-lc-quiz-result]");
      if (out) out.textContent = text("grading_failed", "Your answers could not be checked; try again.");
    }

    /* Without the answer key in the page, the server that served it grades (lc-grade-url). */
    function gradeOnServer(name, answers) {
      var quiz = quizzes[name];
      var request = new XMLHttpRequest();
      request.open("POST", gradeUrl, true);
      request.setRequestHeader("Content-Type", "application/json");
      if (csrfToken !== null) request.setRequestHeader("X-CSRF-Token", csrfToken);
      request.onload = function () {
        var reply = null;
        try { reply = JSON.parse(request.responseText); } catch (e) { reply = null; }
        if (request.status !== 200 || !reply || !reply.result || typeof reply.result !== "object") {
          gradingFailed(quiz);
          return;
        }
        submitted(name, reply.result);
        showScoreSent(quiz, reply.scoreSent);
      };
      request.onerror = function () { gradingFailed(quiz); };
      request.send(JSON.stringify({ quiz: name, answers: answers }));
    }

    function submit(name) {
      var quiz = quizzes[name];
      if (quiz.timer) { clearTimeout(quiz.timer); quiz.timer = null; }
      var entry = quizState(name);
      entry.answers = readAnswers(quiz);
      if (gradeUrl !== null) gradeOnServer(name, clone(entry.answers));
      else if (quiz.key.answerKey === false) gradingFailed(quiz);  // no key, no server
      else submitted(name, score(quiz, entry.answers));
    }

    toArray(document.querySelectorAll("form[data-lc-quiz]")).forEach(function (form) {
      var name = form.getAttribute("data-lc-quiz");
      var key = toArray(document.querySelectorAll("script[data-lc-quiz-key]")).filter(function (el) {
        return el.getAttribute("data-lc-quiz-key") === name;
      }).map(readJSON)[0];
      if (!key || !key.questions) return;
      key.name = key.name || name;
      quizzes[name] = { form: form, key: key, timer: null };
    });

    if (info && info.quizzes) {
      Object.keys(info.quizzes).forEach(function (name) { state.quizzes[name] = emptyQuizState(); });
    }
    Object.keys(quizzes).forEach(function (name) { quizState(name); });

    /* ------------------------------------------------------------ restoring */

    var saved = info ? callTracker("start", [clone(info)]) : undefined;
    if (saved && typeof saved === "object") {
      if (Array.isArray(saved.visited)) {
        state.visited = saved.visited.filter(function (i) {
          return typeof i === "number" && i >= 0 && i < unitCount;
        });
      }
      if (typeof saved.unit === "number" && saved.unit >= 0 && saved.unit < unitCount) state.unit = saved.unit;
      if (saved.quizzes && typeof saved.quizzes === "object") {
        Object.keys(saved.quizzes).forEach(function (name) {
          var s = saved.quizzes[name] || {};
          state.quizzes[name] = {
            answers: s.answers && typeof s.answers === "object" ? clone(s.answers) : {},
            submitted: !!s.submitted,
            result: s.result && typeof s.result === "object" ? clone(s.result) : null
          };
        });
      }
    }
    Object.keys(quizzes).forEach(function (name) {
      var quiz = quizzes[name];
      var entry = quizState(name);
      quiz.key.questions.forEach(function (q) {
        if (entry.answers.hasOwnProperty(q.id)) writeAnswer(quiz.form, q, entry.answers[q.id]);
      });
      entry.answers = readAnswers(quiz);
      if (entry.submitted && entry.result) showResult(quiz, entry.result);
    });

    Object.keys(quizzes).forEach(function (name) {
      var form = quizzes[name].form;
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        submit(name);
      });
      form.addEventListener("change", function () { answersChanged(name); });
      form.addEventListener("input", function (event) {
        var target = event.target;
        if (!target || target.type !== "text") return;
        var quiz = quizzes[name];
        if (quiz.timer) clearTimeout(quiz.timer);
        quiz.timer = setTimeout(function () { answersChanged(name); }, 400);
      });
    });

    /* ------------------------------------------------------------ navigation */

    if (!mains.length) return;  // a page with only a quiz (Jupyter Book)

    var toc = toArray(document.querySelectorAll("[data-lc-nav-unit]"));
    var prev = document.querySelector('[data-lc-nav="prev"]');
    var next = document.querySelector('[data-lc-nav="next"]');

    function markVisited(index) {
      if (state.visited.indexOf(index) < 0) state.visited.push(index);
      state.visited.sort(function (a, b) { return a - b; });
    }

    function setPager(link, index) {
      if (!link) return;
      var ok = index >= 0 && index < unitCount;
      if (ok) {
        link.setAttribute("href", "#unit-" + index);
        link.removeAttribute("aria-disabled");
        link.hidden = false;
      } else {
        link.removeAttribute("href");
        link.setAttribute("aria-disabled", "true");
        link.hidden = true;
      }
    }

    function show(index, focus) {
      mains.forEach(function (main) {
        main.hidden = Number(main.getAttribute("data-lc-unit")) !== index;
      });
      if (single) {
        // one page for every unit: the contents and the pager follow the current unit
        toc.forEach(function (link) {
          if (Number(link.getAttribute("data-lc-nav-unit")) === index) link.setAttribute("aria-current", "page");
          else link.removeAttribute("aria-current");
        });
        setPager(prev, index - 1);
        setPager(next, index + 1);
      }
      state.unit = index;
      markVisited(index);
      if (focus) {
        var main = mains.filter(function (m) { return Number(m.getAttribute("data-lc-unit")) === index; })[0];
        var heading = main && main.querySelector("h1");
        var target = heading || main;
        if (heading && !heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
        if (target && target.focus) {
          try { target.focus({ preventScroll: true }); } catch (e) { target.focus(); }
        }
        window.scrollTo(0, 0);
      }
      callTracker("unitShown", [index, snapshot()]);
    }

    function unitOf(element) {
      while (element && element !== document.body) {
        if (element.hasAttribute && element.hasAttribute("data-lc-unit")) {
          return Number(element.getAttribute("data-lc-unit"));
        }
        element = element.parentNode;
      }
      return null;
    }

    /* The unit (and element) a #hash points at: #unit-3, or an id inside a unit. */
    function hashTarget(hash) {
      if (!hash || hash.length < 2) return null;
      var id;
      try { id = decodeURIComponent(hash.slice(1)); } catch (e) { id = hash.slice(1); }
      var match = /^unit-(\d+)$/.exec(id);
      if (match) {
        var n = Number(match[1]);
        return n < unitCount ? { unit: n, element: null } : null;
      }
      var element = document.getElementById(id);
      var unit = element ? unitOf(element) : null;
      return unit === null ? null : { unit: unit, element: element };
    }

    function setHash(index) {
      try {
        history.replaceState(history.state, "", "#unit-" + index);
      } catch (e) { /* a sandboxed frame may refuse; the unit is shown anyway */ }
    }

    function go(index) {
      if (index < 0 || index >= unitCount) return;
      show(index, true);
      setHash(index);
    }

    if (!single) {
      // one unit per page: the links are ordinary links between pages
      show(Number(mains[0].getAttribute("data-lc-unit")), false);
      return;
    }

    var first = hashTarget(window.location.hash);
    show(first ? first.unit : state.unit, false);
    if (first && first.element && first.element.scrollIntoView) first.element.scrollIntoView();
    else if (first) window.scrollTo(0, 0);

    toc.forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        go(Number(link.getAttribute("data-lc-nav-unit")));
      });
    });
    [prev, next].forEach(function (link) {
      if (!link) return;
      link.addEventListener("click", function (event) {
        event.preventDefault();
        go(state.unit + (link === next ? 1 : -1));
      });
    });
    // links in the text to another unit (#unit-3) or to a place in one (#u3-a-heading)
    document.addEventListener("click", function (event) {
      if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
      var link = event.target && event.target.closest ? event.target.closest('a[href^="#"]') : null;
      if (!link || link.hasAttribute("data-lc-nav") || link.hasAttribute("data-lc-nav-unit")) return;
      var target = hashTarget(link.getAttribute("href"));
      if (!target) return;
      event.preventDefault();
      if (target.unit !== state.unit) show(target.unit, !target.element);
      if (target.element && target.element.scrollIntoView) target.element.scrollIntoView();
      try {
        history.replaceState(history.state, "", link.getAttribute("href"));
      } catch (e) { /* the unit is shown anyway */ }
    });
    window.addEventListener("hashchange", function () {
      var target = hashTarget(window.location.hash);
      if (!target) return;
      if (target.unit !== state.unit) show(target.unit, !target.element);
      if (target.element && target.element.scrollIntoView) target.element.scrollIntoView();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
