"""The learner's stub for a code solution, in the notebook's programming language and the
module's language (its words from the string catalogue, core/strings.py)."""

from __future__ import annotations

import re

from nbformat import NotebookNode

from lcmodules.core.strings import N_, translator

# Line-comment syntax per kernel language (lowercase `kernelspec.language` / `language_info.name`).
COMMENT: dict[str, str] = {
    **dict.fromkeys(("python", "r", "julia", "bash", "sh", "ruby", "perl", "powershell",
                     "nim", "elixir", "coconut", "sage"), "#"),
    **dict.fromkeys(("c++", "cpp", "c", "java", "javascript", "typescript", "rust", "go", "c#",
                     "csharp", "f#", "fsharp", "scala", "kotlin", "swift", "dart", "groovy",
                     "zig", "php"), "//"),
    **dict.fromkeys(("matlab", "octave", "prolog", "erlang", "tex", "latex"), "%"),
    **dict.fromkeys(("haskell", "lua", "sql", "ada", "elm", "idris", "agda"), "--"),
    **dict.fromkeys(("fortran",), "!"),
    **dict.fromkeys(("lisp", "scheme", "clojure", "racket", "common-lisp"), ";;"),
}
DEFAULT_COMMENT = "#"
# The comment and the stop line's text, in the module's language (the string catalogue).
YOUR_CODE = N_("YOUR CODE HERE")
NOT_DONE = N_("not implemented yet")
# A line that stops the cell until the learner writes the code, where the language has one
# (`{}` = the NOT_DONE text); Python keeps nbgrader's own line.
STOP: dict[str, str] = {
    "python": "raise NotImplementedError()",
    "r": 'stop("{}")',
    "julia": 'error("{}")',
}


def notebook_language(nb: NotebookNode | dict) -> str:
    """The notebook's programming language, lowercase: `kernelspec.language`, else
    `language_info.name`, else python (Jupyter's default kernel); a version is dropped
    (`C++17` → `c++`, `python3` → `python`)."""
    meta = nb.get("metadata") or {}
    for value in ((meta.get("kernelspec") or {}).get("language"),
                  (meta.get("language_info") or {}).get("name")):
        if isinstance(value, str) and value.strip():
            return re.sub(r"[\d.]+$", "", value.strip().lower()) or value.strip().lower()
    return "python"


def code_stub(language: str, text_language: str | None = None) -> tuple[str, ...]:
    """The lines that replace a solution region: a comment, and where the language has one a
    line that stops the cell (`# YOUR CODE HERE` / `raise NotImplementedError()` in Python)."""
    words = translator(text_language or "en")
    comment = COMMENT.get(language, DEFAULT_COMMENT)
    lines = [f"{comment} {words.gettext(YOUR_CODE)}"]
    if language in STOP:
        lines.append(STOP[language].format(words.gettext(NOT_DONE)))
    return tuple(lines)
