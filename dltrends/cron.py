"""Cron expressions as dltrends reads them: 5 fields, UTC, weekdays by name, cron's own syntax.

`dltrends schedule` runs them with APScheduler 3 and `dltrends crontab` prints them for system
cron, so an expression must mean the same to both. Cron counts weekday 0 as Sunday while
APScheduler 3 counts it as Monday: weekdays must be named (mon..sun). Cron ORs a restricted day of
month with a restricted weekday while APScheduler ANDs them: only one of the two may be restricted.
APScheduler's extensions (`last`, `2nd mon`, ...) have no cron equivalent and are refused.
"""

from __future__ import annotations

import datetime as dt
import re

from apscheduler.triggers.cron import CronTrigger

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # APScheduler's order: mon is 0
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_NAMES = ("minute", "hour", "day of month", "month", "day of week")


def _field(value: str) -> re.Pattern[str]:
    item = rf"(\*|{value}(-{value})?)(/[0-9]+)?"
    return re.compile(rf"^{item}(,{item})*$")


_FIELDS = (_field("[0-9]+"), _field("[0-9]+"), _field("[0-9]+"),
           _field("([0-9]+|" + "|".join(MONTHS) + ")"), _field("(" + "|".join(WEEKDAYS) + ")"))


def check(expr: str) -> str:
    """The expression normalised (lower case, single spaces); ValueError says what to fix."""
    fields = expr.lower().split()
    if len(fields) != 5:
        raise ValueError(f"{expr!r} has {len(fields)} fields; a cron expression has 5 (minute hour "
                         "day-of-month month day-of-week), e.g. \"7 * * * *\"")
    if re.search(r"(^|[,-])\d", fields[4]):
        raise ValueError(f"{expr!r}: name the weekdays (mon..sun) instead of numbers: cron counts "
                         "0 as Sunday, APScheduler 3 as Monday")
    for name, value, pattern in zip(_NAMES, fields, _FIELDS, strict=True):
        if not pattern.match(value):
            raise ValueError(f"{expr!r}: the {name} field {value!r} is not cron syntax (numbers; "
                             "month and weekday names; *, ranges a-b, steps /n, lists a,b)")
    if fields[2] != "*" and fields[4] != "*":
        raise ValueError(f"{expr!r} restricts both the day of month and the weekday; cron and "
                         "APScheduler combine the two differently, so use one of them")
    try:
        CronTrigger.from_crontab(" ".join(fields), timezone=dt.UTC)
    except ValueError as exc:
        raise ValueError(f"{expr!r}: {exc}") from None
    return " ".join(fields)


def trigger(expr: str) -> CronTrigger:
    """The APScheduler trigger of a checked expression, in UTC."""
    return CronTrigger.from_crontab(expr, timezone=dt.UTC)


def to_cron(expr: str) -> str:
    """A checked expression with month and weekday names as cron numbers (Sunday is 0).

    Vixie cron accepts a single name but no ranges or lists of names, so names become numbers.
    """
    minute, hour, day, month, weekday = expr.split()
    for index, name in enumerate(MONTHS):
        month = re.sub(rf"\b{name}\b", str(index + 1), month)
    return " ".join([minute, hour, day, month, _weekdays(weekday)])


def _weekdays(field: str) -> str:
    """Expand an APScheduler weekday field to its set of days, written in cron numbering."""
    if field == "*":
        return field
    days: set[int] = set()
    for part in field.split(","):
        span, _, step = part.partition("/")
        if span == "*":
            first, last = 0, 6
        else:
            start, _, end = span.partition("-")
            first, last = WEEKDAYS.index(start), WEEKDAYS.index(end or start)
        days.update(range(first, last + 1, int(step or 1)))
    return ",".join(str(n) for n in sorted((d + 1) % 7 for d in days))
