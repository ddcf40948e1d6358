"""Serving the signal sources' synthetic fixtures (conda, hf, stackoverflow, npm, osv) from the fake
server, and the settings that point the collectors at it. Shared by the signal tests and the
dashboard's collected warehouse.

Every payload here is hand-written from the documented shapes (see tests/fixtures/README.md); the
conda Parquet files are written by `write_conda_month` from the rows in CONDA_ROWS.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from urllib.parse import parse_qs, unquote

import duckdb
import pandas as pd
import time_machine

from dltrends.registry import load_registry
from dltrends.settings import Settings
from jobs.collect.run import collect
from tests.support.fakeserver import FIXTURES, FakeServer, Request, Response
from tests.support.settings import make_settings

SIGNALS_REGISTRY = FIXTURES / "frameworks.signals.toml"
SO_DIR, NPM_DIR, HF_DIR, OSV_DIR = (FIXTURES / d for d in ("stackoverflow", "npm", "hf", "osv"))
DAY1, DAY2 = dt.date(2026, 11, 21), dt.date(2026, 11, 28)  # the fixtures' two snapshot days
SO_TAGS = ["tensorflow", "tensorflow2.0", "pytorch", "mxnet", "jax", "keras", "onnxruntime", "theano"]
HF_LIBRARIES = ["tf", "pytorch", "jax", "onnx"]
NPM_PACKAGES = ["@tensorflow/tfjs", "onnxruntime-web", "onnxruntime-node"]
SIGNAL_SOURCES = ["stackoverflow", "npm", "hf", "conda", "osv"]

# Synthetic monthly rows: (month, data_source, pkg_name, pkg_version, pkg_platform, pkg_python, counts)
CONDA_ROWS = [
    ("2026-08", "conda-forge", "pytorch", "2.7.1", "linux-64", "3.12", 41000),
    ("2026-08", "conda-forge", "pytorch", "2.7.1", "osx-arm64", "3.12", 9000),
    ("2026-08", "anaconda", "pytorch", "2.5.1", "linux-64", "3.11", 12000),
    ("2026-08", "conda-forge", "tensorflow", "2.18.0", "linux-64", "3.11", 15000),
    ("2026-08", "conda-forge", "jax", "0.6.2", "noarch", None, 7000),
    ("2026-08", "conda-forge", "numpy", "2.3.1", "linux-64", "3.12", 990000),  # not tracked
    ("2026-09", "conda-forge", "pytorch", "2.8.0", "linux-64", "3.12", 44000),
    ("2026-09", "anaconda", "pytorch", "2.5.1", "linux-64", "3.11", 11000),
    ("2026-09", "conda-forge", "tensorflow", "2.18.0", "linux-64", "3.11", 14000),
    ("2026-09", "bioconda", "keras", "3.9.2", "noarch", None, 300),
    ("2026-10", "conda-forge", "pytorch", "2.8.0", "linux-64", "3.12", 47000),
    ("2026-10", "conda-forge", "pytorch", "2.8.0", "linux-64", "3.12", 1000),  # a second time bin
    ("2026-10", "conda-forge", "tensorflow", "2.18.0", "linux-64", "3.11", 13500),
    ("2026-10", "conda-forge", "onnxruntime", "1.22.0", "win-64", "3.12", 2100),
]


def signal_settings(tmp_path: Path, server: FakeServer, **overrides) -> Settings:
    """Settings with every signal source pointed at the fake server and short histories."""
    url = server.url
    values = {"registry": SIGNALS_REGISTRY, "stackoverflow_url": url, "npm_url": url,
              "hf_url": url, "conda_url": url, "osv_url": url, "npm_since": dt.date(2026, 10, 31),
              "conda_since": "2026-08", "hf_top_n": 3, "conda_cache": tmp_path / "conda-cache"}
    return make_settings(tmp_path, server, **{**values, **overrides})


def load(path: Path):
    return json.loads(path.read_text())


# Stack Overflow -------------------------------------------------------------------------------

def so_path(tags: list[str]) -> str:
    return "/2.3/tags/" + ";".join(tags) + "/info"


def serve_stackoverflow(server: FakeServer, day: dt.date = DAY1, tags: list[str] = SO_TAGS) -> None:
    server.add(so_path(tags), (SO_DIR / f"tags_info_{day}.synthetic.json").read_bytes())


# npm ------------------------------------------------------------------------------------------

def npm_series(package: str) -> dict[str, int]:
    name = package.replace("@", "").replace("/", "-")
    body = load(NPM_DIR / f"range_{name}.synthetic.json")
    return {d["day"]: d["downloads"] for d in body["downloads"]}


def serve_npm(server: FakeServer, packages: list[str] = NPM_PACKAGES) -> None:
    """Answer any range of the fixture packages as npm does: every day, 0 where none recorded."""
    series = {p: npm_series(p) for p in packages}

    def answer(request: Request) -> Response:
        span, _, package = request.path.removeprefix("/downloads/range/").partition("/")
        package = unquote(package)
        if package not in series:
            return Response(404, (NPM_DIR / "not_found.synthetic.json").read_bytes(),
                            {"Content-Type": "application/json"})
        first, last = (dt.date.fromisoformat(d) for d in span.split(":"))
        days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
        body = {"start": first.isoformat(), "end": last.isoformat(), "package": package,
                "downloads": [{"downloads": series[package].get(d.isoformat(), 0),
                               "day": d.isoformat()} for d in days]}
        return Response(200, json.dumps(body).encode(), {"Content-Type": "application/json"})

    server.handle_prefix("/downloads/range/", answer)


# Hugging Face Hub -----------------------------------------------------------------------------

def serve_hf(server: FakeServer, day: dt.date = DAY1, libraries: list[str] = HF_LIBRARIES) -> None:
    """The listing of each library, paged by `limit` with an opaque-looking cursor in `Link`."""
    models = {lib: load(HF_DIR / f"models_{lib}_{day}.synthetic.json") for lib in libraries}

    def answer(request: Request) -> Response:
        query = {k: v[0] for k, v in parse_qs(request.query).items()}
        listing = models.get(query.get("filter", ""), [])
        limit = int(query.get("limit", 1000))
        start = int(query.get("cursor", "0"))
        headers = {"Content-Type": "application/json"}
        if start + limit < len(listing):
            nxt = {**query, "cursor": str(start + limit)}
            headers["Link"] = "<{base}/api/models?" + "&".join(f"{k}={v}" for k, v in nxt.items()) \
                + '>; rel="next"'
        return Response(200, json.dumps(listing[start:start + limit]).encode(), headers)

    server.handle("/api/models", answer)


# conda ----------------------------------------------------------------------------------------

def write_conda_month(folder: Path, month: str, rows=None) -> Path:
    """A monthly file in the dataset's layout: one row per hour-free bin, SNAPPY Parquet."""
    rows = [r for r in (rows or CONDA_ROWS) if r[0] == month]
    frame = pd.DataFrame(rows, columns=["time", "data_source", "pkg_name", "pkg_version",
                                        "pkg_platform", "pkg_python", "counts"])
    path = folder / f"{month}.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.register("frame", frame)
    con.execute(f"COPY frame TO '{path}' (FORMAT parquet, COMPRESSION snappy)")
    con.close()
    return path


def serve_conda(server: FakeServer, folder: Path, months: list[str]) -> None:
    for month in months:
        path = write_conda_month(folder, month)
        server.add(f"/conda/monthly/{month[:4]}/{month}.parquet", path.read_bytes(),
                   content_type="application/octet-stream")


# OSV ------------------------------------------------------------------------------------------

def serve_osv(server: FakeServer, page_size: int = 1000) -> None:
    """querybatch answers from the synthetic matches (paged per query), and advisory records."""
    matches = load(OSV_DIR / "querybatch_matches.synthetic.json")

    def querybatch(request: Request) -> Response:
        results = []
        for query in json.loads(request.body)["queries"]:
            key = f"{query['package']['name']}=={query['version']}"
            vulns = matches.get(key, [])
            start = int(query.get("page_token", "0"))
            result = {"vulns": vulns[start:start + page_size]} if vulns else {}
            if start + page_size < len(vulns):
                result["next_page_token"] = str(start + page_size)
            results.append(result)
        return Response(200, json.dumps({"results": results}).encode(),
                        {"Content-Type": "application/json"})

    server.handle("/v1/querybatch", querybatch, method="POST")
    for path in (OSV_DIR / "vulns").glob("*.synthetic.json"):
        server.add(f"/v1/vulns/{path.name.removesuffix('.synthetic.json')}", path.read_bytes())


def serve_signals(server: FakeServer, conda_folder: Path, day: dt.date = DAY1) -> None:
    serve_stackoverflow(server, day)
    serve_npm(server)
    serve_hf(server, day)
    serve_conda(server, conda_folder, ["2026-08", "2026-09", "2026-10"])
    serve_osv(server)


def collect_signals(folder: Path, server: FakeServer) -> Settings:
    """PyPI and every signal source on the fixtures' two days, as a user's daily cron would.

    The PyPI recordings must already be served; the collects run at noon UTC of DAY1 and DAY2.
    """
    cfg = signal_settings(folder, server)
    registry = load_registry(cfg.registry)
    for day in (DAY1, DAY2):
        serve_signals(server, folder / "served", day)
        noon = dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC)
        with time_machine.travel(noon, tick=True):
            result = collect(cfg, registry, ["pypi", *SIGNAL_SOURCES])
        assert result.ok, [s.summary() for s in result.sources]
    return cfg
