"""The course catalogue: catalog.json and a self-contained catalog.html of modules and their packages."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from lcmodules.export.base import BuildOptions, Exporter
from lcmodules.fsutil import sha256_file, write_text_atomic
from lcmodules.model import Course, Module

CATALOG_FORMAT = 1
OWN_FILES = ("catalog.json", "catalog.html")
FORMAT_LABELS = {
    "scorm12": "SCORM 1.2",
    "scorm2004": "SCORM 2004 4th Edition",
    "jupyter-book": "Jupyter Book source",
    "learner-repo": "Learner notebooks (repository tree)",
}
LANGUAGE_LABELS = {"nl": "Dutch (Nederlands)", "en": "English", "de": "German (Deutsch)",
                   "fr": "French (français)"}
HOURS_PER_EC = 28  # the Dutch norm: one European credit is 28 hours of study


# ---------------------------------------------------------------- artifacts


def folder_digest(folder: Path) -> tuple[int, str]:
    """Total size and sha256 of a folder: the sha256 of the lines `<sha256>  <path>\\n` of
    its files, sorted by relative POSIX path — what `sha256sum` prints for them, in order."""
    entries: list[tuple[str, Path]] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in filenames:
            path = Path(dirpath) / name
            if path.is_file():
                entries.append((path.relative_to(folder).as_posix(), path))
    h = hashlib.sha256()
    size = 0
    for rel, path in sorted(entries, key=lambda e: e[0].encode("utf-8")):
        size += path.stat().st_size
        h.update(f"{sha256_file(path)}  {rel}\n".encode())
    return size, h.hexdigest()


def module_artifacts(module: Module, out: Path) -> list[dict[str, Any]]:
    """Every file or folder in `out` named `<slug>-<version>-*`: format, name, size, sha256."""
    return artifacts_named(f"{module.slug}-{module.meta.version}-", out)


def course_artifacts(course: Course, out: Path) -> list[dict[str, Any]]:
    """The course-wide artifacts in `out` (`<course slug>-*`: the collection book, the learner
    repository tree), unless a module's slug starts the same way."""
    prefix = f"{course.slug}-"
    found = artifacts_named(prefix, out)
    module_prefixes = tuple(f"{m.slug}-{m.meta.version}-" for m in course.modules)
    return [a for a in found if not a["file"].startswith(module_prefixes)]


def artifacts_named(prefix: str, out: Path) -> list[dict[str, Any]]:
    """Every file or folder in `out` whose name starts with `prefix`."""
    found: list[dict[str, Any]] = []
    if not out.is_dir():
        return found
    for path in sorted(out.iterdir(), key=lambda p: p.name):
        name = path.name
        if not name.startswith(prefix) or name.startswith(".") or name.endswith(".tmp"):
            continue
        rest = name[len(prefix):]
        if path.is_dir():
            size, digest = folder_digest(path)
            fmt, kind = rest, "folder"
        elif path.is_file():
            size, digest = path.stat().st_size, sha256_file(path)
            fmt, kind = rest.split(".", 1)[0], "file"
        else:
            continue
        found.append({"format": fmt, "file": name, "kind": kind, "size": size, "sha256": digest})
    return found


# ---------------------------------------------------------------- catalog.json


def module_entry(module: Module, out: Path) -> dict[str, Any]:
    """One module of the catalogue: its metadata, fingerprint, packages and changelog."""
    from lcmodules.export.scorm_manifest import manifest_identifier
    from lcmodules.versioning import changelog_entries, module_fingerprint

    meta = module.meta
    case = meta.case
    changelog = changelog_entries(module)
    return {
        "id": meta.id,
        "slug": module.slug,
        "title": meta.title,
        "version": meta.version,
        "released": next((e["date"] for e in changelog if e["version"] == meta.version), None),
        "language": meta.language,
        "summary": meta.summary,
        "learning_objectives": list(meta.learning_objectives),
        "study_load_hours": meta.study_load_hours,
        "case": None if case is None else {
            "organisation": case.organisation, "sector": case.sector, "hub": case.hub,
        },
        "level": meta.level,
        "license": meta.license,
        "authors": [{"name": a.name, "affiliation": a.affiliation, "orcid": a.orcid}
                    for a in meta.authors],
        "keywords": list(meta.keywords),
        "prerequisites": [{"id": ident, "version": rng} for ident, rng in meta.prerequisite_specs()],
        "fingerprint": module_fingerprint(module),
        "lms_identifier": manifest_identifier(meta.id),
        "artifacts": module_artifacts(module, out),
        "changelog": changelog,
    }


def catalog_data(course: Course, out: Path) -> dict[str, Any]:
    """The whole catalogue as plain data (what catalog.json holds)."""
    config = course.config
    return {
        "format": CATALOG_FORMAT,
        "course": {
            "title": config.title,
            "author": config.author,
            "organisation": config.lcmodules.organisation,
            "description": config.description,
            "repository": config.repository.url,
        },
        "modules": [module_entry(m, out) for m in course.modules],
        "course_artifacts": course_artifacts(course, out),
    }


def render_json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------- catalog.html

CSS = """
:root{--bg:#f6f7f9;--card:#fff;--ink:#1b1f24;--muted:#50575f;--line:#d5d9de;--accent:#0b5cad;
--accent-ink:#fff;--chip:#e8eef6;--focus:#c2410c}
@media (prefers-color-scheme:dark){:root{--bg:#15181c;--card:#1f2328;--ink:#eef0f2;--muted:#b3bac2;
--line:#3a4048;--accent:#7cb7ff;--accent-ink:#0b1522;--chip:#2a3340;--focus:#fdba74}}
*{box-sizing:border-box}
html{font-size:100%}
body{margin:0;background:var(--bg);color:var(--ink);line-height:1.55;
font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",Ubuntu,sans-serif}
a{color:var(--accent)}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,summary:focus-visible{
outline:3px solid var(--focus);outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;background:var(--card);padding:.5rem 1rem;z-index:2}
.skip:focus{left:1rem}
.visually-hidden{position:absolute!important;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);
white-space:nowrap}
header.site{background:var(--accent);color:var(--accent-ink);padding:2rem 1rem 1.5rem}
header.site>div,main,footer{max-width:68rem;margin:0 auto}
header.site h1{margin:.2rem 0 .4rem;font-size:clamp(1.6rem,3vw,2.2rem);line-height:1.2}
header.site p{margin:.2rem 0;max-width:48rem}
.eyebrow{text-transform:uppercase;letter-spacing:.08em;font-size:.8rem;font-weight:600}
main{padding:1.5rem 1rem 3rem}
form.filters{display:flex;flex-wrap:wrap;gap:.75rem 1.25rem;align-items:end;background:var(--card);
border:1px solid var(--line);border-radius:.6rem;padding:1rem;margin-bottom:1rem}
form.filters label{display:flex;flex-direction:column;font-size:.9rem;font-weight:600;gap:.25rem}
form.filters input,form.filters select{font:inherit;padding:.4rem .5rem;border:1px solid var(--muted);
border-radius:.35rem;background:var(--bg);color:var(--ink);min-width:12rem;height:2.4rem}
#count{margin:0 0 1rem;color:var(--muted)}
.modules{display:grid;gap:1.25rem}
article.module{background:var(--card);border:1px solid var(--line);border-radius:.8rem;padding:1.25rem 1.5rem}
article.module h2{margin:0 0 .3rem;font-size:1.4rem;line-height:1.25}
.badges{display:flex;flex-wrap:wrap;gap:.4rem;margin:.2rem 0 .8rem;padding:0;list-style:none}
.badges li{font-size:.85rem;border:1px solid var(--line);border-radius:999px;padding:.05rem .6rem}
.badges li.version{background:var(--accent);color:var(--accent-ink);border-color:var(--accent);font-weight:600}
.summary{font-size:1.05rem;max-width:52rem}
.cols{display:grid;gap:0 2rem;grid-template-columns:repeat(auto-fit,minmax(18rem,1fr))}
h3{font-size:1rem;margin:1.2rem 0 .4rem}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0}
dl.meta dt{font-weight:600;color:var(--muted)}
dl.meta dd{margin:0;overflow-wrap:anywhere}
ul.keywords{display:flex;flex-wrap:wrap;gap:.35rem;list-style:none;padding:0;margin:.3rem 0}
ul.keywords li{background:var(--chip);border-radius:.3rem;padding:.05rem .5rem;font-size:.9rem}
table.downloads{border-collapse:collapse;width:100%;margin:.3rem 0;font-size:.95rem}
table.downloads caption{text-align:left;font-weight:600;margin-bottom:.3rem}
table.downloads th,table.downloads td{border-bottom:1px solid var(--line);padding:.4rem .5rem;
text-align:left;vertical-align:top}
table.downloads td.num{text-align:right;white-space:nowrap}
code,.hash{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85em}
.hash{overflow-wrap:anywhere;color:var(--muted)}
details{margin-top:1rem;border-top:1px solid var(--line);padding-top:.6rem}
summary{cursor:pointer;font-weight:600}
.entry h4{margin:.8rem 0 .2rem;font-size:1rem}
.entry h5{margin:.5rem 0 .1rem;font-size:.95rem;color:var(--muted)}
.none{color:var(--muted);font-style:italic}
footer{padding:0 1rem 2rem;color:var(--muted);font-size:.9rem}
@media print{form.filters,.skip{display:none}article.module{break-inside:avoid;border-color:#999}
header.site{background:none;color:#000}}
"""

SCRIPT = """
(function () {
  var form = document.getElementById("filters");
  if (!form) { return; }
  var cards = Array.prototype.slice.call(document.querySelectorAll("[data-lc-module]"));
  var count = document.getElementById("count");
  function apply() {
    var text = form.elements.q.value.trim().toLowerCase();
    var lang = form.elements.language.value;
    var keyword = form.elements.keyword.value;
    var shown = 0;
    cards.forEach(function (card) {
      var ok = (!lang || card.getAttribute("data-language") === lang) &&
        (!keyword || card.getAttribute("data-keywords").split("|").indexOf(keyword) >= 0) &&
        (!text || card.getAttribute("data-search").indexOf(text) >= 0);
      card.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = shown + " of " + cards.length + " modules shown";
  }
  form.hidden = false;
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  apply();
})();
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _csp_hash(code: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(code.encode()).digest()).decode() + "'"


def human_size(size: int) -> str:
    """1536 -> '1.5 KB' (decimal units, as file managers and LMS upload forms show them)."""
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{size} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{size} bytes"


def study_load(hours: float) -> str:
    """'6 hours (≈ 0.21 EC)': the hours and their share of a European credit (28 h in NL)."""
    ec = hours / HOURS_PER_EC
    credits = f"{ec:.1f}" if ec >= 0.95 else f"{ec:.2f}"
    return f"{hours:g} hour{'s' if hours != 1 else ''} (≈ {credits} EC)"


def language_label(tag: str) -> str:
    base = tag.split("-")[0].lower()
    label = LANGUAGE_LABELS.get(base)
    return f"{label} ({tag})" if label and tag != base else label or tag


def _markdown_lite(text: str) -> str:
    """Changelog text as HTML: `###` headings, `-`/`*` lists and paragraphs, all escaped."""
    parts: list[str] = []
    in_list = False
    para: list[str] = []

    def flush() -> None:
        nonlocal in_list
        if para:
            parts.append("<p>" + _e(" ".join(para)) + "</p>")
            para.clear()
        if in_list:
            parts.append("</ul>")
            in_list = False

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("#"):
            flush()
            parts.append(f"<h5>{_e(line.lstrip('#').strip())}</h5>")
        elif line[:2] in ("- ", "* ", "+ "):
            if para:
                parts.append("<p>" + _e(" ".join(para)) + "</p>")
                para.clear()
            if not in_list:
                parts.append("<ul>")
                in_list = True
            parts.append(f"<li>{_e(line[2:].strip())}</li>")
        elif in_list and parts[-1].startswith("<li>"):
            parts[-1] = parts[-1][:-5] + " " + _e(line) + "</li>"
        else:
            para.append(line)
    flush()
    return "\n".join(parts)


def _dl_row(label: str, value: str | None, lang: str | None = None) -> str:
    if not value:
        return ""
    attr = f' lang="{_e(lang)}"' if lang else ""
    return f"<dt>{_e(label)}</dt><dd{attr}>{value}</dd>"


def _module_html(m: dict[str, Any], anchors: dict[str, str]) -> str:
    lang = m["language"]
    keywords = list(m["keywords"])
    search = " ".join([m["title"], m["id"], m["summary"] or "", *keywords,
                       *(m["learning_objectives"]),
                       *((m["case"] or {}).get(k) or "" for k in ("organisation", "sector", "hub")),
                       *(a["name"] for a in m["authors"])]).lower()
    anchor = f"m-{m['slug']}"
    out = [
        f'<article class="module" id="{_e(anchor)}" data-lc-module="{_e(m["slug"])}" '
        f'data-language="{_e(lang)}" data-keywords="{_e("|".join(k.lower() for k in keywords))}" '
        f'data-search="{_e(search)}" aria-labelledby="{_e(anchor)}-title">',
        f'<h2 id="{_e(anchor)}-title" lang="{_e(lang)}">{_e(m["title"])}</h2>',
        '<ul class="badges" aria-label="At a glance">',
        f'<li class="version">Version {_e(m["version"])}</li>',
        f"<li>{_e(language_label(lang))}</li>",
    ]
    if m["study_load_hours"]:
        hours = m["study_load_hours"]
        out.append(f"<li>{_e(study_load(hours))}</li>")
    if m["level"]:
        out.append(f"<li>{_e(m['level'])}</li>")
    out.append("</ul>")
    if m["summary"]:
        out.append(f'<p class="summary" lang="{_e(lang)}">{_e(m["summary"])}</p>')
    out.append('<div class="cols"><div>')
    if m["learning_objectives"]:
        out.append("<h3>Learning objectives</h3>")
        out.append(f'<ul lang="{_e(lang)}">'
                   + "".join(f"<li>{_e(o)}</li>" for o in m["learning_objectives"]) + "</ul>")
    if keywords:
        out.append("<h3>Keywords</h3>")
        out.append(f'<ul class="keywords" lang="{_e(lang)}">'
                   + "".join(f"<li>{_e(k)}</li>" for k in keywords) + "</ul>")
    out.append("</div><div><h3>Details</h3><dl class=\"meta\">")
    case = m["case"] or {}
    partner = ", ".join(_e(case[k]) for k in ("organisation", "sector", "hub") if case.get(k))
    authors = "; ".join(
        _e(a["name"]) + (f" ({_e(a['affiliation'])})" if a["affiliation"] else "")
        for a in m["authors"])
    prereqs = ", ".join(
        (f'<a href="#{_e(anchors[p["id"]])}"><code>{_e(p["id"])}</code></a>'
         if p["id"] in anchors else f"<code>{_e(p['id'])}</code>")
        + (f" {_e(p['version'])}" if p["version"] else "")
        for p in m["prerequisites"])
    released = m["released"]
    out.extend([
        _dl_row("Module id", f"<code>{_e(m['id'])}</code>"),
        _dl_row("Released", _e(released) if released else None),
        _dl_row("Case partner", partner, lang),
        _dl_row("Authors", authors),
        _dl_row("Licence", _e(m["license"]) if m["license"] else None),
        _dl_row("Prerequisites", prereqs),
        _dl_row("LMS identifier", f"<code>{_e(m['lms_identifier'])}</code>"),
        _dl_row("Fingerprint", f'<span class="hash">{_e(m["fingerprint"])}</span>'),
        "</dl></div></div>",
    ])
    if m["artifacts"]:
        out.append(_downloads_table(m["artifacts"], "Downloads"))
    else:
        out.append('<p class="none">No packages of this version were built yet.</p>')
    if m["changelog"]:
        out.append("<details><summary>Changelog</summary>")
        for entry in m["changelog"]:
            date = f" — {_e(entry['date'])}" if entry["date"] else ""
            out.append(f'<div class="entry"><h4>{_e(entry["version"])}{date}</h4>'
                       f'<div lang="{_e(lang)}">{_markdown_lite(entry["text"])}</div></div>')
        out.append("</details>")
    out.append("</article>")
    return "\n".join(part for part in out if part)


def _downloads_table(artifacts: list[dict[str, Any]], caption: str) -> str:
    rows = ['<table class="downloads"><caption>' + _e(caption) + '</caption><thead><tr>'
            '<th scope="col">Format</th><th scope="col">File</th>'
            '<th scope="col">Size</th><th scope="col">SHA-256</th></tr></thead><tbody>']
    for a in artifacts:
        href = quote(a["file"]) + ("/" if a["kind"] == "folder" else "")
        download = " download" if a["kind"] == "file" else ""
        label = FORMAT_LABELS.get(a["format"], a["format"])
        rows.append(
            f'<tr><th scope="row">{_e(label)}</th>'
            f'<td><a href="{_e(href)}"{download}>{_e(a["file"])}</a></td>'
            f'<td class="num"><data value="{a["size"]}">{_e(human_size(a["size"]))}</data></td>'
            f'<td><span class="hash">{_e(a["sha256"])}</span></td></tr>')
    rows.append("</tbody></table>")
    return "\n".join(rows)


def render_html(data: dict[str, Any]) -> str:
    """catalog.html: one page, no external requests, filters that work without the network."""
    course = data["course"]
    modules = data["modules"]
    title = course["title"] or "Modules"
    languages = sorted({m["language"] for m in modules})
    keywords = sorted({k.lower() for m in modules for k in m["keywords"]})
    anchors = {m["id"]: f"m-{m['slug']}" for m in modules}
    byline = " · ".join(_e(x) for x in (course["organisation"], course["author"]) if x)
    csp = (f"default-src 'none'; style-src {_csp_hash(CSS)}; script-src {_csp_hash(SCRIPT)}; "
           "img-src data:; base-uri 'none'; form-action 'none'")
    head = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta http-equiv="Content-Security-Policy" content="{_e(csp)}">',
        '<meta name="generator" content="lcmodules">',
        f"<title>Module catalogue — {_e(title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        '<a class="skip" href="#main">Skip to the modules</a>',
        '<header class="site"><div>',
        '<p class="eyebrow">Module catalogue</p>',
        f"<h1>{_e(title)}</h1>",
        f"<p>{byline}</p>" if byline else "",
        f"<p>{_e(course['description'])}</p>" if course.get("description") else "",
        "<p>Training modules built on real practice cases, ready for your learning environment: "
        "SCORM packages for Brightspace, Canvas, Moodle and Blackboard, and Jupyter Book "
        "sources. A newer version of a module keeps the same LMS identifier, so when you replace "
        "the package in your LMS, learner records stay.</p>",
        "</div></header>",
        '<main id="main">',
    ]
    body: list[str] = []
    if modules:
        body += [
            '<form id="filters" class="filters" hidden aria-label="Filter the modules">',
            '<label>Search<input type="search" name="q" autocomplete="off" placeholder="title, case, author…"></label>',
            '<label>Language<select name="language"><option value="">All languages</option>'
            + "".join(f'<option value="{_e(t)}">{_e(language_label(t))}</option>' for t in languages)
            + "</select></label>",
            '<label>Keyword<select name="keyword"><option value="">All keywords</option>'
            + "".join(f'<option value="{_e(k)}">{_e(k)}</option>' for k in keywords)
            + "</select></label>",
            "</form>",
            f'<p id="count" role="status" aria-live="polite">{len(modules)} '
            f'module{"s" if len(modules) != 1 else ""}</p>',
            '<div class="modules">',
            *(_module_html(m, anchors) for m in modules),
            "</div>",
        ]
    else:
        body.append('<p class="none">This course has no modules yet.</p>')
    if data.get("course_artifacts"):
        body += ['<section class="course-downloads" aria-labelledby="course-downloads">',
                 '<h2 id="course-downloads">The whole course</h2>',
                 _downloads_table(data["course_artifacts"], "Course-wide downloads"),
                 "</section>"]
    tail = [
        "</main>",
        '<footer><p>The same information as data: <a href="catalog.json">catalog.json</a>. '
        "Check a download against its SHA-256 with <code>sha256sum</code> "
        "(a folder: its files' <code>sha256sum</code> lines, sorted by path). "
        "Made with lcmodules.</p></footer>",
        f"<script>{SCRIPT}</script>",
        "</body>",
        "</html>",
    ]
    return "\n".join(part for part in head + body + tail if part) + "\n"


class CatalogExporter(Exporter):
    """catalog.json and catalog.html for the whole course, listing the packages built so far."""

    name = "catalog"
    description = "catalog.json and catalog.html: every module, its metadata and its packages"

    def export_course(self, course: Course, options: BuildOptions) -> list[Path]:
        out = Path(options.out)
        out.mkdir(parents=True, exist_ok=True)
        data = catalog_data(course, out)
        json_path, html_path = out / OWN_FILES[0], out / OWN_FILES[1]
        write_text_atomic(json_path, render_json(data))
        write_text_atomic(html_path, render_html(data))
        return [json_path, html_path]
