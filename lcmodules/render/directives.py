"""HTML for the MyST directives of Jupyter Books beyond admonitions and figures: sphinx-design
cards, grids and tabs, toggles, list and CSV tables, includes, eval-rst and the bibliography.

Everything works without JavaScript: tabs, toggles and dropdowns are `<details>` elements.
"""

from __future__ import annotations

import csv
import io
import re
import textwrap
from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING, Any

from lcmodules.core.strings import translator
from lcmodules.load.myst import Directive, render_rst
from lcmodules.load.references import target_path
from lcmodules.load.units import slugify
from lcmodules.render import citations
from lcmodules.render.numbering import number_word
from lcmodules.transform.learner import learner_markdown

if TYPE_CHECKING:
    from lcmodules.render.markdown import Context, MarkdownRenderer

SHOW = "Show content"  # a toggle's summary (msgid, lcmodules/locale)
Handler = Callable[["MarkdownRenderer", Directive, "Context", Any], str]


def _classes(*names: str) -> str:
    return " ".join(n for n in " ".join(names).split() if n)


def _ident(d: Directive, ctx: Context) -> str:
    name = d.options.get("name")
    return f' id="{escape(ctx.id_prefix + slugify(name))}"' if name else ""


def link_target(d: Directive, ctx: Context) -> str:
    """A card's `:link:` as an href: a URL or file (`url`), a label (`ref`) or a page (`doc`)."""
    link, kind = d.options.get("link", ""), d.options.get("link-type", "url")
    if kind in ("ref", "any") and link in ctx.numbering.labels:
        return "#" + ctx.numbering.labels[link].ident
    return ctx.href(link)


def card(r: MarkdownRenderer, d: Directive, ctx: Context, env: Any) -> str:
    """A sphinx-design card: optional header (before `^^^`), body, footer (after `+++`)."""
    header, body, footer = "", d.body, ""
    parts = re.split(r"^\^{3,}\s*$", body, maxsplit=1, flags=re.M)
    if len(parts) == 2:
        header, body = parts
    parts = re.split(r"^\+{3,}\s*$", body, maxsplit=1, flags=re.M)
    if len(parts) == 2:
        body, footer = parts
    title = r.render_inline(d.argument, ctx) if d.argument else ""
    if d.options.get("link") and title:
        title = f'<a href="{escape(link_target(d, ctx))}">{title}</a>'
    html = [f'<div class="{escape(_classes("lc-card", d.options.get("class-card", "")))}"{_ident(d, ctx)}>']
    if d.options.get("img-top"):
        alt = escape(d.options.get("img-alt", ""))
        html.append(f'<img class="lc-card-img" src="{escape(ctx.src(d.options["img-top"]))}" alt="{alt}">')
    if header.strip():
        html.append(f'<div class="lc-card-header">\n{r.nested(header, env)}</div>')
    html.append('<div class="lc-card-body">')
    if title:
        html.append(f'<p class="lc-card-title">{title}</p>')
    html.append(r.nested(body, env) + "</div>")
    if footer.strip():
        html.append(f'<div class="lc-card-footer">\n{r.nested(footer, env)}</div>')
    if d.options.get("link") and not title:
        label = escape(d.options.get("link-alt") or d.options["link"])
        html.append(f'<p class="lc-card-more"><a href="{escape(link_target(d, ctx))}">{label}</a></p>')
    return "\n".join(html) + "\n</div>\n"


def grid(r: MarkdownRenderer, d: Directive, ctx: Context, env: Any) -> str:
    """`{grid}` and `{grid-item}`: a CSS grid of their bodies."""
    kind = "lc-grid" if d.name == "grid" else "lc-grid-item"
    return f'<div class="{kind}"{_ident(d, ctx)}>\n{r.nested(d.body, env)}</div>\n'


def tab_set(r: MarkdownRenderer, d: Directive, ctx: Context, env: Any) -> str:
    """`{tab-set}`: its tab items as `<details>`, the first (or the `:selected:` one) open."""
    inner = r.nested(d.body, env)
    if "<details open" not in inner:
        inner = inner.replace('<details class="lc-tab-item"', '<details open class="lc-tab-item"', 1)
    return f'<div class="lc-tab-set"{_ident(d, ctx)}>\n{inner}</div>\n'


def tab_item(r: MarkdownRenderer, d: Directive, ctx: Context, env: Any) -> str:
    """`{tab-item} Label`: one fold of a tab set."""
    opened = "open " if "selected" in d.options else ""
    label = r.render_inline(d.argument, ctx) if d.argument else "…"
    return (f'<details {opened}class="lc-tab-item"{_ident(d, ctx)}><summary>{label}</summary>\n'
            f"{r.nested(d.body, env)}</details>\n")


def inline_tab(r: MarkdownRenderer, d: Directive, ctx: Context, env: Any) -> str:
    """`{tab} Label` (sphinx-inline-tabs): a fold like a tab item, with its label shown."""
    label = r.render_inline(d.argument, ctx) if d.argument else "…"
    return (f'<details class="lc-tab-item lc-inline-tab"{_ident(d, ctx)}><summary>{label}'
            f"</summary>\n{r.nested(d.body, env)}</details>\n")


def toggle(r: MarkdownRenderer, d: Directive, ctx: Context, env: Any) -> str:
    """`{toggle}` (sphinx-togglebutton): content folded behind "Show content"."""
    opened = " open" if "show" in d.options else ""
    summary = escape(translator(ctx.language).gettext(SHOW))
    return (f'<details class="lc-toggle"{opened}{_ident(d, ctx)}><summary>{summary}</summary>\n'
            f"{r.nested(d.body, env)}</details>\n")


def _table(rows: list[list[str]], d: Directive, ctx: Context) -> str:
    header_rows = int(d.options.get("header-rows", "0") or 0)
    caption = ""
    if d.argument:
        number = ctx.numbering.next("table")
        word = escape(number_word("table", ctx.language))
        caption = (f'<caption><span class="lc-caption-number">{word} {number}:</span> '
                   f"{escape(d.argument)}</caption>\n")
    html = [f'<div class="lc-table-wrap" role="region" tabindex="0" aria-label="{escape(d.argument or "table")}">',
            f'<table class="{escape(_classes("lc-table", d.options.get("class", "")))}"{_ident(d, ctx)}>',
            caption.rstrip("\n")]
    for index, row in enumerate(rows):
        cell = "th" if index < header_rows else "td"
        scope = ' scope="col"' if cell == "th" else ""
        html.append("<tr>" + "".join(f"<{cell}{scope}>{c}</{cell}>" for c in row) + "</tr>")
    return "\n".join(h for h in html if h) + "\n</table>\n</div>\n"


def list_table(r: MarkdownRenderer, d: Directive, ctx: Context, env: Any) -> str:
    """`{list-table}`: a bullet list of rows, each a bullet list of cells (Markdown)."""
    lines = d.body.split("\n")
    rows: list[list[str]] = []
    tokens = r.md.parse(d.body, {})
    for token in tokens:
        if token.type == "list_item_open" and token.level == 3 and token.map:
            start, end = token.map
            text = "\n".join(lines[start:end])
            text = re.sub(r"^\s*(?:[-*+]\s+){1,2}", "", text, count=1)
            cell = r.nested(textwrap.dedent(text), env).strip()
            if cell.startswith("<p>") and cell.endswith("</p>") and cell.count("<p>") == 1:
                cell = cell[3:-4]
            rows[-1].append(cell)
        elif token.type == "list_item_open" and token.level == 1:
            rows.append([])
    return _table(rows, d, ctx)


def table(r: MarkdownRenderer, d: Directive, ctx: Context, env: Any) -> str:
    """`{table} Caption`: a Markdown table with a numbered caption above it."""
    caption = ""
    if d.argument:
        number = ctx.numbering.next("table")
        word = escape(number_word("table", ctx.language))
        caption = (f'<p class="lc-table-caption"><span class="lc-caption-number">{word} {number}:</span> '
                   f"{r.render_inline(d.argument, ctx)}</p>\n")
    return f'<div class="lc-table-directive"{_ident(d, ctx)}>\n{caption}{r.nested(d.body, env)}</div>\n'


def _csv_text(d: Directive, ctx: Context) -> str:
    if d.options.get("file"):
        path = (ctx.base / target_path(d.options["file"])).resolve()
        return ctx.read(path) or ""
    return d.body


def csv_table(r: MarkdownRenderer, d: Directive, ctx: Context, env: Any) -> str:
    """`{csv-table}`, inline or `:file:`, with `:header:`, `:header-rows:`, `:delim:`."""
    delim = {"tab": "\t", "space": " "}.get(d.options.get("delim", ","), d.options.get("delim", ","))
    reader = csv.reader(io.StringIO(_csv_text(d, ctx)), delimiter=delim or ",", skipinitialspace=True)
    rows = [[r.render_inline(c, ctx) for c in row] for row in reader if row]
    if d.options.get("header"):
        head = next(csv.reader(io.StringIO(d.options["header"]), skipinitialspace=True), [])
        rows.insert(0, [r.render_inline(c, ctx) for c in head])
        d.options.setdefault("header-rows", "1")
    return _table(rows, d, ctx)


def include(r: MarkdownRenderer, d: Directive, ctx: Context, env: Any) -> str:
    """`{include}`: a MyST file inside the module, rendered in place (relative links from it)."""
    path = (ctx.base / target_path(d.argument)).resolve()
    loaded = ctx.read(path)
    if loaded is None:
        return ""  # validation reports the missing file
    text = learner_markdown(loaded, ctx.edition)
    if d.options.get("start-after") and d.options["start-after"] in text:
        text = text.split(d.options["start-after"], 1)[1]
    if d.options.get("end-before") and d.options["end-before"] in text:
        text = text.split(d.options["end-before"], 1)[0]
    if "literal" in d.options:
        return r.code(text, d.options.get("language", ""))
    # as in MyST, relative images in the included file start from it only with :relative-images:
    return r.nested(text, env, base=path.parent if "relative-images" in d.options else None)


def eval_rst(r: MarkdownRenderer, d: Directive, ctx: Context, env: Any) -> str:
    """`{eval-rst}`: reStructuredText rendered by docutils (raw and file inclusion disabled)."""
    body, _ = render_rst(d.body)
    return f'<div class="lc-rst">\n{body}</div>\n'


def bibliography(r: MarkdownRenderer, d: Directive, ctx: Context, env: Any) -> str:
    """`{bibliography}`: the entries cited on this page (every entry with `:all:`)."""
    everything = "all" in d.options
    return citations.bibliography(ctx.bibliography(), ctx.numbering.cited, everything, ctx.language, ctx.id_prefix)


HANDLERS: dict[str, Handler] = {
    "card": card, "grid-item-card": card, "grid": grid, "grid-item": grid,
    "tab-set": tab_set, "tab-item": tab_item, "tab": inline_tab, "toggle": toggle, "list-table": list_table,
    "csv-table": csv_table, "table": table, "include": include, "eval-rst": eval_rst,
    "bibliography": bibliography,
}
