"""A book's interactive questions (jupyterquiz, teachbooks-questions) as lcmodules knowledge checks."""

from __future__ import annotations

import ast
import base64
import binascii
import json
import math
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lcmodules.importbook.notes import Notes

SPAN = re.compile(r"<(?:span|div)\b[^>]*\b(?:id|class)=[\"']([^\"']+)[\"'][^>]*>(.*?)</(?:span|div)>",
                  re.S)
DIRECTIVE = re.compile(r"^(?P<fence>:{3,}|`{3,})\{question\}[^\S\n]*(?P<title>[^\n]*)\n"
                       r"(?P<body>.*?)^(?P=fence)[^\S\n]*$", re.M | re.S)
OPTION = re.compile(r"^\[( |x|X)\] (.*)$")
FIELD = re.compile(r"^(T|TI|TF|MAP|MR|MNR|M|MRP|ME|MRE|MNRE|MAPE|MRPE)\[((?:\\.|[^\]])*)\]")
RANGE = re.compile(r"^\s*(-?[\d.eE+-]+)\s*<=?\s*x\s*<=?\s*(-?[\d.eE+-]+)\s*$")
BLOCK = re.compile(r"^\s*(```|:::|\$\$|!\[|\|)", re.M)
TITLES = {"nl": "Kennischeck", "en": "Knowledge check", "de": "Wissenscheck"}


class Unconvertible(ValueError):
    """A question lcmodules has no equivalent for; the message says why."""


@dataclass
class Found:
    """The questions of one page or notebook, and where each came from."""

    questions: list[dict[str, Any]] = field(default_factory=list)

    def add(self, question: dict[str, Any], notes: Notes, src: str, line: int,
            where: str = "") -> None:
        """Add a converted question under an id unique in its quiz."""
        ident = question.pop("id", "") or f"q{len(self.questions) + 1}"
        if any(q["id"] == ident for q in self.questions):
            ident = f"q{len(self.questions) + 1}"
        self.questions.append({"id": ident, **question})


def quiz_document(title: str, found: Found, language: str) -> dict[str, Any] | None:
    """The `.quiz.yml` content for the questions of one page, or None when there are none."""
    if not found.questions:
        return None
    word = TITLES.get(language.split("-")[0], TITLES["en"])
    return {"title": f"{word}: {title}", "questions": found.questions}


def one_line(markdown: str, what: str) -> str:
    """Markdown as one line of inline MyST (a question's prompt); block constructs refuse."""
    if BLOCK.search(markdown):
        raise Unconvertible(f"its {what} holds a block (code, directive, display math, image or "
                            "table) that a knowledge-check prompt cannot show")
    text = re.sub(r"\s+", " ", markdown).strip()
    if not text:
        raise Unconvertible(f"it has no {what}")
    return text


# ---------------------------------------------------------------- jupyterquiz


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise Unconvertible(f"'{value}' is not a number")
    try:
        number = float(value)
    except ValueError:
        raise Unconvertible(f"'{value}' is not a number") from None
    if not math.isfinite(number):
        raise Unconvertible(f"'{value}' is not a finite number")
    return number


def significant_tolerance(value: float, digits: int) -> float:
    """Half a unit in the last of `digits` significant digits of `value` (jupyterquiz ≥ 2.8
    compares numeric answers to that many significant digits)."""
    if value == 0 or digits <= 0:
        return 0.0
    exponent = math.floor(math.log10(abs(value))) - digits + 1
    return float(f"{0.5 * 10 ** exponent:.12g}")


def _choices(answers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    result = []
    for a in answers:
        choice: dict[str, Any] = {"text": one_line(str(a.get("answer", "")), "answer text")}
        if a.get("correct") is True:
            choice["correct"] = True
        if a.get("feedback"):
            choice["feedback"] = str(a["feedback"]).strip()
        result.append(choice)
    if len(result) < 2:
        raise Unconvertible("a choice question needs at least two answers")
    return result


def _numeric(q: dict[str, Any], answers: list[dict[str, Any]]) -> dict[str, Any]:
    right = [a for a in answers if a.get("correct") is True and a.get("type") != "default"]
    if len(right) != 1:
        raise Unconvertible(f"it has {len(right)} correct numeric answers; a numeric question "
                            "has exactly one (a value or a range)")
    a = right[0]
    if a.get("type") == "range":
        bounds = a.get("range")
        if not isinstance(bounds, list) or len(bounds) != 2:
            raise Unconvertible("its correct range is not [low, high]")
        low, high = _number(bounds[0]), _number(bounds[1])
        answer, tolerance = (low + high) / 2, abs(high - low) / 2
    else:
        answer = _number(a.get("value"))
        precision = q.get("precision", a.get("precision"))
        tolerance = significant_tolerance(answer, int(_number(precision))) if precision else 0.0
    result: dict[str, Any] = {"type": "numeric", "answer": answer}
    if tolerance:
        result["tolerance"] = tolerance
    if a.get("feedback"):
        result["feedback"] = str(a["feedback"]).strip()
    return result


def from_jupyterquiz(q: Any) -> dict[str, Any]:
    """One jupyterquiz question (a dict of its JSON) as an lcmodules question."""
    if not isinstance(q, dict):
        raise Unconvertible("it is not a JSON object")
    kind, answers = q.get("type"), q.get("answers")
    if not isinstance(answers, list) or not all(isinstance(a, dict) for a in answers):
        raise Unconvertible("it has no list of `answers`")
    prompt = one_line(str(q.get("question", "")), "question")
    code = q.get("code")
    if code:
        if "\n" in str(code).strip() or "`" in str(code):
            raise Unconvertible("its `code` spans lines; a knowledge-check prompt is one line")
        prompt += f" `{str(code).strip()}`"
    head: dict[str, Any] = {"prompt": prompt}
    if kind in ("multiple_choice", "many_choice"):
        choices = _choices(answers)
        correct = sum(1 for c in choices if c.get("correct"))
        if kind == "multiple_choice" and correct != 1:
            raise Unconvertible(f"a multiple_choice question with {correct} correct answers "
                                "(any one of them counts there) has no lcmodules equivalent")
        if correct == 0:
            raise Unconvertible("no answer is marked correct")
        return {**head, "type": "single" if kind == "multiple_choice" else "multiple",
                "choices": choices}
    if kind == "numeric":
        return {**head, **_numeric(q, answers)}
    if kind == "string":
        accepted = [str(a["answer"]).strip() for a in answers
                    if a.get("correct") is True and str(a.get("answer", "")).strip()]
        if not accepted:
            raise Unconvertible("no answer is marked correct")
        return {**head, "type": "text", "answers": accepted}
    raise Unconvertible(f"the question type '{kind}' is not one jupyterquiz documents")


# ---------------------------------------------------------------- where display_quiz finds them


@dataclass(frozen=True)
class JsonFile:
    """A name bound to a JSON file the notebook reads (`q = json.load(open("01.json"))`)."""

    path: str  # as written, relative to the notebook


@dataclass
class NotebookQuizzes:
    """The `display_quiz(...)` calls of one notebook, resolved to question lists."""

    book: Path
    src: str  # the notebook, relative to the book
    markdown: list[str]  # every markdown cell's source (for `#id` references)
    assigned: dict[str, ast.expr | JsonFile] = field(default_factory=dict)
    opened: dict[str, str] = field(default_factory=dict)  # `with open("x") as f`: f → "x"

    def calls(self, code: str) -> list[tuple[ast.Call, int]]:
        """The `display_quiz` calls of a code cell (with their line in the cell), remembering
        the names the cell assigns; IPython magics are skipped, nothing is executed."""
        lines = [("" if line.lstrip().startswith(("%", "!")) else line)
                 for line in code.splitlines()]
        try:
            tree = ast.parse("\n".join(lines))
        except SyntaxError:
            return []
        found = []
        for node in ast.walk(tree):
            if isinstance(node, ast.With):
                for item in node.items:
                    path = _opened(item.context_expr)
                    if path is not None and isinstance(item.optional_vars, ast.Name):
                        self.opened[item.optional_vars.id] = path
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        read = self.json_read(node.value)
                        self.assigned[target.id] = JsonFile(read) if read else node.value
            elif isinstance(node, ast.Call) and _name(node.func) == "display_quiz":
                found.append((node, node.lineno))
        return found

    def json_read(self, node: ast.expr) -> str | None:
        """The file of `json.load(open("x"))`, `json.load(f)` (f opened by `with`),
        `json.loads(open("x").read())` or `json.loads(Path("x").read_text())`, else None."""
        if not isinstance(node, ast.Call) or _name(node.func) not in ("load", "loads") \
                or len(node.args) != 1:
            return None
        arg = node.args[0]
        if isinstance(arg, ast.Name):
            return self.opened.get(arg.id)
        if isinstance(arg, ast.Call) and _name(arg.func) in ("read", "read_text") \
                and isinstance(arg.func, ast.Attribute):
            arg = arg.func.value  # open("x").read(), Path("x").read_text()
        return _opened(arg)

    def questions(self, call: ast.Call) -> list[tuple[Any, str]]:
        """The questions a call displays (a literal list, a name bound to one or to a JSON file
        the notebook reads — whole, one item `q[2]` or a slice `q[1:3]` —, a JSON file or an
        `#id` element in a markdown cell), each with its stable id ("" = by position; from
        a file: `<file stem>-<its number in the file>`)."""
        if not call.args:
            raise Unconvertible("display_quiz is called without questions")
        value, ids = self.value(call.args[0])
        if isinstance(value, str):
            path: str = value
            value, ids = self.referenced(path), _file_ids(path)
        if isinstance(value, list):
            return [(q, ids[i] if i < len(ids) else "") for i, q in enumerate(value)]
        return [(value, ids[0] if ids else "")]

    def value(self, arg: ast.expr) -> tuple[Any, list[str]]:
        """What an argument of display_quiz stands for, read without running code, and the
        ids of its questions when they come from a file."""
        if isinstance(arg, ast.Subscript):
            whole, ids = self.value(arg.value)
            return _subscript(whole, ids, arg.slice)
        if isinstance(arg, ast.Name):
            if arg.id not in self.assigned:
                raise Unconvertible(f"'{arg.id}' is not assigned a literal in the notebook "
                                    "before this cell (lcmodules never runs book code)")
            bound = self.assigned[arg.id]
            if isinstance(bound, JsonFile):
                return self.referenced(bound.path, whole=True), _file_ids(bound.path)
            arg = bound
        try:
            return ast.literal_eval(arg), []
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            raise Unconvertible("its questions are computed by code, not written as a literal "
                                "(lcmodules never runs book code)") from None

    def referenced(self, ref: str, whole: bool = False) -> Any:
        """The questions `display_quiz("ref")` shows (a URL, `#id` or a JSON file of the book,
        relative to the notebook), as a list; `whole`: a file's JSON as it is (an object of
        question lists stays one)."""
        if ref.startswith(("http://", "https://")):
            raise Unconvertible(f"its questions are at '{ref}', which the import does not "
                                "download: save the JSON next to the notebook and name it")
        if ref.startswith("#"):
            return self.element(ref[1:])
        rel = posixpath.normpath(posixpath.join(posixpath.dirname(self.src), ref))
        path = self.book / rel
        if rel.startswith("../") or not path.is_file():
            raise Unconvertible(f"'{ref}' is not a file of the book")
        value = _json_value(path.read_text(encoding="utf-8", errors="replace"), ref)
        return value if whole or isinstance(value, list) else [value]

    def element(self, name: str) -> list[Any]:
        for source in self.markdown:
            for match in SPAN.finditer(source):
                if name in match.group(1).split():
                    text = match.group(2).strip()
                    if not text.startswith(("[", "{")):
                        try:
                            text = base64.b64decode(text, validate=True).decode("utf-8")
                        except (binascii.Error, UnicodeDecodeError):
                            raise Unconvertible(f"the element '#{name}' holds neither JSON "
                                                "nor base64 JSON") from None
                    return _json_list(text, f"#{name}")
        raise Unconvertible(f"no markdown cell holds an element '#{name}'")


def _opened(node: ast.expr) -> str | None:
    """The path of `open("x", …)` or `Path("x")` / `pathlib.Path("x")`, else None."""
    if isinstance(node, ast.Call) and _name(node.func) in ("open", "Path") and node.args \
            and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
        return node.args[0].value
    return None


def _file_ids(path: str) -> list[str]:
    """Stable ids for the questions of a JSON file: its stem and each one's number in it."""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", posixpath.basename(path).rsplit(".", 1)[0]).strip("-")
    return [f"{stem or 'quiz'}-{n}" for n in range(1, 1001)]


def _subscript(whole: Any, ids: list[str], index: ast.expr) -> tuple[Any, list[str]]:
    """`whole[index]` for a constant index or slice (what `display_quiz(q[2])` shows), or a
    constant key of a JSON object of question lists (`q["loops"]`)."""
    if isinstance(whole, dict) and isinstance(index, ast.Constant) and index.value in whole:
        picked, stem = whole[index.value], ids[0].rsplit("-", 1)[0] if ids else ""
        key = re.sub(r"[^A-Za-z0-9_-]+", "-", str(index.value)).strip("-")
        named = [f"{stem}-{key}-{n}" for n in range(1, 1001)] if stem else []
        return picked, named if isinstance(picked, list) else named[:1]
    if not isinstance(whole, list):
        raise Unconvertible("it picks an item of something that is not a list of questions")
    try:
        if isinstance(index, ast.Slice):
            bounds = [ast.literal_eval(b) if b is not None else None
                      for b in (index.lower, index.upper, index.step)]
            picked = slice(*bounds)
            return whole[picked], ids[:len(whole)][picked]
        number = ast.literal_eval(index)
        return whole[number], [ids[number]] if ids else []
    except (ValueError, TypeError, IndexError, SyntaxError):
        raise Unconvertible("it picks its questions by a computed index, or one the list does "
                            "not have (lcmodules never runs book code)") from None


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    return node.attr if isinstance(node, ast.Attribute) else None


def _json_value(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise Unconvertible(f"'{what}' is not valid JSON (line {exc.lineno}: {exc.msg})") from None


def _json_list(text: str, what: str) -> list[Any]:
    value = _json_value(text, what)
    return value if isinstance(value, list) else [value]


def notebook_quizzes(book: Path, src: str, cells: list[tuple[str, str, int]], found: Found,
                     notes: Notes) -> None:
    """Every display_quiz question of a notebook (`cells`: type, source, line in the file)."""
    scan = NotebookQuizzes(book, src, [s for t, s, _ in cells if t == "markdown"])
    for n, (kind, source, line) in enumerate(cells, start=1):
        if kind != "code" or "display_quiz" not in source:
            continue
        for call, _ in scan.calls(source):
            try:
                questions = scan.questions(call)
            except Unconvertible as why:
                notes.warn(src, line, f"cell {n}: a jupyterquiz quiz was not converted: {why}",
                           "write its questions in a .quiz.yml knowledge check by hand")
                continue
            for i, (q, ident) in enumerate(questions, start=1):
                try:
                    converted = from_jupyterquiz(q)
                    found.add({"id": ident, **converted} if ident else converted, notes, src,
                              line, f"cell {n}: jupyterquiz question {i}: ")
                except Unconvertible as why:
                    notes.warn(src, line, f"cell {n}: jupyterquiz question {i} was not "
                               f"converted: {why}", "add it to the module's knowledge check "
                               "by hand")


# ---------------------------------------------------------------- teachbooks-questions


def question_directives(src: str, text: str, first_line: int, found: Found, notes: Notes,
                        where: str = "") -> None:
    """Every `{question}` directive of a page (or markdown cell starting at `first_line`)."""
    for match in DIRECTIVE.finditer(text):
        line = first_line + text.count("\n", 0, match.start())
        try:
            found.add(from_teachbooks(match.group("title"), match.group("body")), notes, src,
                      line, where)
        except Unconvertible as why:
            notes.warn(src, line, f"{where}a teachbooks question was not converted: {why}",
                       "add it to the module's knowledge check by hand")


def _options(body: str) -> tuple[dict[str, str], str, str]:
    """The directive's `:name: value` options, then the part before the first `---` and the
    question code between the two `---` lines."""
    lines, options = body.splitlines(), {}
    while lines and lines[0].startswith(":"):
        key, _, value = lines.pop(0)[1:].partition(":")
        options[key.strip()] = value.strip()
    parts = re.split(r"^---[^\S\n]*$", "\n".join(lines), maxsplit=2, flags=re.M)
    if len(parts) < 2:
        raise Unconvertible("it has no `---` line before its options or input fields")
    return options, parts[0], parts[1]


def from_teachbooks(title: str, body: str) -> dict[str, Any]:
    """One teachbooks `{question}` directive as an lcmodules question."""
    options, pre, code = _options(body)
    kind = options.get("type") or "multiple-choice"
    variant = options.get("variant") or ""
    prompt = one_line(pre, "text before the options") if pre.strip() else \
        one_line(title, "title")
    label = options.get("label", "")
    head = {"id": label if re.fullmatch(r"[A-Za-z0-9_-]+", label) else "", "prompt": prompt}
    if kind == "multiple-choice":
        choices, overall = _tb_choices(code)
        correct = sum(1 for c in choices if c.get("correct"))
        multiple = variant == "multiple-select"
        if correct == 0 or (not multiple and correct != 1):
            raise Unconvertible(f"it has {correct} correct options")
        result = {**head, "type": "multiple" if multiple else "single", "choices": choices}
        return {**result, "feedback": overall} if overall else result
    if kind == "short-answer":
        return {**head, **_tb_short(code, variant)}
    raise Unconvertible(f"a question of type '{kind}' asks for no answer")


def _tb_choices(code: str) -> tuple[list[dict[str, Any]], str]:
    """`[x] option` / `[ ] option` with `> feedback` lines; the `^^^ = …` overall feedback."""
    options, _, after = code.partition("\n^^^")
    choices: list[dict[str, Any]] = []
    part = ""
    for line in options.splitlines():
        match = OPTION.match(line)
        if match:
            choices.append({"text": match.group(2), **({"correct": True}
                                                      if match.group(1) != " " else {})})
            part = "text"
        elif line.startswith(("> ", "& ")) and choices:
            part = "feedback" if line.startswith(">") else "skip"
            if part == "feedback":
                choices[-1]["feedback"] = line[2:]
        elif choices and part in ("text", "feedback"):
            choices[-1][part] = choices[-1].get(part, "") + "\n" + line
    for c in choices:
        c["text"] = one_line(c["text"], "option")
        if "feedback" in c:
            c["feedback"] = one_line(c["feedback"], "feedback") if c["feedback"].strip() else None
            if c["feedback"] is None:
                del c["feedback"]
    if len(choices) < 2:
        raise Unconvertible("it has fewer than two options")
    overall = re.search(r"^= (.*)$", after, re.M)
    return choices, overall.group(1).strip() if overall else ""


def _tb_short(code: str, variant: str) -> dict[str, Any]:
    """A short-answer question with one input field: text (T, TI, TF) or a number (MAP, MR)."""
    if variant == "gaps":
        raise Unconvertible("a fill-in-the-gaps question has no lcmodules equivalent")
    fields = [f for f in (FIELD.match(line) for line in code.splitlines()) if f is not None]
    if len(fields) != 1:
        raise Unconvertible(f"it has {len(fields)} input fields; a knowledge-check question "
                            "has one")
    mode, answer = fields[0].group(1), fields[0].group(2)
    answers = [a.replace("\\;", ";").strip() for a in re.split(r"(?<!\\);", answer)]
    if mode in ("T", "TI", "TF"):
        return {"type": "text", "answers": [a for a in answers if a]}
    try:
        if mode == "MAP" and len(answers) == 2:
            return {"type": "numeric", "answer": _number(answers[0]),
                    "tolerance": abs(_number(answers[1]))}
        bounds = RANGE.match(answer) if mode in ("MR", "MNR") else None
        if bounds:
            low, high = _number(bounds.group(1)), _number(bounds.group(2))
            return {"type": "numeric", "answer": (low + high) / 2,
                    "tolerance": abs(high - low) / 2}
    except Unconvertible as why:
        raise Unconvertible(f"its answer is LaTeX math, not a number ({why})") from None
    raise Unconvertible(f"the math input `{mode}[…]` (checked by MathLive in the browser) has "
                        "no lcmodules equivalent")


MOVED = {"nl": "*(Deze vraag staat in de kennischeck na deze pagina.)*",
         "en": "*(This question is in the knowledge check after this page.)*",
         "de": "*(Diese Frage steht im Wissenscheck nach dieser Seite.)*"}


def without_converted(text: str, language: str) -> str:
    """A page with each `{question}` directive that converts replaced by a line pointing to the
    knowledge check (left as it is, its options would show the answers as plain text)."""
    pointer = MOVED.get(language.split("-")[0], MOVED["en"])

    def replace(match: re.Match[str]) -> str:
        try:
            from_teachbooks(match.group("title"), match.group("body"))
        except Unconvertible:
            return match.group(0)
        return pointer + "\n"

    return DIRECTIVE.sub(replace, text)
