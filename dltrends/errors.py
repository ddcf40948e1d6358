"""Errors that end a command, each with the exit code cron and scripts see."""

import tomllib
from enum import IntEnum
from pathlib import Path
from typing import Any


class ExitCode(IntEnum):
    """Exit codes of every dltrends command."""

    OK = 0
    PARTIAL = 1  # some items or sources failed or were deferred
    USAGE = 2  # usage, settings or registry error; nothing was written
    STORAGE = 74  # a file could not be written (disk full): nothing was published (EX_IOERR)
    BUSY = 75  # the warehouse is held by another writer (EX_TEMPFAIL)


class DltrendsError(Exception):
    """Base class; `exit_code` is what the CLI exits with."""

    exit_code: ExitCode = ExitCode.PARTIAL


class ConfigError(DltrendsError):
    """A setting or the registry is wrong; the message says where and what to fix."""

    exit_code = ExitCode.USAGE


class WarehouseBusy(DltrendsError):
    """Another process holds the writer lock longer than we were willing to wait."""

    exit_code = ExitCode.BUSY


class UsageError(DltrendsError):
    """The command was asked for something it cannot do (bad SQL, no warehouse yet)."""

    exit_code = ExitCode.USAGE


def read_toml(path: Path, what: str) -> dict[str, Any]:
    """A TOML file's contents; ConfigError naming the file when it cannot be read or parsed."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the {what}: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
