"""The CLI reference (docs/reference/cli.md), rendered from the commands' own help.

Every command and subcommand of `jobs.cli.app`, walked through Typer's click command tree and
rendered as plain text at a fixed width, so the page is the same on every machine and terminal.
"""

from __future__ import annotations

from typing import Any

WIDTH = 100


def _help(command: Any, path: list[str], parent: Any) -> tuple[str, Any]:
    ctx = command.context_class(command, info_name=path[-1], parent=parent,
                                terminal_width=WIDTH, max_content_width=WIDTH, color=False)
    return ctx.get_help(), ctx


def _walk(command: Any, path: list[str], parent: Any = None) -> list[tuple[str, str]]:
    """(command path, help text) for a command and, depth first in listing order, its subcommands."""
    text, ctx = _help(command, path, parent)
    out = [(" ".join(path), text)]
    if hasattr(command, "list_commands"):  # a group
        for name in command.list_commands(ctx):
            out += _walk(command.get_command(ctx, name), [*path, name], ctx)
    return out


def cli_markdown() -> str:
    """Every command's `--help`, one section each, in the order `dltrends --help` lists them."""
    from typer.main import get_command

    from jobs.cli import app  # lazily: the CLI imports most of dltrends

    parts = []
    for name, text in _walk(get_command(app), ["dltrends"]):
        body = "\n".join(line.rstrip() for line in text.rstrip().splitlines())
        parts.append(f"## `{name}`\n\n```text\n{body}\n```\n")
    return "\n".join(parts).rstrip()
