"""Searching for the bulk get endpoints: a query's `q` text and `filter` [INF].

Unicat's query language is not documented in the readable text, so the simulator takes
the forms its seed queries and the official client's examples use:

- `q`: every whitespace-separated term must occur (case-insensitively) in the object's
  text: for records their title and field values in the search language (all
  languages when none is given); for assets their pathname, title and description;
  for schema objects their name and label.
- `filter`: `[]` (everything), `["and"|"or", <label>, [filter, ...]]`,
  `["not", <label>, [filter]]`, or a condition `[property, operator, operand]`:
  - `property` is a top-level property (`status`, `pathname`, `is_extended`, …) or,
    for records, a field name (its value in the search language);
  - `["value", operator, [field name or gid, operand]]` compares a record field;
  - operators: `is`, `is not`, `=`, `!=`, `<`, `<=`, `>`, `>=`, `startswith`,
    `contains`; a list value matches when any of its elements does.
"""

from __future__ import annotations

import operator
from typing import Any, Callable

OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "is": operator.eq, "=": operator.eq, "is not": operator.ne, "!=": operator.ne,
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    "startswith": lambda a, b: isinstance(a, str) and isinstance(b, str) and a.startswith(b),
    "contains": lambda a, b: isinstance(a, str) and isinstance(b, str) and b.lower() in a.lower(),
}


class SearchError(ValueError):
    """A filter the simulator cannot read (the API answers 400)."""


def texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in texts(v)]
    return [] if value is None or isinstance(value, bool) else [str(value)]


def matches_q(q: str, haystack: list[str]) -> bool:
    text = "\n".join(haystack).lower()
    return all(term in text for term in (q or "").lower().split())


def compare(op: str, actual: Any, operand: Any) -> bool:
    test = OPERATORS.get(op)
    if test is None:
        raise SearchError(op)
    candidates = actual if isinstance(actual, list) else [actual]
    try:
        if op in ("is not", "!="):
            return all(test(a, operand) for a in candidates)
        return any(test(a, operand) for a in candidates)
    except TypeError:  # e.g. a number compared with a text
        return False


def matches_filter(flt: Any, lookup: Callable[[str], Any]) -> bool:
    """`lookup(name)` gives an object's property or field value (None if it has none)."""
    if not flt:
        return True
    if not isinstance(flt, list) or len(flt) != 3 or not isinstance(flt[0], str):
        raise SearchError("filter")
    head, op, operand = flt
    if head in ("and", "or", "not"):
        if not isinstance(operand, list):
            raise SearchError("filter")
        results = [matches_filter(f, lookup) for f in operand]
        return all(results) if head == "and" else any(results) if head == "or" else not any(results)
    if not isinstance(op, str):
        raise SearchError("filter")
    if head == "value":
        if not isinstance(operand, list) or len(operand) != 2 or not isinstance(operand[0], str):
            raise SearchError("filter")
        return compare(op, lookup(operand[0]), operand[1])
    return compare(op, lookup(head), operand)
