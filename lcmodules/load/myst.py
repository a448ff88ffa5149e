"""MyST syntax shared by loading, validation and rendering: directives, roles, and what warns."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import latex2mathml.converter
from markdown_it.token import Token

from lcmodules.load.bibliography import cite_keys
from lcmodules.load.document import Document, parse_document

DIRECTIVE = re.compile(r"^\{([A-Za-z0-9_:.-]+)\}\s*(.*)$")
OPTION = re.compile(r"^:([A-Za-z0-9_-]+):\s*(.*)$")
ROLE_TARGET = re.compile(r"^(.*?)\s*<([^<>]*)>\s*$", re.S)  # `text <target>`, target may be empty

ADMONITIONS = ("note", "tip", "warning", "important", "caution", "danger", "hint", "seealso",
               "attention", "error")
CODE_DIRECTIVES = ("code", "code-block", "sourcecode", "code-cell")
# directives the renderer shows (navigation directives show nothing: pages have their own)
DIRECTIVES = {
    *ADMONITIONS, *CODE_DIRECTIVES, "admonition", "dropdown", "toggle", "figure", "image", "math",
    "raw", "toctree", "tableofcontents", "bibliography", "epigraph", "pull-quote", "highlights",
    "margin", "sidebar", "topic", "card", "grid", "grid-item", "grid-item-card", "tab-set",
    "tab-item", "tab", "list-table", "csv-table", "table", "include", "eval-rst", "div",
}
ROLES = {
    "math", "sub", "sup", "kbd", "abbr", "doc", "ref", "download", "numref", "term", "code",
    "samp", "literal", "file", "command", "program", "envvar", "guilabel", "menuselection",
    "emphasis", "strong", "eq", "cite", "cite:p", "cite:t",
}
RST_SETTINGS = {"report_level": 2, "halt_level": 5, "raw_enabled": False,
                "file_insertion_enabled": False, "input_encoding": "unicode",
                "output_encoding": "unicode", "doctitle_xform": False, "initial_header_level": 3,
                "embed_stylesheet": False, "math_output": "MathML"}


@dataclass
class Directive:
    """A parsed ```` ```{name} argument ```` block; `body_offset` = option lines before the body."""

    name: str
    argument: str
    options: dict[str, str]
    body: str
    body_offset: int = 0


def parse_directive(info: str, content: str) -> Directive | None:
    """`{name} argument` plus `:key: value` (or `---` YAML) options and a body; None if not one."""
    match = DIRECTIVE.match(info.strip())
    if not match:
        return None
    lines = content.splitlines()
    options: dict[str, str] = {}
    start = 0
    if lines and lines[0].strip() == "---":
        end = next((i for i, line in enumerate(lines[1:], 1) if line.strip() == "---"), None)
        if end is not None:
            for line in lines[1:end]:
                key, _, value = line.partition(":")
                if key.strip():
                    options[key.strip()] = value.strip().strip("'\"")
            start = end + 1
    else:
        for line in lines:
            opt = OPTION.match(line.strip())
            if not opt:
                break
            options[opt.group(1)] = opt.group(2).strip()
            start += 1
    body = "\n".join(lines[start:])
    return Directive(match.group(1).lower(), match.group(2).strip(), options, body.strip("\n"), start)


def math_error(latex: str) -> str | None:
    """Why latex2mathml cannot convert this LaTeX, or None when it can."""
    try:
        latex2mathml.converter.convert(latex.strip())
    except Exception as exc:  # latex2mathml raises many kinds of errors on unsupported input
        return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return None


def render_rst(text: str) -> tuple[str, list[tuple[int, str]]]:
    """reStructuredText → HTML body with docutils (no raw, no file inclusion); plus its
    problems as (0-based line, message)."""
    from docutils.core import publish_parts

    stream = io.StringIO()
    settings = {**RST_SETTINGS, "warning_stream": stream}
    parts = publish_parts(text, writer_name="html5", settings_overrides=settings)
    problems = []
    for raw in stream.getvalue().splitlines():
        found = re.match(r"^<string>:(\d+): \((\w+)/\d\) (.*)$", raw)
        if found:
            problems.append((int(found.group(1)) - 1, found.group(3)))
    return parts["body"], problems


@dataclass(frozen=True)
class MystProblem:
    """Something in MyST text that will not show as the author meant: a warning."""

    line: int  # 0-based within the text (plus the offset given)
    message: str
    hint: str


def myst_problems(text: str, line_offset: int = 0,
                  bib_keys: set[str] | None = None) -> list[MystProblem]:
    """Unknown directives and roles, unclosed fences, LaTeX that cannot be converted, reST
    that docutils cannot render, citations missing from `bib_keys` (lowercase) — each with
    what will appear instead."""
    return document_problems(parse_document(text), line_offset, bib_keys)


def document_problems(document: Document, line_offset: int = 0,
                      bib_keys: set[str] | None = None) -> list[MystProblem]:
    """`myst_problems` of a parsed document."""
    problems: list[MystProblem] = []
    lines = document.text.split("\n")
    for token in document.tokens:
        line = (token.map[0] if token.map else 0) + line_offset
        if token.type in ("fence", "colon_fence"):
            if _unclosed(token, lines):
                problems.append(MystProblem(line, f"the fence '{token.markup}' opened here is never "
                                            "closed: everything after it is shown as its content",
                                            f"close it with a line '{token.markup}'"))
            problems.extend(_directive_problems(document, token, line, bib_keys))
        elif token.type in ("math_block", "math_block_label"):
            problems.extend(_math_problem(token.content, line))
        elif token.type == "inline":
            problems.extend(_inline_problems(token.children or [], line, bib_keys))
    return problems


def _unclosed(token: Token, lines: list[str]) -> bool:
    if not token.map:
        return False
    last = lines[token.map[1] - 1].strip() if token.map[1] - 1 < len(lines) else ""
    closed = token.map[1] - token.map[0] > 1 and last.startswith(token.markup) and \
        not last.strip(token.markup[0]).strip()
    return not closed


def _math_problem(latex: str, line: int) -> list[MystProblem]:
    error = math_error(latex)
    if error is None:
        return []
    return [MystProblem(line, f"latex2mathml cannot convert this math ({error}): "
                        "it is shown as LaTeX source in <code>",
                        "simplify the LaTeX or write it with commands latex2mathml knows")]


def _directive_problems(document: Document, token: Token, line: int,
                        bib_keys: set[str] | None) -> list[MystProblem]:
    directive = parse_directive(token.info, token.content)
    if directive is None:
        return []
    name = directive.name
    body_line = line + 1 + directive.body_offset
    if name not in DIRECTIVES:
        shown = "its content as plain text" if directive.body.strip() else "nothing"
        return [MystProblem(line, f"unknown directive '{{{name}}}': {shown} will appear instead",
                            "use a directive from docs/rendering.md, or remove it")]
    if name == "math":
        return _math_problem(directive.body or directive.argument, line)
    if name == "raw" and directive.argument.lower() != "html":
        return [MystProblem(line, f"'{{raw}} {directive.argument}' is not HTML: nothing will "
                            "appear", "use `{raw} html`, or remove it")]
    if name == "eval-rst":
        _, found = render_rst(directive.body)
        return [MystProblem(body_line + at, f"eval-rst: {message}: shown as docutils renders it "
                            "(marked as a problem)", "use MyST instead of this reST construct")
                for at, message in found]
    if name in CODE_DIRECTIVES or name in ("csv-table", "bibliography", "raw"):
        return []
    return document_problems(document.body(directive.body), body_line, bib_keys)


def _inline_problems(children: list[Token], line: int,
                     bib_keys: set[str] | None) -> list[MystProblem]:
    problems: list[MystProblem] = []
    for child in children:
        if child.type in ("softbreak", "hardbreak"):
            line += 1
        elif child.type in ("math_inline", "math_inline_double"):
            problems.extend(_math_problem(child.content, line))
        elif child.type == "myst_role":
            name = str(child.meta.get("name", ""))
            if name == "math":
                problems.extend(_math_problem(child.content, line))
            elif name.startswith("cite") and name in ROLES and bib_keys is not None:
                problems.extend(_cite_problems(child.content, line, bib_keys))
            elif name not in ROLES:
                problems.append(MystProblem(line, f"unsupported role '{{{name}}}': its text is "
                                            "shown as code", "use a role from docs/rendering.md"))
    return problems


def _cite_problems(content: str, line: int, bib_keys: set[str]) -> list[MystProblem]:
    return [MystProblem(line, f"citation '{key}' is not in the module's .bib files: "
                        f"'[{key}?]' appears instead",
                        "add the entry to a .bib file inside the module")
            for key in cite_keys(content) if key.lower() not in bib_keys]
