"""Validate a document against NENA's EIDO schema (vendored in exchange/data/eido, see SOURCE.md)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT7

SCHEMA_DIR = Path(__file__).resolve().parent / "data" / "eido"
ROOT_URI = (SCHEMA_DIR / "openapi.yaml").as_uri()
DOCUMENT_TYPE = f"{ROOT_URI}#/components/schemas/EmergencyIncidentDataObjectType"
MAX_ERRORS = 50  # field messages returned for one document


@cache
def _schema_file(uri: str) -> Resource:
    path = Path(uri.removeprefix("file://")).resolve()
    # Only files of the vendored schema: a $ref in a document can never make us read elsewhere.
    if SCHEMA_DIR not in path.parents or path.suffix != ".yaml" or not path.is_file():
        raise NoSuchResource(ref=uri)
    # OpenAPI 3.0 schemas: draft 7 is the closest JSON Schema dialect (siblings of $ref ignored).
    return Resource.from_contents(yaml.load(path.read_text(), Loader=_Loader), default_specification=DRAFT7)


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def eido_validator() -> jsonschema.Draft7Validator:
    """The validator of a whole EIDO document; NIEM files load on first use."""
    registry = Registry(retrieve=_schema_file)
    return jsonschema.Draft7Validator({"$ref": DOCUMENT_TYPE}, registry=registry)


def _field(error: jsonschema.ValidationError) -> str:
    """`callComponent[0].direction` style name of the field an error is about."""
    name = ""
    for part in error.absolute_path:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    if error.validator == "required":
        # "'eidoVersion' is a required property": name the missing field itself.
        missing = error.message.split("'")[1] if error.message.count("'") >= 2 else ""
        name = f"{name}.{missing}" if name else missing
    return name or "document"


def eido_errors(document: Any) -> dict[str, list[str]]:
    """Field name -> messages; empty when `document` is a valid EIDO."""
    if not isinstance(document, dict):
        return {"document": ["An EIDO is a JSON object."]}
    errors: dict[str, list[str]] = {}
    found = sorted(eido_validator().iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    for error in found[:MAX_ERRORS]:
        errors.setdefault(_field(error), []).append(error.message[:300])
    return errors
