"""`lcmodules schema`: the JSON Schemas of module.yml, *.quiz.yml and _config.yml, for editors."""

from __future__ import annotations

import json

import click

from lcmodules.cli.common import out

KINDS = ("module", "quiz", "course")


def json_schema(kind: str) -> dict:
    from pydantic import BaseModel

    from lcmodules.model import CourseConfig, ModuleMeta, Quiz

    models: dict[str, type[BaseModel]] = {"module": ModuleMeta, "quiz": Quiz, "course": CourseConfig}
    model = models[kind]
    schema = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


@click.command("schema")
@click.argument("kind", type=click.Choice(KINDS))
def command(kind: str) -> None:
    """Print the JSON Schema for KIND (module, quiz or course)."""
    out.print(json.dumps(json_schema(kind), indent=2, ensure_ascii=False), markup=False)
