"""Fault injection: the next N requests matching a path pattern get an error status,
a delay, a non-JSON body or a dropped connection (digest §13.8)."""

from __future__ import annotations

import fnmatch
from dataclasses import asdict, dataclass

from aiohttp import web

from .envelope import STATUS_TEXT, ApiError, error_response, unauthorized_response
from .stats import normalize_path

BODIES = ("json", "non_json", "close")


class FaultError(ValueError):
    pass


@dataclass
class Fault:
    match: str
    status: int | None
    count: int
    retry_after: float | None
    delay: float | None
    body: str
    method: str | None

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method != method:
            return False
        pattern = normalize_path(self.match)
        return fnmatch.fnmatchcase(normalize_path(path), pattern) or fnmatch.fnmatchcase(path, self.match)


def _number(spec: dict, name: str, minimum: float) -> float | None:
    value = spec.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
        raise FaultError(f"{name} must be a number >= {minimum}")
    return value


class FaultRegistry:
    def __init__(self):
        self._faults: list[Fault] = []

    def add(self, spec: dict) -> Fault:
        if not isinstance(spec, dict) or not isinstance(spec.get("match"), str) \
                or not spec["match"].startswith(("/", "*")):
            raise FaultError('"match" must be a path pattern starting with "/" or "*"')
        status = spec.get("status")
        if status is not None and (isinstance(status, bool) or not isinstance(status, int)
                                   or not 100 <= status <= 599):
            raise FaultError("status must be an HTTP status or null")
        count = spec.get("count", 1)
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise FaultError("count must be a positive integer")
        body = spec.get("body", "json")
        if body not in BODIES:
            raise FaultError(f"body must be one of {', '.join(BODIES)}")
        method = spec.get("method")
        if method is not None and not isinstance(method, str):
            raise FaultError("method must be a string")
        fault = Fault(spec["match"], status, count, _number(spec, "retry_after", 0),
                      _number(spec, "delay", 0), body, method.upper() if method else None)
        self._faults.append(fault)
        return fault

    def take(self, method: str, path: str) -> Fault | None:
        """The first registered fault matching the request, with its count used once."""
        for fault in self._faults:
            if fault.matches(method, path):
                fault.count -= 1
                if fault.count == 0:
                    self._faults.remove(fault)
                return fault
        return None

    def clear(self) -> None:
        self._faults.clear()

    def as_list(self) -> list[dict]:
        return [asdict(f) for f in self._faults]


def fault_response(fault: Fault, error_401_shape: str) -> web.Response:
    headers = {}
    if fault.retry_after is not None:
        ra = fault.retry_after
        headers["Retry-After"] = str(int(ra)) if float(ra).is_integer() else str(ra)
    if fault.status == 401:
        response = unauthorized_response(error_401_shape)
    elif fault.body == "non_json":
        text = STATUS_TEXT.get(fault.status, "Error")
        response = web.Response(status=fault.status, content_type="text/html",
                                text=f"<html><body><h1>{fault.status} {text}</h1></body></html>\n")
    else:
        response = error_response(ApiError(fault.status))
    response.headers.update(headers)
    return response
