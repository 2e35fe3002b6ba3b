"""The Unicat response envelope and its error forms (digest §2, §3)."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

WWW_AUTHENTICATE = 'Bearer realm="JWT access to Unicat."'

STATUS_TEXT = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    413: "Request entity too large",
    422: "Unprocessable Entity",
    429: "Too many requests",
    500: "Internal server error",
    501: "Not implemented",
    502: "Bad gateway",
    503: "Service unavailable",
    504: "Gateway timeout",
}


class ApiError(Exception):
    """Raised by handlers; the error middleware turns it into the error envelope."""

    def __init__(self, status: int, message: str | None = None, info: dict | None = None,
                 code: int | None = None):
        super().__init__(message)
        self.status = status
        self.code = code if code is not None else status
        self.message = message or STATUS_TEXT.get(status, "Error")
        self.info = info or {}


class Unauthorized(Exception):
    """Missing, malformed, badly signed, revoked or expired JWT."""


def bad_request(info: dict) -> ApiError:
    return ApiError(400, "Bad request", info)


def missing(name: str) -> ApiError:
    return bad_request({"Missing parameter": name})


def invalid(name: str) -> ApiError:
    return bad_request({"Invalid parameter": name})


def forbidden() -> ApiError:
    return ApiError(403, "Forbidden")


def unknown_user() -> ApiError:
    return ApiError(403, "Unknown user")


def not_found(message: str, info: dict) -> ApiError:
    return ApiError(422, message, info)


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def ok(result: dict, data: dict | None = None, headers: dict | None = None) -> web.Response:
    body = {"success": True, "result": result, "data": data if data is not None else {}}
    return web.json_response(body, dumps=dumps, headers=headers)


def error_response(err: ApiError) -> web.Response:
    body = {"success": False,
            "result": {"code": err.code, "message": err.message, "info": err.info},
            "data": {}}
    return web.json_response(body, status=err.status, reason=STATUS_TEXT.get(err.status), dumps=dumps)


def unauthorized_response(shape: str) -> web.Response:
    """401 in the normal `result` shape, or the p/init page's `error` + `data: null` shape."""
    error = {"code": 401, "message": "Permission denied", "info": {}}
    if shape == "error":
        body = {"success": False, "data": None, "error": error}
    else:
        body = {"success": False, "result": error, "data": {}}
    return web.json_response(body, status=401, reason="Unauthorized", dumps=dumps,
                             headers={"WWW-Authenticate": WWW_AUTHENTICATE})
