"""Request bodies and parameter checks (digest §2 "parameter matching", §3 400s)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .envelope import bad_request, invalid, missing


async def json_body(request: web.Request) -> dict:
    """The JSON object sent as body; `{}` for an empty body. GET requests carry their
    parameters in the query string (only init uses that)."""
    if request.method == "GET":
        return dict(request.query)
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise bad_request({"Invalid JSON": str(err)})
    if not isinstance(body, dict):
        raise bad_request({"Invalid JSON": "the body must be a JSON object"})
    return body


@dataclass
class Upload:
    """A file part of a multipart/form-data body."""
    filename: str
    content: bytes


async def form_body(request: web.Request) -> dict:
    """The fields of a multipart/form-data body (uploads, digest §11): text fields as
    strings, file parts as Upload."""
    if not request.content_type.startswith("multipart/"):
        raise bad_request({"Invalid parameter": "multipart/form-data expected"})
    form = await request.post()
    return {key: Upload(value.filename, value.file.read()) if isinstance(value, web.FileField) else value
            for key, value in form.items()}


def upload_param(body: dict, name: str) -> Upload:
    value = body.get(name)
    if value is None:
        raise missing(name)
    if not isinstance(value, Upload):
        raise invalid(name)
    return value


def is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def match_form(body: dict, forms: list[tuple[str, bool]]) -> tuple[str, Any, bool]:
    """The first form (in documented order) present in the body wins; the rest is
    ignored. Returns (key, value, plural). Missing → 400 naming the first form."""
    for key, plural in forms:
        value = body.get(key)
        if value is None:
            continue
        if plural and not is_str_list(value) or not plural and not isinstance(value, str):
            raise invalid(key)
        return key, value, plural
    raise missing(forms[0][0])


def required_str(body: dict, name: str) -> str:
    value = body.get(name)
    if value is None:
        raise missing(name)
    if not isinstance(value, str):
        raise invalid(name)
    return value


def optional_str(body: dict, name: str, default: str | None = None) -> str | None:
    value = body.get(name)
    if value is None:
        return default
    if not isinstance(value, str):
        raise invalid(name)
    return value


def option_key(body: dict, name: str, known: dict, default: str | None = None) -> str | None:
    """An optional key of one of the project's options (a channel, an ordering); one the
    project does not have → 400."""
    value = optional_str(body, name, default)
    if value is not None and value not in known:
        raise invalid(name)
    return value


def str_list(body: dict, name: str, required: bool = True) -> list[str] | None:
    value = body.get(name)
    if value is None:
        if required:
            raise missing(name)
        return None
    if not is_str_list(value):
        raise invalid(name)
    return value


def optional_dict(body: dict, name: str) -> dict | None:
    value = body.get(name)
    if value is not None and not isinstance(value, dict):
        raise invalid(name)
    return value


def required_bool(body: dict, name: str) -> bool:
    value = body.get(name)
    if value is None:
        raise missing(name)
    if not isinstance(value, bool):
        raise invalid(name)
    return value


def required_int(body: dict, name: str) -> int:
    value = body.get(name)
    if value is None:
        raise missing(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(name)
    return value


def optional_bool(body: dict, name: str) -> bool:
    value = body.get(name, False)
    if isinstance(value, str):  # query string of a GET
        return value.lower() in ("1", "true", "yes")
    if not isinstance(value, bool):
        raise invalid(name)
    return value


def optional_int(body: dict, name: str, default: int, minimum: int, maximum: int | None = None) -> int:
    value = body.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum or \
            (maximum is not None and value > maximum):
        raise invalid(name)
    return value


def cursor_param(body: dict, name: str, required: bool) -> int | None:
    value = body.get(name)
    if value is None:
        if required:
            raise missing(name)
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise invalid(name)
    return value


def languages(body: dict) -> list[str] | None:
    """`language` (one) or `languages` (a list) restrict localized content; None = all."""
    if body.get("language") is not None:
        if not isinstance(body["language"], str):
            raise invalid("language")
        return [body["language"]]
    if body.get("languages") is not None:
        if not is_str_list(body["languages"]):
            raise invalid("languages")
        return body["languages"]
    return None


def page_params(body: dict, default_size: int = 100) -> tuple[int, int, list[str] | None]:
    """A paged read's `page.top`, `page.size` (1 to 1,000) and languages, checked in that order."""
    return optional_int(body, "page.top", 0, 0), optional_int(body, "page.size", default_size, 1, 1000), languages(body)
