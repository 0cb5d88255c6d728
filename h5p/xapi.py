"""Checking the xAPI statements that an H5P player reports from the browser.

The player page forwards a summary of each scored statement to the lesson page,
which posts ``{"activity": "<uuid>", "statement": {...}}`` here. Everything in
it is self-reported by JavaScript in the learner's browser: this module checks
that it is well-formed and plausible (score within 0..max, the right activity),
not that it is true.
"""

from __future__ import annotations

import json
import math
import uuid
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

MAX_STATEMENT_BYTES = 8 * 1024
MAX_SCORE = 100_000
VERB_PREFIX = "http://adlnet.gov/expapi/verbs/"
VERBS = frozenset({"answered", "completed", "passed", "failed"})


class InvalidStatement(Exception):
    def __init__(self, message: str, code: str) -> None:
        self.message = message
        self.code = code
        super().__init__(message)


@dataclass(frozen=True)
class Result:
    """A scored result of one H5P activity, as reported by its player."""

    statement_id: uuid.UUID
    verb: str
    raw: int
    max: int
    success: bool | None
    is_child: bool
    """A statement of sub-content (a question inside a question set): not counted."""

    def passes(self, pass_percent: int) -> bool:
        """Passed: not reported as failed, and the score reaches ``pass_percent``."""
        if self.verb == "failed" or self.success is False:
            return False
        return self.raw * 100 >= pass_percent * self.max

    @property
    def digest_source(self) -> dict[str, Any]:
        return {
            "verb": self.verb,
            "raw": self.raw,
            "max": self.max,
            "success": self.success,
        }


def _invalid(code: str) -> InvalidStatement:
    messages = {
        "too_large": _("The result was too large to be received."),
        "not_json": _("The result could not be read. Reload the page and try again."),
        "wrong_activity": _("The result does not belong to this activity."),
        "statement_id": _("The result has no valid identifier."),
        "verb": _("Only answered, completed, passed or failed results are recorded."),
        "score": _(
            "The result's score is not valid: it must be a number from 0 up to the "
            "highest possible score."
        ),
    }
    return InvalidStatement(messages[code], code)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _is_child(statement: dict[str, Any]) -> bool:
    context = statement.get("context")
    if isinstance(context, dict):
        activities = context.get("contextActivities")
        if isinstance(activities, dict) and activities.get("parent"):
            return True
    object_id = (statement.get("object") or {}).get("id")
    return isinstance(object_id, str) and "subContentId=" in object_id


def parse_result(body: bytes, *, activity: uuid.UUID) -> Result:
    """Validate a posted statement for ``activity``; raise :class:`InvalidStatement`."""
    if len(body) > MAX_STATEMENT_BYTES:
        raise _invalid("too_large")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise _invalid("not_json") from error
    if not isinstance(data, dict) or not isinstance(data.get("statement"), dict):
        raise _invalid("not_json")
    if str(data.get("activity", "")) != str(activity):
        raise _invalid("wrong_activity")
    statement = data["statement"]
    try:
        statement_id = uuid.UUID(str(statement.get("id", "")))
    except ValueError as error:
        raise _invalid("statement_id") from error
    verb_data = statement.get("verb")
    verb_id = verb_data.get("id") if isinstance(verb_data, dict) else None
    verb = ""
    if isinstance(verb_id, str) and verb_id.startswith(VERB_PREFIX):
        verb = verb_id[len(VERB_PREFIX) :]
    if verb not in VERBS:
        raise _invalid("verb")
    object_ = statement.get("object")
    object_id = object_.get("id") if isinstance(object_, dict) else None
    if not isinstance(object_id, str) or str(activity) not in object_id:
        raise _invalid("wrong_activity")
    result = statement.get("result")
    score = result.get("score") if isinstance(result, dict) else None
    if not isinstance(score, dict):
        raise _invalid("score")
    raw, maximum = _number(score.get("raw")), _number(score.get("max"))
    if raw is None or maximum is None or not 0 < maximum <= MAX_SCORE or not 0 <= raw <= maximum:
        raise _invalid("score")
    if raw != int(raw) or maximum != int(maximum):  # fractions: record as a percentage
        raw, maximum = round(100 * raw / maximum), 100
    success = result.get("success")
    return Result(
        statement_id=statement_id,
        verb=verb,
        raw=int(raw),
        max=int(maximum),
        success=success if isinstance(success, bool) else None,
        is_child=_is_child(statement),
    )
