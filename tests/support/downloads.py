"""Helpers for the download tests: pypistats answers on the fake server, small registries, rows."""

from __future__ import annotations

import copy
import datetime as dt
import json

from tests.support.fakeserver import FIXTURES, FakeServer

PYPISTATS = FIXTURES / "pypistats"
CLICKPY = FIXTURES / "clickpy"
BIGQUERY = FIXTURES / "bigquery"


def body(name: str) -> dict:
    """A recorded pypistats answer (tests/fixtures/pypistats/<name>.json)."""
    return json.loads((PYPISTATS / f"{name}.json").read_text())


def as_package(answer: dict, package: str) -> dict:
    """The same answer as pypistats would send it for another package name."""
    out = copy.deepcopy(answer)
    out["package"] = package
    return out


def shifted(answer: dict, days: int, drop_before: str | None = None) -> dict:
    """The answer `days` later, as pypistats' moving 180-day window would send it."""
    out = copy.deepcopy(answer)
    rows = []
    for row in out["data"]:
        when = (dt.date.fromisoformat(row["date"]) + dt.timedelta(days=days)).isoformat()
        if drop_before is None or when >= drop_before:
            rows.append({**row, "date": when})
    out["data"] = rows
    return out


def serve_pypistats(server: FakeServer, package: str, *, overall: dict | None = None,
                    python_minor: dict | None = None, system: dict | None = None) -> None:
    for endpoint, answer in (("overall", overall), ("python_minor", python_minor),
                             ("system", system)):
        if answer is not None:
            server.add(f"/api/packages/{package}/{endpoint}", as_package(answer, package))


def clickpy_answers() -> dict:
    return json.loads((CLICKPY / "answers.synthetic.json").read_text())


def clickhouse_query(request) -> dict[str, str]:
    """The parameters of a ClickHouse HTTP GET (query, user, param_*)."""
    from urllib.parse import parse_qs

    return {k: v[0] for k, v in parse_qs(request.query, keep_blank_values=True).items()}


def stream_of(sql: str) -> str:
    from collectors.clickpy import BREAKDOWNS

    if "with_mirrors" in sql:
        return "totals"
    return next(s for s, (table, _) in BREAKDOWNS.items() if f"FROM pypi.{table} " in sql)


def serve_clickhouse(server: FakeServer, answers: dict | None = None) -> None:
    """A fake ClickHouse at `/`: answers each stream's query with the rows inside its bounds."""
    from tests.support.fakeserver import Response

    answers = answers or clickpy_answers()

    def handle(request):
        q = clickhouse_query(request)
        stream = stream_of(q["query"])
        known = answers[stream]
        answer = known.get(q["param_project"]) or {**next(iter(known.values())), "data": []}
        lo = q["param_start"][:8] + "01" if stream == "country" else q["param_start"]
        data = [r for r in answer["data"] if lo <= r[0] <= q["param_end"]]
        body = json.dumps({**answer, "data": data, "rows": len(data)}).encode()
        return Response(200, body, {"Content-Type": "application/json; charset=UTF-8",
                                    "X-ClickHouse-Format": "JSONCompact"})

    server.handle("/", handle)


def load_downloads(cfg, registry, server: FakeServer) -> None:
    """Add download data to a test warehouse: pypistats and a ClickPy backfill of torch and jax
    that overlap on 2024-01-01/02 (so the source comparison has something to show)."""
    from jobs.collect.backfill import backfill
    from jobs.collect.run import collect

    serve_clickhouse(server)
    overall = shifted(body("overall_pip"), (dt.date(2024, 1, 1) - dt.date(2020, 5, 1)).days)
    serve_pypistats(server, "torch", overall=overall, python_minor=body("python_minor_pip"),
                    system={"data": [], "package": "torch", "type": "system_downloads"})
    cfg = cfg.model_copy(update={"pypistats_url": server.url, "clickpy_url": server.url})
    backfill(cfg, registry, "clickpy", since=dt.date(2023, 12, 1), until=dt.date(2024, 1, 10),
             frameworks=["pytorch", "jax"])
    collect(cfg, registry, ["pypistats"], ["pytorch"])
