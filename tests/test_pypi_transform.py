"""Raw PyPI project JSON -> typed rows: every version lands, whatever its shape."""

import datetime as dt
from types import SimpleNamespace

import pandas as pd
import pytest

from tests.support.pypi import PYPI_FIXTURES, load_json
from warehouse.transforms.pypi import arch_of, platform_of, project_rows, python_version_of


class Rows(dict):
    """version -> release row, with attribute access to the row's fields."""

    def __getitem__(self, version):
        return SimpleNamespace(**dict.__getitem__(self, version))

    @property
    def loc(self):
        return self


def rows(name: str) -> tuple[dict, Rows, pd.DataFrame]:
    path = next(PYPI_FIXTURES.glob(f"project_{name}.*json*"))
    project, releases, files = project_rows(name, load_json(path))
    return project, Rows((r["version"], r) for r in releases), pd.DataFrame(files)


def test_tensorflow_release_from_the_recording():
    project, releases, files = rows("tensorflow")
    assert project["project_name"] == "tensorflow" and project["last_serial"] == 41357807
    assert len(releases) == 139
    r = releases.loc["2.16.1"]
    assert r.file_count == 20
    assert r.released_at == dt.datetime(2024, 3, 9, 0, 23, 14, 541625, tzinfo=dt.UTC)
    assert r.python_versions == ["3.9", "3.10", "3.11", "3.12"]
    assert r.platforms == ["linux", "macos", "windows"]
    assert r.architectures == ["arm64", "x86_64"]
    assert r.requires_python == ">=3.9"
    assert (r.yanked, r.is_prerelease, r.has_sdist) == (False, False, False)
    assert (r.version_major, r.version_minor) == (2, 16)
    assert releases.loc["2.16.0rc0"].is_prerelease
    assert len(files[files["version"] == "2.16.1"]) == 20


def test_version_rank_orders_by_pep440_not_by_string():
    _, releases, _ = rows("tensorflow")
    assert releases.loc["2.10.0"].version_rank > releases.loc["2.9.0"].version_rank
    assert max(releases[v].version_rank for v in releases) == len(releases)


def test_yanked_releases_from_the_recordings():
    _, jax, _ = rows("jax")
    assert all(jax[v].yanked for v in ["0.2.23", "0.3.18", "0.4.0", "0.4.15", "0.4.32"])
    assert not jax.loc["0.4.31"].yanked
    _, tfk, _ = rows("tf-keras")
    assert tfk.loc["2.20.0"].yanked


def test_zero_file_release_and_empty_requires_python():
    _, caffe2, _ = rows("caffe2")
    empty = caffe2.loc["0.8.1"]
    assert (empty.file_count, empty.yanked, empty.released_at) == (0, False, None)
    assert empty.python_versions == [] and empty.platforms == []
    project, _, _ = rows("mxnet")
    assert project["requires_python"] is None  # "" on the index
    project, _, _ = rows("paddlepaddle")
    assert project["requires_python"] is None  # null on the index


def test_canonical_name_differs_from_request():
    project, _, _ = rows("theano")
    assert (project["package_key"], project["project_name"]) == ("theano", "Theano")


def test_synthetic_oddities():
    _, r, files = rows("oddities")
    assert set(r) == {"2004d", "0.9", "1.0", "1.1", "2.0rc1", "2.0"}
    bad = r.loc["2004d"]
    assert bad.version_normalized is None and bad.is_prerelease is None and bad.version_rank is None
    assert bad.version_error == "not a valid PEP 440 version"
    assert r.loc["0.9"].file_count == 0
    legacy = r.loc["1.0"]
    assert legacy.python_versions == ["2.7"]
    assert legacy.platforms == ["any", "linux", "windows"]
    assert legacy.architectures == ["any", "x86", "x86_64"]
    assert legacy.released_at == dt.datetime(2016, 1, 1, tzinfo=dt.UTC)
    assert legacy.requires_python is None
    partly = r.loc["1.1"]
    assert partly.yanked is False and partly.yanked_reason == "broken build"
    assert partly.python_versions == ["3.9+"]
    assert partly.architectures == ["arm64", "x86_64"]
    assert r.loc["2.0rc1"].yanked and r.loc["2.0rc1"].is_prerelease
    final = r.loc["2.0"]
    assert final.python_versions == ["3.11", "3.12"] and final.has_sdist
    assert final.platforms == ["linux", "windows"] and final.architectures == ["arm64"]
    assert final.requires_python == ">=3.10"  # what most files say
    assert final.total_bytes == 1750
    egg = files.set_index("filename").loc["oddities-1.0-py2.7.egg"]
    assert (egg.platforms, egg.python_versions) == (["any"], ["2.7"])


@pytest.mark.parametrize(("tag", "abi", "expected"), [
    ("cp311", "cp311", "3.11"), ("cp27", "cp27mu", "2.7"), ("py3", "none", "3"),
    ("py2", "none", "2"), ("cp38", "abi3", "3.8+"), ("pp39", "pypy39_pp73", "3.9"),
    ("cp314", "cp314t", "3.14"), ("graalpy311", "none", None),
])
def test_python_version_of(tag, abi, expected):
    assert python_version_of(tag, abi) == expected


@pytest.mark.parametrize(("tag", "os", "archs"), [
    ("manylinux_2_17_x86_64", "linux", ["x86_64"]), ("manylinux2014_aarch64", "linux", ["arm64"]),
    ("musllinux_1_1_i686", "linux", ["x86"]), ("linux_armv7l", "linux", ["armv7l"]),
    ("macosx_11_0_arm64", "macos", ["arm64"]), ("macosx_10_9_universal2", "macos", ["arm64", "x86_64"]),
    ("macosx_10_6_intel", "macos", ["x86", "x86_64"]), ("win_amd64", "windows", ["x86_64"]),
    ("win32", "windows", ["x86"]), ("win_arm64", "windows", ["arm64"]), ("any", "any", ["any"]),
    ("manylinux2014_ppc64le", "linux", ["ppc64le"]), ("ios_13_0_arm64_iphoneos", "ios", ["arm64"]),
])
def test_platform_and_arch_of(tag, os, archs):
    assert platform_of(tag) == os
    assert arch_of(tag) == archs
