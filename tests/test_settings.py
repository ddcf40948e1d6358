"""Settings: defaults < dltrends.toml < DLTRENDS_* environment < CLI options; clear errors."""

import re
from pathlib import Path

import pytest

from dltrends.errors import ConfigError
from dltrends.settings import Settings, describe, load_settings

README = Path(__file__).resolve().parent.parent / "docs" / "reference" / "settings.md"


def test_defaults():
    s = load_settings()
    assert s.db == Path("data/dltrends.duckdb")
    assert s.work_path == Path("data/dltrends.duckdb.work")
    assert s.lock_path == Path("data/dltrends.duckdb.work.lock")
    assert s.pypi_url == "https://pypi.org"
    assert s.registry.name == "frameworks.toml" and s.registry.exists()
    assert s.nightlies is False


def test_precedence_file_env_cli(tmp_path, monkeypatch):
    (tmp_path / "dltrends.toml").write_text('concurrency = 3\nhttp_timeout = 5\nnightlies = true\n')
    assert load_settings().concurrency == 3
    monkeypatch.setenv("DLTRENDS_CONCURRENCY", "5")
    s = load_settings()
    assert (s.concurrency, s.http_timeout, s.nightlies) == (5, 5.0, True)
    assert load_settings(concurrency=7).concurrency == 7
    assert load_settings(concurrency=None).concurrency == 5  # an option not given changes nothing


def test_config_path_from_env_and_option(tmp_path, monkeypatch):
    other = tmp_path / "elsewhere.toml"
    other.write_text('db = "/srv/dl.duckdb"\n')
    monkeypatch.setenv("DLTRENDS_CONFIG", str(other))
    assert load_settings().db == Path("/srv/dl.duckdb")
    with pytest.raises(ConfigError, match="settings file not found"):
        load_settings(tmp_path / "missing.toml")


def test_unknown_key_in_file_names_file_and_key(tmp_path):
    (tmp_path / "dltrends.toml").write_text("concurency = 3\n")
    with pytest.raises(ConfigError, match=r"dltrends.toml: concurency: unknown setting"):
        load_settings()


def test_invalid_value_names_its_origin(tmp_path, monkeypatch):
    (tmp_path / "dltrends.toml").write_text("concurrency = 0\n")
    with pytest.raises(ConfigError, match=r"dltrends.toml: concurrency: .*greater than or equal to 1"):
        load_settings()
    monkeypatch.setenv("DLTRENDS_HTTP_TIMEOUT", "soon")
    with pytest.raises(ConfigError, match="environment variable DLTRENDS_HTTP_TIMEOUT"):
        load_settings()
    with pytest.raises(ConfigError, match="option --concurrency"):
        load_settings(concurrency=1000)


def test_unknown_environment_variable_is_refused(monkeypatch):
    monkeypatch.setenv("DLTRENDS_CONCURENCY", "3")
    with pytest.raises(ConfigError, match="environment variable DLTRENDS_CONCURENCY: unknown"):
        load_settings()


def test_secrets_only_from_environment(tmp_path, monkeypatch):
    (tmp_path / "dltrends.toml").write_text('github_token = "ghp_secret"\n')
    with pytest.raises(ConfigError, match="secrets are read from the environment only") as info:
        load_settings()
    assert "ghp_secret" not in str(info.value)
    (tmp_path / "dltrends.toml").unlink()
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_fromenv")
    s = load_settings()
    assert s.github_token.get_secret_value() == "ghp_fromenv"
    assert "ghp_fromenv" not in repr(s) and "ghp_fromenv" not in str(s.model_dump())
    monkeypatch.setenv("DLTRENDS_GITHUB_TOKEN", "x")
    with pytest.raises(ConfigError, match="DLTRENDS_GITHUB_TOKEN: unknown"):
        load_settings()


def test_bad_toml_is_reported(tmp_path):
    (tmp_path / "dltrends.toml").write_text("concurrency = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings()


def test_every_setting_is_described_and_in_the_readme(monkeypatch):
    readme = README.read_text()
    for env, _default, description in describe():
        assert description, env
        assert re.search(rf"`{env}`", readme), f"{env} missing from docs/reference/settings.md"
    documented = [env for env, _default, _description in describe()]
    assert len(set(documented)) == len(Settings.model_fields)  # one variable per setting, none shared
    for env in documented:  # each one a variable dltrends reads, not one it refuses as unknown
        monkeypatch.setenv(env, "1")
        try:
            load_settings()
        except ConfigError as exc:
            assert "unknown setting" not in str(exc), env
        monkeypatch.delenv(env)
