"""`dltrends dashboard`: the Streamlit dashboard on the published file."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from dltrends.errors import ExitCode
from jobs.cli.common import ConfigOpt, DbOpt, command, say, setup


@command
def dashboard(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8501,
    base_url_path: Annotated[str, typer.Option(
        "--base-url-path", help="Serve under this path (behind a proxy at /dltrends/).")] = "",
    config: ConfigOpt = None, db: DbOpt = None,
) -> int:
    """Start the Streamlit dashboard on the published file, with production settings."""
    settings = setup(config, db=db)
    app_path = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
    env = {**os.environ, "DLTRENDS_DB": str(settings.db.resolve())}
    if config:
        env["DLTRENDS_CONFIG"] = str(config.resolve())
    argv = [sys.executable, "-m", "streamlit", "run", str(app_path), *streamlit_options(
        host, port, base_url_path)]
    path = "/" + base_url_path.strip("/") if base_url_path.strip("/") else ""
    say(f"dltrends dashboard on http://{host}:{port}{path} reading {settings.db}")
    os.execvpe(argv[0], argv, env)
    return ExitCode.OK  # not reached


def streamlit_options(host: str, port: int, base_url_path: str = "") -> list[str]:
    """Streamlit's production settings: no usage statistics, XSRF protection on, no file
    watcher (nothing reloads in production), viewers see error types but no tracebacks."""
    return ["--server.address", host, "--server.port", str(port), "--server.headless", "true",
            "--server.baseUrlPath", base_url_path.strip("/"),
            "--browser.gatherUsageStats", "false", "--server.enableXsrfProtection", "true",
            "--server.enableCORS", "true", "--server.fileWatcherType", "none",
            "--server.runOnSave", "false", "--client.showErrorDetails", "type",
            "--client.toolbarMode", "viewer", "--global.developmentMode", "false"]
