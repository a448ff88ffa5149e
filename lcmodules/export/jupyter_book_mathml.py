"""Sphinx extension written into exported books: math → MathML at build time, no MathJax CDN.

This file is copied as `_ext/lc_mathml.py` into every Jupyter Book lcmodules exports and
loaded through `sphinx: local_extensions:`; it needs only docutils (with Sphinx) and
latex2mathml, so a book builds and reads offline.
"""

from __future__ import annotations

from html import escape
from typing import Any

from docutils import nodes

try:
    from latex2mathml.converter import convert
except ImportError as exc:  # pragma: no cover - only without lcmodules' dependencies
    raise ImportError(
        "lc_mathml needs latex2mathml: pip install latex2mathml (or lcmodules[book])"
    ) from exc


def _mathml(latex: str, display: bool) -> str:
    try:
        return convert(latex.strip(), display="block" if display else "inline")
    except Exception:  # latex2mathml raises many kinds of errors on unsupported input
        return f'<code class="lc-math-error">{escape(latex.strip())}</code>'


def visit_math(self: Any, node: nodes.math) -> None:
    """Inline math (`$…$`, `{math}`)."""
    self.body.append(self.starttag(node, "span", "", CLASS="math notranslate lc-math-inline"))
    self.body.append(_mathml(node.astext(), display=False))
    self.body.append("</span>")
    raise nodes.SkipNode


def visit_math_block(self: Any, node: nodes.math_block) -> None:
    """Display math (`$$…$$`, `{math}` directive, text/latex outputs), numbered when labelled."""
    self.body.append(self.starttag(node, "div", CLASS="math notranslate lc-math"))
    number = node.get("number")
    if number:
        self.body.append(f'<span class="eqno">({escape(str(number))})</span>')
    parts = [p for p in node.astext().split("\n\n") if p.strip()] or [node.astext()]
    for part in parts:
        self.body.append(_mathml(part, display=True))
    self.body.append("</div>\n")
    raise nodes.SkipNode


def setup(app: Any) -> dict[str, Any]:
    app.add_html_math_renderer("lc_mathml", (visit_math, None), (visit_math_block, None))
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
