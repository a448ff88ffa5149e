"""The course catalogue: catalog.json and a self-contained catalog.html of modules and their packages."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from lcmodules.core.fsutil import FileContent, sha256_file, write_bytes_atomic
from lcmodules.export.base import Artifact, BuildOptions, Exporter
from lcmodules.export.xmlmeta import manifest_identifier
from lcmodules.model import Course, Module
from lcmodules.render.catalog import catalogue_static, render_catalogue

CATALOG_FORMAT = 1


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


def artifact_item(artifact: Artifact) -> dict[str, Any] | None:
    """One recorded artifact as the catalogue lists it: format, name, kind, size, sha256."""
    path = artifact.path
    if path.is_dir():
        size, digest = folder_digest(path)
        kind = "folder"
    elif path.is_file():
        size, digest, kind = path.stat().st_size, sha256_file(path), "file"
    else:
        return None
    return {"format": artifact.format, "file": path.name, "kind": kind, "size": size,
            "sha256": digest}


def listed(artifacts: list[Artifact], module: str | None) -> list[dict[str, Any]]:
    """The recorded artifacts of one module (None: the course-wide ones), by file name."""
    items = [artifact_item(a) for a in artifacts if a.module == module]
    return sorted((i for i in items if i is not None), key=lambda i: i["file"])


# ---------------------------------------------------------------- catalog.json


def module_entry(module: Module, artifacts: list[Artifact]) -> dict[str, Any]:
    """One module of the catalogue: its metadata, fingerprint, packages and changelog."""
    from lcmodules.versioning.api import changelog_entries, module_fingerprint

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
        "artifacts": listed(artifacts, module.slug),
        "changelog": changelog,
    }


def catalog_data(course: Course, artifacts: list[Artifact]) -> dict[str, Any]:
    """The whole catalogue as plain data (what catalog.json holds): the course's modules and
    the artifacts the build record holds for them."""
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
        "modules": [module_entry(m, artifacts) for m in course.modules],
        "course_artifacts": listed(artifacts, None),
    }


def render_json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


class CatalogExporter(Exporter):
    """catalog.json and catalog.html for the whole course, listing what the build record holds.

    It consumes "artifacts" (it runs after the other exporters and is given what they wrote)
    and "sources" (it publishes each module's source fingerprint, never its content)."""

    name = "catalog"
    description = "catalog.json and catalog.html: every module, its metadata and its packages"
    consumes = ("artifacts", "sources")

    def export_course(self, course: Course, options: BuildOptions) -> list[Path]:
        out = Path(options.out)
        data = catalog_data(course, options.artifacts)
        files: dict[str, FileContent] = {
            "catalog.json": render_json(data).encode("utf-8"),
            "catalog.html": render_catalogue(course, data).encode("utf-8"),
            **catalogue_static(course),
        }
        written = []
        for name, content in files.items():
            data_bytes = content if isinstance(content, bytes) else content.read_bytes()
            write_bytes_atomic(out / name, data_bytes)
            written.append(out / name)
        return written
