"""MyST Markdown → HTML: headings with ids, admonitions, figures, tables, code, footnotes, MathML."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any, Literal, Protocol

import latex2mathml.converter
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import OptionsDict
from pybtex.database import BibliographyData
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.lexers.special import TextLexer
from pygments.util import ClassNotFound

from lcmodules.load.bibliography import read_bibliography
from lcmodules.load.document import Document, markdown_parser, parse_document
from lcmodules.load.links import LinkIndex, Target
from lcmodules.load.myst import (
    ADMONITIONS,
    CODE_DIRECTIVES,
    ROLE_TARGET,
    Directive,
    parse_directive,
)
from lcmodules.load.pulled import included_text
from lcmodules.load.references import URL_ATTRIBUTES, html_tags, is_local, srcset_urls, target_path
from lcmodules.load.units import slugify
from lcmodules.model import Pulled
from lcmodules.render import citations
from lcmodules.render.directives import HANDLERS
from lcmodules.render.i18n import strings
from lcmodules.render.numbering import Numbering, number_word, scan_labels
from lcmodules.render.sanitize import filter_author_html

IGNORED_DIRECTIVES = ("toctree", "tableofcontents")
LENGTH = re.compile(r"^\d+(?:\.\d+)?(px)?$")


class Linker(Protocol):
    """Rewrites a reference found in a source file for the built site."""

    def link(self, base: Path, target: str) -> str: ...

    def source(self, base: Path, target: str) -> str: ...

    def to_unit(self, unit: int, anchor: str) -> str:
        """A link to unit `unit` of the module, at element id `anchor` ("" = its top)."""
        ...


class KeepLinks:
    """The linker that leaves every reference as written."""

    def link(self, base: Path, target: str) -> str:
        return target

    def source(self, base: Path, target: str) -> str:
        return target

    def to_unit(self, unit: int, anchor: str) -> str:
        return f"#{anchor}" if anchor else "#"


@dataclass
class Context:
    """What one unit's Markdown needs while it is rendered."""

    base: Path = Path(".")  # folder of the source file, for relative references
    language: str = "en"
    id_prefix: str = ""  # keeps ids unique when several units share a page
    linker: Linker = field(default_factory=KeepLinks)
    ids: set[str] = field(default_factory=set)
    doc_id: str = "doc"  # footnote ids: fn-<doc_id>-1
    aliases: dict[str, str] = field(default_factory=dict)  # e.g. notebook attachments → files
    nested: int = 0  # directive bodies rendered so far (each gets its own footnote ids)
    root: Path | None = None  # the module folder: includes and .bib files are read inside it
    edition: Literal["learner", "teacher"] = "learner"  # included MyST files lose their solution blocks unless "teacher"
    numbering: Numbering = field(default_factory=Numbering)  # labels and counters of the page

    trusted: bool = False  # raw HTML kept as written, scripts included (docs/security.md)
    # the files the module's pages pull in, as load read them (Module.pulled)
    pulled: Mapping[str, Pulled] = field(default_factory=dict)
    links: LinkIndex | None = None  # the module's pages, labels and heading anchors
    unit: int = -1  # the index of the unit rendered
    # per open link: the Markdown that follows its text when it became text (a link into
    # another module), else None
    open_links: list[str | None] = field(default_factory=list)

    def resolve(self, target: str) -> str | None:
        """The href of a link to a page, label or heading anchor of the module, else None."""
        found = self.links.link(self.unit, self.base, target) if self.links else None
        return self.to(found) if found is not None else None

    def to(self, target: Target) -> str:
        """The href of a resolved target: in-page for this unit, else through the linker."""
        if target.unit == self.unit and target.anchor:
            return f"#{self.id_prefix}{target.anchor}"
        return self.linker.to_unit(target.unit, target.anchor)

    def inside(self, path: Path) -> bool:
        """True when `path` lies inside the module (without a known module: below `base`)."""
        return path.resolve().is_relative_to((self.root or self.base).resolve())

    def read(self, path: Path) -> str | None:
        """The text of a file the page pulls in, as load read it (None: not in the model —
        the renderer never reads the disk)."""
        root = (self.root or self.base).resolve()
        if not path.is_relative_to(root):
            return None
        found = self.pulled.get(path.relative_to(root).as_posix())
        return included_text(found.data) if found is not None else None

    def bibliography(self) -> BibliographyData:
        """The module's `.bib` entries, as load read them."""
        return read_bibliography((self.root or self.base).resolve(), self.pulled)[0]

    def href(self, target: str) -> str:
        """A link target for the built page: in-page anchors get the unit's id prefix."""
        if target in self.aliases:
            return self.aliases[target]
        if target.startswith("#") and len(target) > 1:
            return f"#{self.id_prefix}{target[1:]}"
        return self.linker.link(self.base, target)

    def missing(self, target: str) -> bool:
        """True for a local image (or media) file that does not exist: the page shows its
        alt text or caption instead (validate warns of it)."""
        if target in self.aliases or not is_local(target) or target.startswith("attachment:"):
            return False
        return not (self.base / target_path(target)).resolve().is_file()

    def src(self, target: str) -> str:
        """An image source for the built page."""
        if target in self.aliases:
            return self.aliases[target]
        return self.linker.source(self.base, target)

    def unique_id(self, text: str) -> str:
        base = self.id_prefix + (slugify(text) or "section")
        ident, n = base, 1
        while ident in self.ids:
            n += 1
            ident = f"{base}-{n}"
        self.ids.add(ident)
        return ident


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def missing_image(alt: str, target: str) -> str:
    """What stands where an image's file is missing: its alt text (else its path), visibly."""
    return f'<span class="lc-missing-image">{esc(alt or target)}</span>' if alt or target else ""


MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~$])")


def elsewhere_suffix(title: str, language: str) -> str:
    """What follows the text of a link into another module where that module is not at hand
    (its own package or book): ` (Module *Title*)`, in Markdown. The one wording of it."""
    word, escaped = strings(language)["module"], MARKDOWN_SPECIAL.sub(r"\\\1", title)
    return f" ({word} *{escaped}*)"


# ---------------------------------------------------------------- math and code


def mathml(latex: str, display: bool = False, wrap: bool = True) -> str:
    """LaTeX → MathML at build time; what latex2mathml cannot read is shown as code.

    Display math is wrapped in `<div class="lc-math">` unless `wrap` is false (inside a paragraph).
    """
    source = latex.strip()
    try:
        result = latex2mathml.converter.convert(source, display="block" if display else "inline")
    except Exception:  # latex2mathml raises many kinds of errors on unsupported input
        tag = "pre" if display and wrap else "code"
        return f'<{tag} class="lc-math-error">{esc(source)}</{tag}>'
    if display and wrap:
        return f'<div class="lc-math">{result}</div>'
    return result


LANG_ALIASES = {"ipython3": "python", "ipython": "python", "py": "python", "": "text",
                "none": "text", "console": "text", "output": "text"}


@cache
def _formatter() -> HtmlFormatter:
    return HtmlFormatter(cssclass="highlight", wrapcode=True)


@cache
def _lexer(name: str) -> Lexer:
    """The Pygments lexer of a language name, made once per process (Text when unknown)."""
    try:
        lexer = get_lexer_by_name(name) if name != "text" else TextLexer()
    except ClassNotFound:
        lexer = TextLexer()
    lexer.stripnl = False
    return lexer


def highlight_code(code: str, language: str | None) -> str:
    """Code highlighted by Pygments with CSS classes (the styles are in lc.css)."""
    name = (language or "").strip().lower()
    name = LANG_ALIASES.get(name, name)
    out = highlight(code.rstrip("\n") + "\n", _lexer(name), _formatter())
    data = f' data-lang="{esc(name)}"' if name and name != "text" else ""
    return out.replace('<div class="highlight">', f'<div class="highlight lc-code"{data}>', 1)


# ---------------------------------------------------------------- directives


KRAMDOWN_LINK_ATTRIBUTES = ("target", "title")


def class_names(option: str) -> list[str]:
    """A directive's `:class:` as docutils reads it: split on spaces (and commas, which
    authors write too), each made a valid class name (`Tip,` → `tip`)."""
    names = (re.sub(r"[^a-z0-9]+", "-", part.lower()).strip("-")
             for part in re.split(r"[\s,]+", option))
    return [name for name in names if name]


def _classes(*names: str) -> str:
    return " ".join(n for n in names if n)


# ---------------------------------------------------------------- the renderer


def _as_rule(method: Any) -> Any:
    """markdown-it binds a rule to its renderer: wrap a bound method so it receives it too."""

    def rule(renderer: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any) -> str:
        return method(renderer, tokens, idx, options, env)

    return rule


def _html_renderer(rules: dict[str, Any]) -> RendererHTML:
    """An HTML renderer of its own with the parser's plugin rules, then `rules` on top
    (the one parser is shared; its renderer is left as it is)."""
    html = RendererHTML()
    parser_renderer = markdown_parser().renderer
    assert isinstance(parser_renderer, RendererHTML)  # markdown-it's default renderer
    for name, rule in parser_renderer.rules.items():
        function: Any = getattr(rule, "__func__", rule)  # the plugin's function, unbound
        html.rules[name] = function.__get__(html)
    for name, rule in rules.items():
        html.rules[name] = _as_rule(rule).__get__(html)
    return html


class MarkdownRenderer:
    """Renders MyST Markdown (block or inline) with lcmodules' rules from the one parse
    (`lcmodules.load.document`); one per site."""

    def __init__(self) -> None:
        rules = {
            "heading_open": self._heading_open,
            "link_open": self._link_open,
            "link_close": self._link_close,
            "image": self._image,
            "fence": self._fence,
            "colon_fence": self._fence,
            "code_block": self._code_block,
            "math_inline": self._math_inline,
            "math_inline_double": self._math_inline_double,
            "math_block": self._math_block,
            "math_block_label": self._math_block,
            "myst_role": self._role,
            "myst_target": self._target,
            "myst_line_comment": lambda *a: "",
            "myst_block_break": lambda *a: '<hr class="lc-break">\n',
            "front_matter": lambda *a: "",
            "html_block": self._html,
            "html_inline": self._html,
            "th_open": self._cell_open,
            "td_open": self._cell_open,
            "table_open": self._table_open,
            "table_close": lambda *a: "</table>\n</div>\n",
        }
        self.md = markdown_parser()
        self.html = _html_renderer(rules)

    # public API

    def render(self, text: str, ctx: Context) -> str:
        """Block-level Markdown → HTML (labels of the text are numbered first, unless
        `prepare` already did so for the whole page)."""
        return self.render_document(parse_document(text), ctx)

    def render_document(self, document: Document, ctx: Context) -> str:
        """A parsed document → HTML, from its stored tokens (which stay unchanged)."""
        self.prepare(ctx, [document])
        env: dict[str, Any] = {"lc": ctx, "docId": ctx.doc_id, "document": document}
        return self.html.render(document.tokens, self.md.options, env)

    def prepare(self, ctx: Context, documents: Sequence[Document | str]) -> None:
        """Number the labels of a page made of several documents (a notebook's markdown
        cells)."""
        scan_labels(ctx.numbering, [parse_document(d) if isinstance(d, str) else d
                                    for d in documents], ctx.id_prefix)

    def code(self, text: str, language: str) -> str:
        """Highlighted code (for directives in other modules)."""
        return highlight_code(text, language)

    def render_inline(self, text: str, ctx: Context) -> str:
        """One paragraph of inline Markdown (a quiz prompt, a caption) → HTML without <p>."""
        env: dict[str, Any] = {"lc": ctx, "docId": ctx.doc_id}
        return self.html.render(self.md.parseInline(text, env), self.md.options, env).strip()

    def nested(self, text: str, env: Any, base: Path | None = None) -> str:
        """A directive's body: rendered on its own, so its footnotes stay inside it; `base`
        is the folder its relative references start from (an included file's)."""
        ctx = self._ctx(env)
        ctx.nested += 1
        if base is not None:
            ctx = replace(ctx, base=base)
        parent = env.get("document") if isinstance(env, dict) else None
        document = parent.body(text) if isinstance(parent, Document) else parse_document(text)
        env = {"lc": ctx, "docId": f"{ctx.doc_id}-{ctx.nested}", "document": document}
        return self.html.render(document.tokens, self.md.options, env)

    # rules

    @staticmethod
    def _ctx(env: Any) -> Context:
        ctx = env.get("lc") if isinstance(env, dict) else None
        return ctx if isinstance(ctx, Context) else Context()

    def _heading_open(self, renderer: Any, tokens: Sequence[Token], idx: int,
                      options: OptionsDict, env: Any) -> str:
        token = tokens[idx]
        ctx = self._ctx(env)
        inline = tokens[idx + 1] if idx + 1 < len(tokens) else None
        text = "".join(
            child.content for child in (inline.children or []) if child.type in ("text", "code_inline")
        ) if inline else ""
        ident = token.attrs.get("id")
        ident = ctx.id_prefix + str(ident) if ident else ctx.unique_id(text)
        ctx.ids.add(ident)
        return f'<{token.tag} id="{esc(ident)}">'

    def _link_open(self, renderer: Any, tokens: Sequence[Token], idx: int,
                   options: OptionsDict, env: Any) -> str:
        ctx = self._ctx(env)
        attrs = dict(tokens[idx].attrs)  # the stored tokens stay as parsed
        href = str(attrs.get("href", ""))
        label = ctx.numbering.labels.get(href)
        other = ctx.links.elsewhere(ctx.base, href) if ctx.links and not label else None
        ctx.open_links.append(elsewhere_suffix(other.to.title, ctx.language) if other else None)
        if other is not None:  # a package holds one module: the link becomes text naming it
            return '<span class="lc-elsewhere">'
        attrs["href"] = "#" + label.ident if label else ctx.resolve(href) or ctx.href(href)
        for key in [k for k in attrs if str(k).startswith(":")]:
            # kramdown's `{:target="_blank"}` after a link, as Jekyll-era pages write it
            value, name = attrs.pop(key), str(key)[1:]
            if name in KRAMDOWN_LINK_ATTRIBUTES:
                attrs[name] = value
        if attrs.get("target") == "_blank":
            attrs["rel"] = "noopener"
        return renderer.renderToken([tokens[idx].copy(attrs=attrs)], 0, options, env)

    def _link_close(self, renderer: Any, tokens: Sequence[Token], idx: int,
                    options: OptionsDict, env: Any) -> str:
        ctx = self._ctx(env)
        suffix = ctx.open_links.pop() if ctx.open_links else None
        if suffix is None:
            return "</a>"
        return "</span> " + self.render_inline(suffix, replace(ctx, open_links=[]))

    def _image(self, renderer: Any, tokens: Sequence[Token], idx: int,
               options: OptionsDict, env: Any) -> str:
        token = tokens[idx]
        ctx = self._ctx(env)
        alt = renderer.renderInlineAsText(token.children or [], options, env)
        if ctx.missing(str(token.attrs.get("src", ""))):
            return missing_image(alt, str(token.attrs.get("src", "")))
        src = ctx.src(str(token.attrs.get("src", "")))
        title = token.attrs.get("title")
        extra = f' title="{esc(title)}"' if title else ""
        return f'<img src="{esc(src)}" alt="{esc(alt)}"{extra}>'

    def _code_block(self, renderer: Any, tokens: Sequence[Token], idx: int,
                    options: OptionsDict, env: Any) -> str:
        return highlight_code(tokens[idx].content, "text")

    def _fence(self, renderer: Any, tokens: Sequence[Token], idx: int,
               options: OptionsDict, env: Any) -> str:
        token = tokens[idx]
        ctx = self._ctx(env)
        directive = parse_directive(token.info, token.content)
        if directive is not None:
            return self._directive(directive, ctx, env)
        if token.type == "colon_fence":
            inner = self.nested(token.content, env)
            name = token.info.strip().split()[0] if token.info.strip() else ""
            return f'<div class="{esc(_classes("lc-block", name))}">\n{inner}</div>\n'
        language = token.info.strip().split()[0] if token.info.strip() else ""
        return highlight_code(token.content, language)

    def _directive(self, d: Directive, ctx: Context, env: Any) -> str:
        name = d.name
        if name in HANDLERS:
            return HANDLERS[name](self, d, ctx, env)
        ident = f' id="{esc(ctx.id_prefix + slugify(d.options["name"]))}"' if d.options.get("name") else ""
        extra_class = " ".join(f"lc-{c}" if c in ADMONITIONS else c
                               for c in class_names(d.options.get("class", "")))
        if name in ADMONITIONS or name == "admonition":
            if name == "admonition":
                title = self.render_inline(d.argument, ctx) if d.argument else esc(
                    strings(ctx.language)["note"])
                body = d.body
            else:
                title = esc(strings(ctx.language)[name])
                body = (d.argument + "\n" + d.body) if d.argument else d.body
            classes = _classes("lc-admonition", f"lc-{name}" if name != "admonition" else "", extra_class)
            inner = self.nested(body, env)
            if "dropdown" in extra_class.split():  # sphinx-togglebutton folds these
                return (f'<details class="{esc(classes)}"{ident}>\n'
                        f'<summary class="lc-admonition-title">{title}</summary>\n{inner}</details>\n')
            return (f'<div class="{esc(classes)}" role="note"{ident}>\n'
                    f'<p class="lc-admonition-title">{title}</p>\n{inner}</div>\n')
        if name == "dropdown":
            title = self.render_inline(d.argument, ctx) if d.argument else "…"
            inner = self.nested(d.body, env)
            opened = " open" if "open" in d.options else ""
            return (f'<details class="{esc(_classes("lc-dropdown", extra_class))}"{opened}{ident}>'
                    f"<summary>{title}</summary>\n{inner}</details>\n")
        if name in ("figure", "image"):
            return self._figure(d, ctx, env, ident)
        if name == "math":
            return self._labelled_math(d.body or d.argument, d.options.get("label"), ctx) + "\n"
        if name in CODE_DIRECTIVES:
            return highlight_code(d.body, d.argument or "python" if name == "code-cell" else d.argument)
        if name == "raw":
            if d.argument.strip().lower() != "html":
                return ""
            return rewrite_html_refs(filter_author_html(d.body, ctx.trusted), ctx) + "\n"
        if name in IGNORED_DIRECTIVES:
            return ""
        if name in ("epigraph", "pull-quote", "highlights"):
            return f'<blockquote class="lc-{name}">\n{self.nested(d.body, env)}</blockquote>\n'
        if name in ("margin", "sidebar", "topic"):
            title = f'<p class="lc-aside-title">{self.render_inline(d.argument, ctx)}</p>\n' if d.argument else ""
            return f'<div class="lc-aside">\n{title}{self.nested(d.body, env)}</div>\n'
        inner = self.nested(d.body, env) if d.body else ""
        return f'<div class="{esc(_classes("lc-directive", "lc-" + slugify(name), extra_class))}"{ident}>\n{inner}</div>\n'

    def _figure(self, d: Directive, ctx: Context, env: Any, ident: str) -> str:
        src = ctx.src(d.argument)
        caption_md = d.body.strip()
        alt = d.options.get("alt")
        if alt is None:
            alt = caption_md.splitlines()[0] if caption_md and d.name == "figure" else ""
        attrs = f'src="{esc(src)}" alt="{esc(alt)}"'
        width = d.options.get("width", "").strip()
        height = d.options.get("height", "").strip()
        style = []
        for key, value in (("width", width), ("height", height)):
            if not value:
                continue
            if LENGTH.match(value):
                attrs += f' {key}="{esc(value.removesuffix("px"))}"'
            else:
                style.append(f"{key}:{value}")
        if style:
            attrs += f' style="{esc(";".join(style))}"'
        align = d.options.get("align", "")
        classes = _classes("lc-" + d.name, f"lc-align-{align}" if align else "", d.options.get("class", ""))
        img = f"<img {attrs}>" if not ctx.missing(d.argument) else missing_image(
            d.options.get("alt", ""), "" if caption_md and d.name == "figure" else d.argument)
        target = d.options.get("target")
        if target:
            img = f'<a href="{esc(ctx.href(target))}">{img}</a>'
        if d.name == "image":
            return f'<p class="{esc(classes)}"{ident}>{img}</p>\n'
        number = ctx.numbering.next("figure")
        caption = self.nested(caption_md, env) if caption_md else ""
        if caption:
            word = f'<span class="lc-caption-number">{esc(number_word("figure", ctx.language))} {number}:</span> '
            caption = caption.replace("<p>", "<p>" + word, 1) if caption.startswith("<p>") else word + caption
        figcaption = f"<figcaption>\n{caption}</figcaption>\n" if caption else ""
        return f'<figure class="{esc(classes)}"{ident}>\n{img}\n{figcaption}</figure>\n'

    def _math_inline(self, renderer: Any, tokens: Sequence[Token], idx: int,
                     options: OptionsDict, env: Any) -> str:
        return mathml(tokens[idx].content, display=False)

    def _math_inline_double(self, renderer: Any, tokens: Sequence[Token], idx: int,
                            options: OptionsDict, env: Any) -> str:
        return mathml(tokens[idx].content, display=True, wrap=False)

    def _math_block(self, renderer: Any, tokens: Sequence[Token], idx: int,
                    options: OptionsDict, env: Any) -> str:
        token = tokens[idx]
        label = token.info if token.type == "math_block_label" else None
        return self._labelled_math(token.content, label, self._ctx(env)) + ("\n" if token.block else "")

    @staticmethod
    def _labelled_math(latex: str, label: str | None, ctx: Context) -> str:
        """Display math; a labelled equation gets its id and its number `(n)` on the right."""
        block = mathml(latex, display=True)
        if not label:
            return block
        number = ctx.numbering.next("equation")
        ident = esc(ctx.id_prefix + slugify(label))
        eqno = f'<span class="lc-eqno">({number})</span>'
        if block.startswith('<div class="lc-math">'):
            return f'<div class="lc-math" id="{ident}">{eqno}' + block.removeprefix('<div class="lc-math">')
        return f'<div class="lc-math" id="{ident}">{eqno}{block}</div>'

    def _role(self, renderer: Any, tokens: Sequence[Token], idx: int,
              options: OptionsDict, env: Any) -> str:
        token = tokens[idx]
        ctx = self._ctx(env)
        name = str(token.meta.get("name", ""))
        content = token.content
        if name == "math":
            return mathml(content)
        if name in ("sub", "sup", "kbd"):
            return f"<{name}>{esc(content)}</{name}>"
        if name == "abbr":
            match = re.match(r"^(.*?)\s*\((.*)\)\s*$", content, re.S)
            if match:
                return f'<abbr title="{esc(match.group(2))}">{esc(match.group(1))}</abbr>'
            return f"<abbr>{esc(content)}</abbr>"
        if name in ("ref", "numref", "eq"):
            return self._label_role(name, content, ctx)
        if name.startswith("cite"):
            return citations.in_text(ctx.bibliography(), name, content, ctx.language, ctx.id_prefix)
        if name in ("doc", "download", "term"):
            match = ROLE_TARGET.match(content)
            text, target = (match.group(1), match.group(2)) if match else (content, content)
            if not target.strip():  # `{download}`text <>`: no file named (validate warns)
                return esc(text)
            if name == "term":
                return f'<a href="#{esc(ctx.id_prefix + slugify(target))}">{esc(text)}</a>'
            page = ctx.links.role("doc", ctx.unit, ctx.base, target) \
                if ctx.links and name == "doc" else None
            href = ctx.to(page) if page is not None else ctx.href(target)
            return f'<a href="{esc(href)}">{esc(text)}</a>'
        if name in ("code", "samp", "literal", "file", "command", "program", "envvar"):
            return f"<code>{esc(content)}</code>"
        if name in ("guilabel", "menuselection", "emphasis"):
            return f'<span class="lc-{name}">{esc(content)}</span>'
        if name == "strong":
            return f"<strong>{esc(content)}</strong>"
        return f'<code class="lc-role">{esc(content)}</code>'

    @staticmethod
    def _label_role(name: str, content: str, ctx: Context) -> str:
        """`{ref}`, `{numref}` and `{eq}`: a link with the target's title or number."""
        match = ROLE_TARGET.match(content)
        text, target = (match.group(1), match.group(2)) if match else ("", content.strip())
        label = ctx.numbering.labels.get(target)
        if label is None:  # on another page of the module (its number is that page's)
            found = ctx.links.role(name, ctx.unit, ctx.base, target) if ctx.links else None
            if found is not None:
                return f'<a href="{esc(ctx.to(found))}">{esc(text or found.title or target)}</a>'
            return f'<a href="#{esc(ctx.id_prefix + slugify(target))}">{esc(text or target)}</a>'
        if name == "eq":
            shown = text or f"({label.number})"
        elif name == "numref":
            word = number_word(label.kind, ctx.language)
            template = text or (f"{word} %s" if label.number else label.title or target)
            shown = template.replace("%s", str(label.number)).replace("{number}", str(label.number))
        else:
            shown = text or label.title or target
        return f'<a href="#{esc(label.ident)}">{esc(shown)}</a>'

    def _target(self, renderer: Any, tokens: Sequence[Token], idx: int,
                options: OptionsDict, env: Any) -> str:
        ctx = self._ctx(env)
        return f'<span id="{esc(ctx.id_prefix + slugify(tokens[idx].content))}"></span>\n'

    def _html(self, renderer: Any, tokens: Sequence[Token], idx: int,
              options: OptionsDict, env: Any) -> str:
        ctx = self._ctx(env)
        return filter_author_html(rewrite_html_refs(tokens[idx].content, ctx), ctx.trusted)

    def _cell_open(self, renderer: Any, tokens: Sequence[Token], idx: int,
                   options: OptionsDict, env: Any) -> str:
        token = tokens[idx]
        style = str(token.attrs.get("style", ""))
        align = re.search(r"text-align:\s*(left|right|center)", style)
        cls = f' class="lc-align-{align.group(1)}"' if align else ""
        scope = ' scope="col"' if token.tag == "th" else ""
        return f"<{token.tag}{scope}{cls}>"

    def _table_open(self, renderer: Any, tokens: Sequence[Token], idx: int,
                    options: OptionsDict, env: Any) -> str:
        label = esc(strings(self._ctx(env).language)["table"])
        return f'<div class="lc-table-wrap" role="region" tabindex="0" aria-label="{label}">\n<table>\n'


def rewrite_html_refs(text: str, ctx: Context) -> str:
    """Raw HTML with the resources of its tags rewritten like Markdown links and images.

    Tags are read by the reference parser's HTML parser; a tag with a resource attribute is
    written again from its parsed attributes (values escaped), everything else stays as written.
    """
    out: list[str] = []
    position = 0
    for tag in html_tags(text):
        if not any(name in URL_ATTRIBUTES and value for name, value in tag.attrs):
            continue
        out.append(text[position:tag.start])
        out.append(_rebuilt_tag(tag.tag, tag.attrs, text[tag.start:tag.end].endswith("/>"), ctx))
        position = tag.end
    out.append(text[position:])
    return "".join(out)


def _rebuilt_tag(name: str, attrs: list[tuple[str, str | None]], closed: bool, ctx: Context) -> str:
    values = dict(attrs)
    if name == "img" and ctx.missing((values.get("src") or "").strip()):
        return missing_image(values.get("alt") or "", (values.get("src") or "").strip())
    parts = [name]
    for key, value in attrs:
        if value is None:
            parts.append(key)
            continue
        if name in ("video", "source") and key in ("src", "poster") and ctx.missing(value.strip()):
            continue  # a missing video or still: left out (validate warns), the element stays
        if key == "srcset":
            value = ", ".join(ctx.src(u) + value.split(u, 1)[1].split(",", 1)[0]
                              for u in srcset_urls(value))
        elif key in URL_ATTRIBUTES:
            value = ctx.href(value.strip()) if key in ("href", "action", "formaction") else ctx.src(value.strip())
        parts.append(f'{key}="{esc(value)}"')
    return "<" + " ".join(parts) + (" />" if closed else ">")


@cache
def renderer() -> MarkdownRenderer:
    """The shared renderer (its rules are stateless; state lives in each call's Context)."""
    return MarkdownRenderer()
