"""What every `dltrends` command shares: the Typer app, the shared options, error handling.

A feature adds its commands in its own module (`jobs/cli/<feature>.py`) with `@command` from here
(or a sub-app via `app.add_typer`), and `jobs/cli/__init__.py` imports that module.
Exit codes: 0 ok, 1 some items or sources failed or were deferred, 2 usage or configuration
error (nothing written), 74 nothing was published (disk full; the data is safe in the working
file), 75 the warehouse is busy (another writer holds it).
"""

from __future__ import annotations

import functools
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import SecretStr
from rich.console import Console

from dltrends.errors import DltrendsError
from dltrends.redact import RedactingFilter, register_secrets
from dltrends.registry import Registry, load_registry
from dltrends.settings import Settings, load_settings
from jobs.terminate import Terminated, exit_now, requested, terminable

app = typer.Typer(
    help="dltrends: live, sourced trends of the deep-learning framework ecosystem.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_show_locals=False,  # locals may hold settings; never print them
)
err = Console(stderr=True)

ConfigOpt = Annotated[Path | None, typer.Option(
    "--config", help="Settings file (default: $DLTRENDS_CONFIG, else ./dltrends.toml if present).")]
DbOpt = Annotated[Path | None, typer.Option(
    "--db", help="Published DuckDB file (DLTRENDS_DB).")]
RegistryOpt = Annotated[Path | None, typer.Option(
    "--registry", help="Framework registry file (DLTRENDS_REGISTRY).")]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Log debug details.")]


def say(text: str, style: str | None = None) -> None:
    """A message on stderr, never wrapped or marked up (it may hold paths and error texts)."""
    err.print(text, style=style, markup=False, highlight=False, soft_wrap=True)


def handled(func):
    """Turn dltrends errors into their message and exit code; the docstring is the help.

    SIGTERM unwinds the command (rolling back an open transaction; see jobs/terminate.py) and
    ends the process with exit code 143 within a few seconds. For a sub-app's commands:
    `sub.command("name")(handled(func))`.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            with terminable():
                code = func(*args, **kwargs)
        except DltrendsError as exc:
            say(f"dltrends: {exc}", style="red")
            raise typer.Exit(int(exc.exit_code)) from None
        except Terminated as exc:
            _stopped(exc)
        except Exception:
            if (signum := requested()) is None:
                raise
            _stopped(Terminated(signum))  # DuckDB reported the signal as an interrupted query
        raise typer.Exit(int(code or 0))

    return wrapper


def _stopped(exc: Terminated) -> None:
    say(f"dltrends: {exc}: the open transaction was rolled back and nothing was published "
        "half-way", style="red")
    exit_now()


def command(func):
    """A `dltrends` subcommand with `handled`'s error handling."""
    return app.command()(handled(func))


def setup(config: Path | None, verbose: bool = False, **overrides) -> Settings:
    settings = load_settings(config, **overrides)
    level = "DEBUG" if verbose else settings.log_level
    logging.basicConfig(
        level=getattr(logging, level), stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    register_secrets(*(v.get_secret_value() for v in dict(settings).values()
                       if isinstance(v, SecretStr)))
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactingFilter())
    return settings


def registry_for(settings: Settings, frameworks: list[str] | None = None) -> Registry:
    registry = load_registry(settings.registry)
    registry.check_ids(frameworks or [])
    return registry
