"""The git route of the community history: a blobless bare clone read with `git log`.

It costs no API budget at all. The first run clones (`git clone --bare --filter=blob:none`: commits
and trees, no file contents), later runs fetch what is new. Commits are counted by the month of
their committer date (when they landed, UTC), authors by their e-mail address after `.mailmap`
(lower-cased, then hashed: the warehouse never stores an address). Co-authors in commit trailers
are not counted.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import os
import shutil
import signal
import subprocess
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

CLONE_FILTER = "blob:none"
TIMEOUT = 3600.0  # seconds for one git command: the first clone of a giant repo takes minutes
_SEP = "\x1f"


class GitError(RuntimeError):
    """A git command failed; the message names the command and git's own words."""


def available() -> bool:
    return shutil.which("git") is not None


def author_id(email: str) -> str:
    """A stable, non-reversible id for an author e-mail (the address itself is never stored)."""
    return hashlib.sha1(email.strip().lower().encode()).hexdigest()[:16]


def _env() -> dict[str, str]:
    # Never prompt for credentials or open an editor: a cron job has nobody to answer.
    return {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "", "SSH_ASKPASS": "",
            "GCM_INTERACTIVE": "never", "LC_ALL": "C"}


# A transfer slower than 1 KB/s for 2 minutes is abandoned by git itself (a trickling server);
# TIMEOUT bounds the whole command, and kills git's helpers (git-remote-https) with it.
_LOW_SPEED = ["-c", "http.lowSpeedLimit=1000", "-c", "http.lowSpeedTime=120"]


def run_git(args: list[str], cwd: Path | None = None, timeout: float = TIMEOUT) -> str:
    process = subprocess.Popen(["git", *_LOW_SPEED, *args], cwd=cwd, env=_env(),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               encoding="utf-8", errors="replace", start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        raise GitError(f"git {args[0]} took longer than {timeout:.0f} s") from None
    except BaseException:  # SIGTERM or Ctrl-C: git and its helpers go too
        _kill_group(process)
        raise
    if process.returncode != 0:
        words = (stderr or stdout).strip().splitlines()
        fatal = [w for w in words if w.startswith(("fatal:", "error:"))]
        said = (fatal or words or [f"exit {process.returncode}"])[0]
        raise GitError(f"git {args[0]} failed: {said}")
    return stdout


def _kill_group(process: subprocess.Popen) -> None:
    """Kill git and every helper it started (they share its new session's process group)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.communicate()


@dataclass
class Clone:
    """One repository's bare clone under the clone folder."""

    url: str
    path: Path

    @classmethod
    def of(cls, base_url: str, folder: Path, key: str) -> Clone:
        owner, name = key.split("/", 1)
        return cls(f"{base_url.rstrip('/')}/{owner}/{name}.git", folder / owner / f"{name}.git")

    def update(self) -> str:
        """Clone or fetch; returns the sha of the default branch's head."""
        if not (self.path / "HEAD").exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(self.path.name + ".partial")
            shutil.rmtree(tmp, ignore_errors=True)
            run_git(["clone", "--bare", "--quiet", f"--filter={CLONE_FILTER}", "--no-tags",
                     self.url, str(tmp)])
            tmp.rename(self.path)  # a clone killed half-way never looks complete
        else:
            run_git(["fetch", "--quiet", "--prune", "--no-tags", f"--filter={CLONE_FILTER}",
                     "origin", "+refs/heads/*:refs/heads/*"], cwd=self.path)
            self._follow_default_branch()
        return run_git(["rev-parse", "HEAD"], cwd=self.path).strip()

    def _follow_default_branch(self) -> None:
        """Point HEAD at the remote's default branch (it may move from master to main)."""
        try:
            out = run_git(["ls-remote", "--symref", "origin", "HEAD"], cwd=self.path, timeout=120)
        except GitError as exc:
            log.info("%s: keeping the local default branch (%s)", self.path, exc)
            return
        for line in out.splitlines():
            if line.startswith("ref:") and line.endswith("HEAD"):
                run_git(["symbolic-ref", "HEAD", line.split()[1]], cwd=self.path)

    def default_branch(self) -> str:
        return run_git(["symbolic-ref", "--short", "HEAD"], cwd=self.path).strip()

    def is_ancestor(self, old: str, new: str) -> bool:
        try:
            run_git(["merge-base", "--is-ancestor", old, new], cwd=self.path, timeout=600)
        except GitError:
            return False
        return True

    def log(self, revision: str = "HEAD") -> list[tuple[int, str]]:
        """(committer epoch, author id) of every commit reachable from `revision`."""
        out = run_git(["log", "--format=%ct%x1f%aE", revision], cwd=self.path)
        rows = []
        for line in out.splitlines():
            stamp, _, email = line.partition(_SEP)
            if stamp.isdigit():
                rows.append((int(stamp), author_id(email)))
        return rows


def month_of(epoch: int) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m")


def author_months(commits: list[tuple[int, str]]) -> dict[str, dict[str, int]]:
    """month -> author id -> commits."""
    months: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for epoch, author in commits:
        months[month_of(epoch)][author] += 1
    return {m: dict(a) for m, a in sorted(months.items())}


def history(clone: Clone, previous_head: str | None) -> tuple[str, dict | None]:
    """(head, payload) after updating the clone; payload None when nothing changed.

    The payload holds every month touched by new commits, each month complete (all of its
    commits, not only the new ones), so an upsert by (repo, month, author) stays exact. A rewritten
    history (the old head is no longer an ancestor) resends every month.
    """
    head = clone.update()
    if head == previous_head:
        return head, None
    everything = author_months(clone.log("HEAD"))
    if previous_head and clone.is_ancestor(previous_head, head):
        touched = {month_of(epoch) for epoch, _ in clone.log(f"{previous_head}..{head}")}
        months = {m: a for m, a in everything.items() if m in touched}
        scope = "incremental"
    else:
        months, scope = everything, "full"
    return head, {"route": "git", "head": head, "default_branch": clone.default_branch(),
                  "scope": scope, "months": months}
