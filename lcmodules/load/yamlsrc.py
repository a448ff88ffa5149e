"""Reading text and YAML with line numbers, and turning schema errors into located problems."""

from __future__ import annotations

import difflib
import types
import typing
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from lcmodules.core.diagnostics import Diagnostics
from lcmodules.load import messages

M = TypeVar("M", bound=BaseModel)
STR_TAG = "tag:yaml.org,2002:str"


def decode_text(raw: bytes, path: Path, diag: Diagnostics) -> str | None:
    """Decode UTF-8 (a BOM is allowed); report where a file is not UTF-8."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        diag.error(
            path,
            line,
            f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x} cannot be read)",
            "save it as UTF-8 in your editor",
        )
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_text(path: Path, diag: Diagnostics) -> str | None:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        diag.error(path, None, f"cannot read the file: {exc.strerror}", "check that it exists")
        return None
    return decode_text(raw, path, diag)


def parse_yaml(text: str, path: Path, diag: Diagnostics, line_offset: int = 0) -> Any:
    """Parse YAML keeping line information; report syntax errors with their line."""
    yaml = YAML(typ="rt")
    try:
        return plain_tags(yaml.load(text))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + line_offset if mark else None
        col = mark.column + 1 if mark else None
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        diag.error(
            path, line, f"YAML syntax error: {problem}",
            "check indentation, colons and quotes on this line and the one before", col,
        )
    except YAMLError as exc:
        diag.error(path, 1 + line_offset, f"YAML syntax error: {exc}", "check the file's syntax")
    return None


def plain_tags(node: Any) -> Any:
    """`node` with YAML's standard `!!str` tag read as plain text, in place (`!!int`,
    `!!float`, `!!bool` the parser reads itself); other tags are left for the schema check,
    which names them."""
    if isinstance(node, TaggedScalar) and str(node.tag.value) == STR_TAG:
        return str(node.value)
    if isinstance(node, CommentedMap):
        for key in list(node):
            node[key] = plain_tags(node[key])
    elif isinstance(node, CommentedSeq):
        for index, item in enumerate(node):
            node[index] = plain_tags(item)
    return node


def node_line(doc: Any, loc: tuple[Any, ...], line_offset: int = 0) -> tuple[int | None, int | None]:
    """The 1-based line and column of the YAML node at `loc` (keys and list indexes).

    Parts of `loc` that are not in the document (pydantic's union branch names) are skipped;
    for a key that is missing, the line of the mapping that should hold it is returned.
    """
    node = doc
    line: int | None = 1
    col: int | None = None
    if isinstance(node, CommentedMap | CommentedSeq) and node.lc.line is not None:
        line = node.lc.line + 1
    for part in loc:
        if isinstance(node, CommentedMap) and part in node:
            ln, cl = node.lc.key(part)
            line, col = ln + 1, cl + 1
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            ln, cl = node.lc.item(part)
            line, col = ln + 1, cl + 1
            node = node[part]
    return (line + line_offset if line is not None else None), col


def node_at(doc: Any, loc: tuple[Any, ...]) -> Any:
    """The parsed YAML node at `loc` (keys and list indexes), None where there is none."""
    node = doc
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def _unwrap(annotation: Any) -> list[Any]:
    """The classes an annotation may hold (through Optional, Annotated, list and unions)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, list, dict, tuple, typing.Literal):
        out: list[Any] = []
        for arg in typing.get_args(annotation):
            out.extend(_unwrap(arg))
        return out
    return [annotation]


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The pydantic model that holds the last key of `loc`."""
    current: type[BaseModel] | None = model
    subs: list[type[BaseModel]] = []
    for part in loc[:-1]:
        if current is None:
            return None
        if isinstance(part, str) and part in current.model_fields:
            subs = [
                c for c in _unwrap(current.model_fields[part].annotation)
                if isinstance(c, type) and issubclass(c, BaseModel)
            ]
            current = subs[0] if subs else None
        elif isinstance(part, str) and part[:1].isupper():
            # pydantic names a union branch after its class (question types: tagged so)
            current = next((c for c in subs if c.__name__ == part), current)
    return current


def check_model(
    model: type[M], doc: Any, path: Path, diag: Diagnostics, line_offset: int = 0,
    what: str = "file",
) -> M | None:
    """Validate parsed YAML against a schema; every error becomes a located problem."""
    if doc is None:
        doc = CommentedMap()
    if not isinstance(doc, dict):
        diag.error(path, 1 + line_offset, f"the {what} must be a YAML mapping of `key: value` lines",
                   "start with e.g. `title: …` at the beginning of a line")
        return None
    try:
        return model.model_validate(doc)
    except ValidationError as exc:
        _report(model, doc, exc, path, diag, line_offset)
        return None


def _report(model: type[BaseModel], doc: Any, exc: ValidationError, path: Path,
            diag: Diagnostics, line_offset: int) -> None:
    """Every schema error as one located problem per place, worded by load/messages.py."""
    groups: dict[tuple[Any, ...], list[Any]] = {}
    for err in exc.errors():
        groups.setdefault(messages.resolve(model, tuple(err["loc"])).path, []).append(err)
    for where, errors in groups.items():
        line, col = node_line(doc, where, line_offset)
        kinds = {e["type"] for e in errors}
        if "extra_forbidden" in kinds:
            holder = _model_at(model, tuple(errors[0]["loc"]))
            known = sorted(holder.model_fields) if holder else []
            unknown = str(where[-1])
            close = difflib.get_close_matches(unknown, known, n=1, cutoff=0.6)
            hint = (
                f"did you mean '{close[0]}'?" if close
                else f"remove it; the fields here are: {', '.join(known)}"
            )
            diag.error(path, line, f"unknown field '{messages.dotted(where)}'", hint, col)
        elif "value_error" in kinds:  # our own validators already speak the lecturer's words
            msg = next(e for e in errors if e["type"] == "value_error")["msg"]
            msg, _, hint = msg.removeprefix("Value error, ").partition(": ")
            diag.error(path, line, f"'{messages.dotted(where)}' {msg}", hint, col)
        else:
            message, hint = messages.describe(model, errors, node_at(doc, where[:-1]))
            diag.error(path, line, message, hint, None if "missing" in kinds else col)
