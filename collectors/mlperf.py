"""MLCommons MLPerf results: one item per round repository (`training/v4.0`, `inference/v4.1`).

Each round is its own git repository (`mlcommons/training_results_v4.0`, ...), many GB with its
code and logs, so nothing is cloned: per round the collector asks the GitHub API for the head
commit (an unchanged commit ends the round as "unchanged": 1 request) and for its recursive tree
(falling back to one subtree per submitter when GitHub truncates it), then downloads only the
files it parses from the raw host at that commit:

- training: `<submitter>/systems/*.json`, every `<submitter>/results/<system>/<benchmark>/result_*.txt`
  (only the `:::SYSJSON` line and the MLLOG run_start, run_stop and submission_* lines are kept),
  `scaling.json` beside them, and `<submitter>/summary.json` where a round has one; the names of
  the folders under `<submitter>/benchmarks/<benchmark>/implementations/` come from the tree;
- inference: `<division>/<submitter>/systems/*.json` and `<division>/<submitter>/summary.csv`.

Files that fail are listed in the payload's `fetch_errors` and in the item's error; such a round
keeps no cursor, so the next collect fetches it again.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from collectors.base import NO_INPUTS, Collector, Inputs, ItemState, RawItem, Stream, completed, utcnow
from collectors.common import make_client, secret, stop_if_unreachable
from collectors.http import HttpClient, HttpError
from dltrends.settings import Settings

NAME = "mlperf"
# Item cursor: commit
ROUNDS = Stream(name="rounds", table="core.mlperf_results",
                primary_key=("suite", "round", "submitter", "system", "benchmark", "scenario",
                             "score_source"))
STREAMS = {ROUNDS.name: ROUNDS}
KEEP_KEYS = {"run_start", "run_stop", "submission_benchmark", "submission_division", "submission_org",
             "submission_platform", "submission_status"}
MAX_FILE_BYTES = 20 * 1024 * 1024

log = logging.getLogger(__name__)


def repo_for(round_key: str, owner: str = "mlcommons") -> tuple[str, str, str]:
    """`training/v4.0` -> ("training", "v4.0", "mlcommons/training_results_v4.0")."""
    suite, _, version = round_key.partition("/")
    if suite not in ("training", "inference") or not re.fullmatch(r"v\d+\.\d+", version):
        raise ValueError(f"{round_key!r} is not a round like training/v4.0 or inference/v4.1")
    return suite, version, f"{owner}/{suite}_results_{version}"


class MlperfCollector(Collector):
    """Fetches the files of each requested round; one RawItem per round."""

    name = NAME
    streams = STREAMS

    def __init__(self, client: HttpClient, raw_url: str, owner: str = "mlcommons",
                 concurrency: int = 8, token: str | None = None):
        self.client = client
        self.raw_url = raw_url.rstrip("/")
        self.owner = owner
        self.concurrency = concurrency
        self.api_headers = {"Accept": "application/vnd.github+json",
                            "X-GitHub-Api-Version": "2022-11-28"}
        if token:
            self.api_headers["Authorization"] = f"Bearer {token}"

    @classmethod
    def from_settings(cls, settings: Settings, inputs: Inputs = NO_INPUTS) -> MlperfCollector:
        sleep = inputs.sleep
        client = make_client(settings, settings.mlperf_api_url, sleep)
        return cls(client, settings.mlperf_raw_url, concurrency=settings.concurrency,
                   token=secret(settings.github_token))

    def fetch(self, stream: Stream, items: Iterable[str], state: Mapping[str, ItemState]
              ) -> Iterator[RawItem]:
        if stream is not ROUNDS:
            raise ValueError(f"mlperf has no stream {stream.name!r}")
        for key in items:  # rounds one after the other; files within a round concurrently
            yield self.fetch_round(key, state.get(key, ItemState()))

    def fetch_round(self, key: str, previous: ItemState) -> RawItem:
        item = RawItem(NAME, ROUNDS.name, key, utcnow(), "unchanged", cursor=previous.cursor)
        try:
            suite, version, repo = repo_for(key, self.owner)
            commit = self._head_commit(repo)
            if commit == previous.cursor:
                return item
            paths = self._tree(repo, commit)
            payload = self._payload(suite, version, repo, commit, paths)
        except (HttpError, ValueError, KeyError) as exc:
            if isinstance(exc, HttpError):
                stop_if_unreachable(exc)
            item.status, item.error = "failed", _describe(exc, key)
            return item
        item.status, item.payload = "new", payload
        item.cursor = None if payload["fetch_errors"] else commit
        if payload["fetch_errors"]:
            item.error = (f"{len(payload['fetch_errors'])} file(s) not fetched (the round is fetched "
                          f"again next time): {'; '.join(payload['fetch_errors'][:5])}")
        item.meta["bytes"] = sum(len(s.get("text", "")) for s in payload["summaries"])
        return item

    def _head_commit(self, repo: str) -> str:
        """The default branch's head commit (`commits/HEAD`; else via the repository's
        default_branch, for API servers that do not resolve HEAD)."""
        try:
            return self._api(f"/repos/{repo}/commits/HEAD")["sha"]
        except HttpError as exc:
            if exc.status not in (404, 422):
                raise
        branch = self._api(f"/repos/{repo}")["default_branch"]
        return self._api(f"/repos/{repo}/commits/{branch}")["sha"]

    def _api(self, path: str) -> Any:
        return self.client.get(path, headers=self.api_headers).json()

    def _tree(self, repo: str, commit: str) -> list[str]:
        """Every file path at the commit; one subtree per top folder when the tree is truncated."""
        tree = self._api(f"/repos/{repo}/git/trees/{commit}?recursive=1")
        if not tree.get("truncated"):
            return [e["path"] for e in tree["tree"] if e["type"] == "blob"]
        root = self._api(f"/repos/{repo}/git/trees/{commit}")
        paths = [e["path"] for e in root["tree"] if e["type"] == "blob"]
        for entry in (e for e in root["tree"] if e["type"] == "tree"):
            sub = self._api(f"/repos/{repo}/git/trees/{entry['sha']}?recursive=1")
            if sub.get("truncated"):
                raise ValueError(f"{repo}: the tree of {entry['path']} is too large for the API")
            paths += [f"{entry['path']}/{e['path']}" for e in sub["tree"] if e["type"] == "blob"]
        return paths

    def _payload(self, suite: str, version: str, repo: str, commit: str, paths: list[str]) -> dict:
        wanted = select(suite, paths)
        texts, errors = self._download(repo, commit, wanted["files"])
        return {"suite": suite, "round": version, "repo": repo, "commit": commit,
                "systems": [{"path": p, "text": texts[p]} for p in wanted["systems"] if p in texts],
                "results": _results(wanted, texts),
                "summaries": [{"path": p, "text": texts[p]} for p in wanted["summaries"] if p in texts],
                "fetch_errors": errors}

    def _download(self, repo: str, commit: str, files: list[str]) -> tuple[dict[str, str], list[str]]:
        def one(path: str) -> tuple[str, str | None, str | None]:
            try:
                response = self.client.get(f"{self.raw_url}/{repo}/{commit}/{path}")
            except HttpError as exc:
                stop_if_unreachable(exc)
                return path, None, str(exc)
            if len(response.content) > MAX_FILE_BYTES:
                return path, None, f"larger than {MAX_FILE_BYTES} bytes"
            text = response.content.decode("utf-8", errors="replace")
            return path, (extract_log(text) if path.endswith(".txt") else text), None

        texts, errors = {}, []
        for path, text, error in completed(one, files, self.concurrency):
            if error:
                errors.append(f"{path}: {error}")
            else:
                texts[path] = text
        return texts, sorted(errors)


def select(suite: str, paths: list[str]) -> dict:
    """The files to download and the implementation folders, from a round's file list."""
    systems, summaries, runs, implementations = [], [], defaultdict(list), defaultdict(set)
    for path in paths:
        parts = path.split("/")
        if suite == "inference" and len(parts) > 1 and parts[0] in ("closed", "open", "network"):
            parts = [f"{parts[0]}/{parts[1]}", *parts[2:]]  # the division belongs to the submitter
        if len(parts) == 3 and parts[1] == "systems" and parts[2].endswith(".json"):
            systems.append(path)
        elif len(parts) == 2 and parts[1] in ("summary.json", "summary.csv"):
            summaries.append(path)
        elif suite == "training" and len(parts) == 5 and parts[1] == "results" and \
                (re.fullmatch(r"result_\d+\.txt", parts[4]) or parts[4] == "scaling.json"):
            runs[path.rsplit("/", 1)[0]].append(path)
        elif suite == "training" and len(parts) >= 6 and parts[1] == "benchmarks" and \
                parts[3] == "implementations":
            implementations[(parts[0], parts[2], parts[4])].add(parts[5] if len(parts) > 6 else "")
    files = systems + summaries + [p for group in runs.values() for p in group]
    return {"systems": sorted(systems), "summaries": sorted(summaries), "runs": dict(runs),
            "implementations": {k: sorted(c for c in v if c) for k, v in implementations.items()},
            "files": files}


def _results(wanted: dict, texts: dict[str, str]) -> list[dict]:
    out = []
    for folder, files in sorted(wanted["runs"].items()):
        submitter, _, system, benchmark = folder.split("/")
        scaling = next((texts.get(f) for f in files if f.endswith("scaling.json")), None)
        runs = [{"file": f.rsplit("/", 1)[1], "lines": texts[f]} for f in sorted(files)
                if f.endswith(".txt") and f in texts]
        impls = {name: children for (sub, bench, name), children in wanted["implementations"].items()
                 if sub == submitter and bench == benchmark}
        out.append({"path": folder, "submitter": submitter, "system": system, "benchmark": benchmark,
                    "scaling": scaling, "runs": runs, "implementations": impls})
    return out


def extract_log(text: str) -> str:
    """The lines of an MLLOG result log the parser needs: :::SYSJSON and the kept MLLOG keys."""
    kept = []
    for line in text.splitlines():
        if line.startswith(":::SYSJSON"):
            if not any(k.startswith(":::SYSJSON") for k in kept):
                kept.append(line.rstrip())
        elif ":::MLLOG" in line and any(f'"key": "{k}"' in line or f'"key":"{k}"' in line
                                         for k in KEEP_KEYS):
            kept.append(line[line.index(":::MLLOG"):].rstrip())
    return "\n".join(kept)


def _describe(exc: Exception, key: str) -> str:
    if isinstance(exc, HttpError) and exc.status == 404:
        return f"no repository for {key} (HTTP 404): {exc}"
    if isinstance(exc, HttpError) and exc.status in (403, 429):
        return f"GitHub refused the request (rate limit? set GITHUB_TOKEN): {exc}"
    return f"{type(exc).__name__}: {exc}"


