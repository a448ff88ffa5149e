"""Changing one scalar of a YAML file in place, leaving every other byte as the lecturer wrote it."""

from __future__ import annotations

import io
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap


class YamlEditError(ValueError):
    """The value could not be replaced safely."""


def _load(text: str) -> Any:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    return yaml.load(text)


def _scalar_end(line: str, start: int) -> int | None:
    """Where the scalar token starting at `start` ends (exclusive), or None if unsure."""
    if start >= len(line):
        return None
    quote = line[start]
    if quote == "'":
        i = start + 1
        while i < len(line):
            if line[i] == "'":
                if line[i + 1: i + 2] == "'":
                    i += 2
                    continue
                return i + 1
            i += 1
        return None
    if quote == '"':
        i = start + 1
        while i < len(line):
            if line[i] == "\\":
                i += 2
                continue
            if line[i] == '"':
                return i + 1
            i += 1
        return None
    if quote in "|>&*!{[":
        return None  # block scalars, anchors, tags, flow collections: not a plain value
    end = start
    while end < len(line):
        ch = line[end]
        if ch in "\r\n" or (ch == "#" and end > start and line[end - 1] in " \t"):
            break
        if ch in ",}]":
            break
        end += 1
    while end > start and line[end - 1] in " \t":
        end -= 1
    return end


def _requote(token: str, value: str) -> str:
    """`value` written the way `token` was: plain, 'single' or "double" quoted."""
    if token.startswith("'"):
        return "'" + value.replace("'", "''") + "'"
    if token.startswith('"'):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return value


def _same_except(old: Any, new: Any, key: str) -> bool:
    if not isinstance(old, dict) or not isinstance(new, dict):
        return False
    if list(old.keys()) != list(new.keys()):
        return False
    return all(old[k] == new[k] for k in old if k != key)


def replace_top_level_scalar(raw: bytes, key: str, value: str) -> bytes:
    """`raw` YAML bytes with the top-level `key`'s scalar replaced by `value`.

    Only the characters of the scalar change: comments, blank lines, quoting style, key order,
    line endings and a byte-order mark stay. When the scalar is not a simple one-line token,
    ruamel.yaml's round trip is used instead. The result is parsed again and must differ from
    the original in that one value only; YamlEditError otherwise.
    """
    bom = raw.startswith(b"\xef\xbb\xbf")
    body = raw[3:] if bom else raw
    text = body.decode("utf-8")
    doc = _load(text)
    if not isinstance(doc, CommentedMap) or key not in doc:
        raise YamlEditError(f"no top-level '{key}' in the file")
    line_no, col = doc.lc.value(key)
    lines = body.splitlines(keepends=True)
    result: bytes | None = None
    if line_no < len(lines):
        line = lines[line_no].decode("utf-8")
        end = _scalar_end(line, col)
        if end is not None:
            token = line[col:end]
            new_line = line[:col] + _requote(token, value) + line[end:]
            result = b"".join(lines[:line_no] + [new_line.encode("utf-8")] + lines[line_no + 1:])
    if result is None or not _check(doc, result, key, value):
        result = _round_trip(text, key, value).encode("utf-8")
        if not _check(doc, result, key, value):
            raise YamlEditError(f"could not change '{key}' without changing anything else")
    return (b"\xef\xbb\xbf" if bom else b"") + result


def _check(old_doc: Any, new_raw: bytes, key: str, value: str) -> bool:
    try:
        new_doc = _load(new_raw.decode("utf-8"))
    except Exception:  # a broken edit must fall back, whatever the parser raises
        return False
    return (isinstance(new_doc, dict) and str(new_doc.get(key)) == value
            and _same_except(old_doc, new_doc, key))


def _round_trip(text: str, key: str, value: str) -> str:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    doc = yaml.load(text)
    doc[key] = value
    buf = io.StringIO()
    yaml.dump(doc, buf)
    return buf.getvalue()
