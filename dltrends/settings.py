"""One typed settings object: defaults < dltrends.toml < DLTRENDS_* environment < CLI options.

Secrets (GITHUB_TOKEN and later credentials) are read from the environment only; a settings file
that names one is refused, so a token never ends up in a file that gets copied around.
"""

from __future__ import annotations

import os
import tomllib
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from dltrends.errors import ConfigError

ENV_PREFIX = "DLTRENDS_"
CONFIG_ENV = "DLTRENDS_CONFIG"
DEFAULT_CONFIG = Path("dltrends.toml")
SECRET_FIELDS = {"github_token": "GITHUB_TOKEN"}

_config_path: ContextVar[Path | None] = ContextVar("dltrends_config_path", default=None)


def default_registry_path() -> Path:
    """The registry shipped with dltrends: inside the wheel, else at the source tree's root."""
    packaged = Path(__file__).with_name("frameworks.toml")
    return packaged if packaged.exists() else Path(__file__).resolve().parent.parent / "frameworks.toml"


class Settings(BaseSettings):
    """Every dltrends setting. Field descriptions are the documentation (README, `--help`)."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid", validate_default=True)

    db: Path = Field(
        Path("data/dltrends.duckdb"),
        description="The published DuckDB file the dashboard and users read. The collector's "
        "private working file and lock live beside it (<db>.work, <db>.work.lock).",
    )
    registry: Path = Field(
        default_factory=default_registry_path,
        description="The framework registry (frameworks.toml).",
    )
    pypi_url: str = Field(
        "https://pypi.org",
        description="Package index host root; the collector requests <url>/pypi/<name>/json.",
    )
    http_timeout: float = Field(30.0, gt=0, description="Seconds before one HTTP request times out.")
    http_retries: int = Field(
        4, ge=0, le=10, description="Retries of one request after 429, 5xx or a connection error."
    )
    http_max_retry_wait: float = Field(
        120.0,
        ge=0,
        description="Longest wait (seconds) honoured for one Retry-After or backoff; a longer "
        "Retry-After fails the item instead of stalling the run.",
    )
    concurrency: int = Field(8, ge=1, le=64, description="Requests in flight at once per source.")
    nightlies: bool = Field(
        False, description="Also track the registry's pypi_nightly packages (large, change daily)."
    )
    lock_timeout: float = Field(
        60.0, ge=0, description="Seconds a collect waits for another writer before exiting 75."
    )
    contact: str = Field(
        "", description="Your e-mail or URL, appended to the User-Agent so index operators can "
        "reach you (PyPI asks bulk clients for one)."
    )
    dashboard_cache_ttl: int = Field(
        300, ge=0, description="Seconds the dashboard caches a query result (a new publish "
        "invalidates it sooner)."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="Log level of the CLI and collectors."
    )
    github_api_url: str = Field(
        "https://api.github.com",
        description="GitHub REST API base (GitHub Enterprise: https://HOST/api/v3); GraphQL is "
        "derived from it.",
    )
    github_git_url: str = Field(
        "https://github.com",
        description="Base for git clones (<url>/<owner>/<name>.git) of the community history; empty "
        "disables the git route (commits and authors then come from /stats/contributors).",
    )
    github_git_dir: Path | None = Field(
        None,
        description="Where the blobless bare clones live (default: a git folder beside the "
        "published file). They are a cache: delete them any time.",
    )
    github_max_wait: float = Field(
        90.0, ge=0,
        description="Longest wait (seconds) for a spent GitHub rate limit to reset; a later reset "
        "defers the rest of that stream to the next run.",
    )
    github_history_minutes: float = Field(
        10.0, ge=0,
        description="Minutes a github-history run may spend on API work before it defers the rest "
        "to the next run (0: no limit). Backfills proceed run by run.",
    )
    github_token: SecretStr | None = Field(
        None,
        validation_alias=AliasChoices("GITHUB_TOKEN"),
        description="GitHub token, from the GITHUB_TOKEN environment variable only.",
        exclude=True,
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, TomlFileSource(settings_cls, _config_path.get())

    @property
    def work_path(self) -> Path:
        """The collector's private working file, never shared between two warehouses."""
        return self.db.with_name(self.db.name + ".work")

    @property
    def lock_path(self) -> Path:
        return self.db.with_name(self.db.name + ".work.lock")

    @property
    def git_dir(self) -> Path:
        """The folder of the git clones (github_git_dir, else <db folder>/git)."""
        return self.github_git_dir or self.db.parent / "git"


class TomlFileSource(PydanticBaseSettingsSource):
    """Reads the optional settings file; refuses unknown keys and secrets with the file named."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path | None):
        super().__init__(settings_cls)
        self.path = path
        self.values = _read_toml(path) if path else {}

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self.values.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self.values)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the settings file: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    for key in data:
        if key in SECRET_FIELDS:
            raise ConfigError(
                f"{path}: {key}: secrets are read from the environment only; "
                f"remove it from the file and set {SECRET_FIELDS[key]} instead"
            )
        if key not in Settings.model_fields:
            raise ConfigError(f"{path}: {key}: unknown setting (known: {_known()})")
    return data


def _known() -> str:
    return ", ".join(sorted(set(Settings.model_fields) - set(SECRET_FIELDS)))


def _config_file(config: Path | None) -> Path | None:
    if config is not None:
        if not config.exists():
            raise ConfigError(f"{config}: settings file not found")
        return config
    if env := os.environ.get(CONFIG_ENV):
        path = Path(env)
        if not path.exists():
            raise ConfigError(f"{CONFIG_ENV}={env}: settings file not found")
        return path
    return DEFAULT_CONFIG if DEFAULT_CONFIG.exists() else None


def _check_env_names() -> None:
    known = {ENV_PREFIX + n.upper() for n in Settings.model_fields if n not in SECRET_FIELDS}
    known.add(CONFIG_ENV)
    for name in os.environ:
        if name.startswith(ENV_PREFIX) and name not in known:
            raise ConfigError(f"environment variable {name}: unknown setting (known: {_known()})")


def load_settings(config: Path | None = None, **overrides: Any) -> Settings:
    """Build the settings; CLI options come in as `overrides` (None means "not given")."""
    path = _config_file(config)
    _check_env_names()
    token = _config_path.set(path)
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        raise ConfigError(_explain(exc, path, overrides)) from None
    finally:
        _config_path.reset(token)


def _explain(exc: ValidationError, path: Path | None, overrides: dict[str, Any]) -> str:
    lines = []
    for err in exc.errors():
        field = str(err["loc"][0]) if err["loc"] else "?"
        env_name = ENV_PREFIX + field.upper()
        if overrides.get(field) is not None:
            where = f"option --{field.replace('_', '-')}"
        elif env_name in os.environ:
            where = f"environment variable {env_name}"
        elif path is not None:
            where = f"{path}: {field}"
        else:
            where = field
        lines.append(f"{where}: {err['msg']} (got {err.get('input')!r})")
    return "invalid settings:\n  " + "\n  ".join(lines)


def describe() -> list[tuple[str, str, str]]:
    """(environment variable, default, description) for every setting, for README and --help."""
    rows = []
    for name, field in Settings.model_fields.items():
        env = SECRET_FIELDS.get(name, ENV_PREFIX + name.upper())
        rows.append((env, _show(name, field.default), field.description or ""))
    return rows


def _show(name: str, value: Any) -> str:
    if name == "registry":
        return "frameworks.toml shipped with dltrends"
    if value is None or value == "":
        return "(unset)"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)
