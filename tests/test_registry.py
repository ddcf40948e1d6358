"""The registry: the shipped file's curated facts, and errors that name file, framework and field."""


import pytest

from dltrends.errors import ConfigError
from dltrends.registry import COUNTED_ROLES, load_registry
from dltrends.settings import default_registry_path
from tests.support.settings import write_registry

REQUIRED = ["tensorflow", "pytorch", "mxnet", "jax", "keras", "paddlepaddle", "mindspore",
            "onnxruntime", "cntk", "theano", "chainer", "caffe2", "caffe", "tflite", "mlx",
            "tinygrad"]


@pytest.fixture(scope="module")
def shipped():
    return load_registry(default_registry_path())


def test_shipped_registry_has_every_required_framework(shipped):
    assert set(REQUIRED) <= set(shipped.frameworks)


def test_shipped_lifecycle_facts(shipped):
    fw = shipped.frameworks
    assert fw["theano"].successor == "pytensor" and fw["theano"].status == "retired"
    assert fw["caffe2"].successor == "pytorch"
    assert fw["mxnet"].status == "retired"
    assert "torchserve" in fw["pytorch"].ecosystem
    assert any(e.kind == "rename" for e in fw["tflite"].events)
    assert fw["caffe"].pypi == [] and fw["caffe"].github == ["BVLC/caffe"]


def test_pypi_caffe_is_never_mapped(shipped):
    assert "caffe" not in {p.key for p in shipped.packages(nightlies=True)}


def test_every_curated_event_cites_a_source(shipped):
    missing = [(fid, e.note) for fid, fw in shipped.frameworks.items() for e in fw.events
               if not e.source.startswith("https://")]
    assert missing == []


def test_roles_and_counting(shipped):
    roles = {p.key: (p.framework, p.role, p.counted) for p in shipped.packages(nightlies=True)}
    assert roles["jaxlib"] == ("jax", "companion", False)
    assert roles["tensorflow-cpu"] == ("tensorflow", "variant", True)
    assert roles["tensorboard"] == ("tensorflow", "ecosystem", False)
    assert roles["tf-nightly"][1] == "nightly"
    assert "tf-nightly" not in {p.key for p in shipped.packages()}
    assert set(COUNTED_ROLES) == {"primary", "variant"}


def test_packages_are_pep503_keys_with_registry_spelling(shipped):
    theano = next(p for p in shipped.packages() if p.framework == "theano")
    assert (theano.name, theano.key) == ("Theano", "theano")


def test_only_filters_by_framework(shipped):
    assert {p.framework for p in shipped.packages(only=["jax"])} == {"jax"}


@pytest.mark.parametrize(("text", "expected"), [
    ('[frameworks.a]\nname = "A"\npypi = ["x"]\ncolour = "red"\n',
     "[frameworks.a] colour: unknown field"),
    ('[frameworks.a]\nname = "A"\npypi = "x"\n', "[frameworks.a] pypi: Input should be a valid list"),
    ('[frameworks.a]\npypi = ["x"]\n', "[frameworks.a] name: required field is missing"),
    ('[frameworks.a]\nname = "A"\npypi = ["x"]\n[frameworks.b]\nname = "B"\npypi_variants = ["X"]\n',
     "[frameworks.b] pypi_variants: package X is already listed in [frameworks.a] pypi"),
    ('[frameworks.a]\nname = "A"\ngithub = ["o/r"]\n[frameworks.b]\nname = "B"\ngithub = ["O/R"]\n',
     "[frameworks.b] github: repo O/R is already listed in [frameworks.a] github"),
    ('[frameworks.a]\nname = "A"\nsuccessor = "nope"\n',
     "[frameworks.a] successor: unknown framework id 'nope'"),
    ('[frameworks.a]\nname = "A"\nstatus = "dead"\n', "[frameworks.a] status: Input should be"),
    ('[frameworks.a]\nname = "A"\nevents = [{ date = "2020-13-01", kind = "major", note = "x" }]\n',
     "[frameworks.a] events.0.date"),
    ('[frameworks.a]\nname = "A"\ngithub = ["not a repo"]\n', "[frameworks.a] github.0"),
    ('[frameworks.A]\nname = "A"\n', "[frameworks.A]: id must be lower-case"),
    ('[frameworks.a]\nname = "A"\n[other]\nx = 1\n', "expected only [frameworks.<id>] tables"),
    ('[frameworks.a\nname = "A"\n', "not valid TOML"),
])
def test_invalid_registry_names_file_framework_and_field(tmp_path, text, expected):
    path = write_registry(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_registry(path)
    assert str(path) in str(info.value)
    assert expected in str(info.value)
    assert info.value.exit_code == 2


def test_missing_registry_file(tmp_path):
    with pytest.raises(ConfigError, match="cannot read the registry"):
        load_registry(tmp_path / "absent.toml")


def test_check_ids_refuses_unknown_framework(shipped):
    with pytest.raises(ConfigError, match="unknown framework id"):
        shipped.check_ids(["tensorflow", "nosuch"])


def test_deployment_targets_are_curated_with_a_source(shipped, tmp_path):
    fw = shipped.frameworks
    assert "browser" in fw["onnxruntime"].deployment and "mobile" in fw["tflite"].deployment
    assert all(f.deployment and f.deployment_source.startswith("https://") for f in fw.values())
    path = write_registry(tmp_path, '[frameworks.a]\nname = "A"\ndeployment = ["server"]\n')
    with pytest.raises(ConfigError, match=r"\[frameworks.a\] deployment_source: cite the source"):
        load_registry(path)
    path = write_registry(tmp_path, '[frameworks.a]\nname = "A"\ndeployment = ["mars"]\n'
                           'deployment_source = "https://x.invalid"\n')
    with pytest.raises(ConfigError, match=r"\[frameworks.a\] deployment.0"):
        load_registry(path)
