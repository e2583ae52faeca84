"""The control API's Lambda package: deterministic (bytecode included), only what the API needs,
within Lambda's limits, and enough on its own: the runtime's interpreter, whose only import path is
the unzipped package, answers ``GET /status``, ``GET /history``, ``POST /switch`` and ``POST /take``
against the emulator, from the package's bytecode. Deploy ships it once (content-addressed) and the
emulator then holds the API's real resources: function, role, REST APIs, throttled stages with
access logs."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

from deploy import helpers
from streamfabric.cli.main import main
from streamfabric.deployment import deploy
from streamfabric.deployment.api_code import artifacts_location, resolve_api_code, with_api_code
from streamfabric.deployment.api_package import (
    MIB,
    RUNTIME_MARKER,
    UNZIPPED_LIMIT,
    build_api_package,
    describe,
    find_interpreter,
)
from streamfabric.deployment.pipeline import rendered_stacks
from streamfabric.errors import DeployError, PackageError
from streamfabric.rendering.api import LAMBDA_HANDLER, LAMBDA_RUNTIME, LAMBDA_RUNTIMES, function_name
from streamfabric.topology.loading import load_topology, parse_topology

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
BUCKET = "festival-config"
# What the function never imports (streamfabric.deployment.api_package: EXCLUDED, NOT_SHIPPED).
LEFT_OUT = (
    "streamfabric/cli/",
    "streamfabric/deployment/",
    "streamfabric/rendering/",
    "streamfabric/reports/",
    "streamfabric/sandbox/",
    "streamfabric/api/local.py",
    "streamfabric/__main__.py",
    "werkzeug/",
    "shtab/",
    "jinja2/",
    "markupsafe/",
    "yaml/",
    "_yaml/",
    "werkzeug-",
    "shtab-",
    "jinja2-",
    "markupsafe-",
    "pyyaml-",
)


def _pyc_name(source: str, tag: str) -> str:
    """Where the runtime looks for the bytecode of ``a/b.py``: ``a/__pycache__/b.<tag>.pyc``."""
    folder, _, name = source.rpartition("/")
    return f"{folder}/__pycache__/{name[:-3]}.{tag}.pyc".lstrip("/")


def _entries(path: Path) -> list[zipfile.ZipInfo]:
    with zipfile.ZipFile(path) as archive:
        return archive.infolist()


def test_the_package_is_deterministic_and_holds_only_the_api(api_package: Path, tmp_path: Path) -> None:
    # A second build from scratch: its own pip install into an empty cache, compiled in a new
    # interpreter process and zipped anew.
    again = build_api_package(tmp_path / "dist", cache_dir=tmp_path / "cache", reuse=False)
    assert again.path.read_bytes() == api_package.read_bytes()
    infos = _entries(api_package)
    names = [i.filename for i in infos]
    assert names == sorted(names)
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {(i.external_attr >> 16) & 0o777 for i in infos} == {0o644}
    assert "streamfabric/api/handler.py" in names
    assert "streamfabric/_data/schemas/topology.schema.json" in names
    assert "streamfabric/panel/panel.js" in names
    assert not [n for n in names if n.startswith(("tests/", "bin/", "moto/", *LEFT_OUT))]
    assert not [n for n in names if n.endswith((".pyo", "/RECORD"))]
    # Every module with its bytecode for the runtime: unchecked-hash pycs naming /var/task paths.
    runtime = describe(api_package).runtime
    assert runtime == again.runtime and runtime in LAMBDA_RUNTIMES
    tag = f"cpython-{runtime.removeprefix('python').replace('.', '')}"
    with zipfile.ZipFile(api_package) as archive:
        assert archive.read(RUNTIME_MARKER).decode() == f"{runtime}\n"
        pycs = {n: archive.read(n) for n in names if n.endswith(".pyc")}
    if find_interpreter(runtime.removeprefix("python")) is None:  # none of any Lambda runtime here
        assert not pycs
    else:
        assert sorted(pycs) == sorted(_pyc_name(n, tag) for n in names if n.endswith(".py"))
        assert {int.from_bytes(data[4:8], "little") for data in pycs.values()} == {0b01}  # hash, unchecked
        handler = pycs[f"streamfabric/api/__pycache__/handler.{tag}.pyc"]
        assert b"/var/task/streamfabric/api/handler.py" in handler
        here = [str(ROOT).encode(), str(tmp_path).encode(), str(api_package.parent.parent).encode()]
        assert not [n for n, data in pycs.items() if any(path in data for path in here)]
    # boto3/botocore ship at the tested versions (see streamfabric.deployment.api_package)
    import botocore

    assert f"botocore-{botocore.__version__}.dist-info/METADATA" in names
    unzipped = sum(i.file_size for i in infos)
    assert unzipped < UNZIPPED_LIMIT / 2, f"{unzipped / MIB:.1f} MiB unzipped: over half of Lambda's limit"


def test_package_api_command_prints_size_and_sha256(
    api_package: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("STREAMFABRIC_CACHE_DIR", str(api_package.parent.parent / "cache"))
    assert main(["package-api", "--out", str(tmp_path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["sha256"] == hashlib.sha256(api_package.read_bytes()).hexdigest()
    assert doc["size"] == api_package.stat().st_size and doc["arch"] == "x86_64"
    assert doc["runtime"] == describe(api_package).runtime


def test_an_unreachable_index_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Only the unreachable index: no pip configuration (its local wheel directories) and no caches.
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("PIP_NO_CACHE_DIR", "1")
    monkeypatch.delenv("PIP_FIND_LINKS", raising=False)
    monkeypatch.setenv("STREAMFABRIC_CACHE_DIR", str(tmp_path / "cache"))
    code = main(["package-api", "--out", str(tmp_path / "dist"), "--index-url", "http://127.0.0.1:9/simple",
                 "--timeout", "1"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1
    assert "from the package index http://127.0.0.1:9/simple" in err and "--api-package FILE" in err
    assert "Traceback" not in err
    assert not list((tmp_path / "dist").glob("*.zip"))
    with pytest.raises(PackageError):
        build_api_package(tmp_path / "d2", cache_dir=tmp_path / "c2", index_url="http://127.0.0.1:9/simple",
                          timeout=1)  # fmt: skip


def test_where_the_package_goes(tmp_path: Path) -> None:
    text = (EXAMPLES / "festival.json").read_text()
    local = parse_topology(text, str(tmp_path / "festival.json"))
    with pytest.raises(DeployError, match=r"control_api\.artifacts"):
        artifacts_location(local)
    assert resolve_api_code(local, None) is None  # the Lambda reads the topology from S3: no function
    doc = json.loads(text)
    doc["control_api"]["artifacts"] = {"bucket": "my-artifacts", "prefix": "team/sf"}
    named = parse_topology(json.dumps(doc), str(tmp_path / "festival.json"))
    assert artifacts_location(named) == ("my-artifacts", "team/sf")


def _fake_package(path: Path, *tags: str) -> Path:
    """A zip with the API's handler and one wheel's metadata per tag."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("streamfabric/api/handler.py", "")
        for number, tag in enumerate(tags):
            archive.writestr(f"dep{number}-1.0.dist-info/WHEEL", f"Wheel-Version: 1.0\nTag: {tag}\n")
    return path


def test_a_prebuilt_package_names_the_architecture_its_wheels_need(tmp_path: Path) -> None:
    arm = "cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64"
    x86 = "cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64"
    cases = {
        "arm": ([arm, "py3-none-any"], "arm64"),
        "x86": ([x86], "x86_64"),
        "pure": (["py3-none-any"], ""),
    }
    text = (EXAMPLES / "festival.json").read_text()
    model = parse_topology(text, f"s3://{BUCKET}/festival.json")
    specs = rendered_stacks(model, "cloudformation", None)
    for name, (tags, arch) in cases.items():
        package = _fake_package(tmp_path / f"{name}.zip", *tags)
        assert describe(package).arch == arch
        code = resolve_api_code(model, package)
        assert code is not None
        (api,) = [spec for spec in with_api_code(specs, code) if spec.kind == "api"]
        assert dict(api.parameters)["CodeArchitecture"] == (arch or "x86_64")
        assert dict(api.parameters)["CodeRuntime"] == "python3.12"  # cp312 wheels, or pure Python
        assert "- !Ref CodeArchitecture" in api.template_body
        assert "Runtime: !Ref CodeRuntime" in api.template_body
    with pytest.raises(PackageError, match="both arm64 and x86_64"):
        describe(_fake_package(tmp_path / "mixed.zip", arm, x86))


@pytest.fixture()
def deployed(aws: str, api_package: Path) -> dict[str, Any]:
    """festival.json read from S3 and deployed (network too) with the package."""
    sess = helpers.session()
    s3 = sess.client("s3", region_name="eu-west-1")
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_object(Bucket=BUCKET, Key="festival.json", Body=(EXAMPLES / "festival.json").read_bytes())
    model = load_topology(f"s3://{BUCKET}/festival.json", session=sess)
    helpers.create_example_secrets(model, aws)
    helpers.create_example_hosted_zone(model)
    gateway = helpers.gateway(sess)
    first = deploy(model, network="cloudformation", gateway=gateway, api_package=api_package)
    return {"model": model, "gateway": gateway, "first": first, "session": sess, "endpoint": aws}


@pytest.mark.integration
def test_deploy_ships_the_package_once_and_the_emulator_holds_the_api(
    deployed: dict[str, Any], api_package: Path
) -> None:
    model, first, sess = deployed["model"], deployed["first"], deployed["session"]
    digest = hashlib.sha256(api_package.read_bytes()).hexdigest()
    assert first.api_uploaded and first.api_code.key == f"streamfabric-artifacts/api-{digest}.zip"
    hub = model.hub.region
    fn = sess.client("lambda", region_name=hub).get_function(FunctionName=function_name(model))
    config = fn["Configuration"]
    assert (config["Runtime"], config["Handler"]) == (describe(api_package).runtime, LAMBDA_HANDLER)
    assert config["Architectures"] == ["x86_64"]  # what the package's wheels were built for
    assert config["CodeSha256"] == base64.b64encode(bytes.fromhex(digest)).decode()  # the package itself
    role = config["Role"].rsplit("/", 1)[1]
    assert sess.client("iam").get_role(RoleName=role)["Role"]["Arn"] == config["Role"]
    apigw = sess.client("apigateway", region_name=hub)
    apis = {a["name"]: a["id"] for a in apigw.get_rest_apis()["items"]}
    assert set(apis) == {"festival-control", "festival-panel"}
    for api_id in apis.values():
        (stage,) = apigw.get_stages(restApiId=api_id)["item"]
        assert stage["stageName"] == "prod" and stage["accessLogSettings"]["destinationArn"]
        throttle = stage["methodSettings"]["*/*"]
        assert (throttle["throttlingRateLimit"], throttle["throttlingBurstLimit"]) == (5.0, 10)
    assert first.api == {
        "api_url": f"https://{apis['festival-control']}.execute-api.{hub}.amazonaws.com/prod/",
        "panel_url": f"https://{apis['festival-panel']}.execute-api.{hub}.amazonaws.com/prod/",
    }
    assert first.state is not None and first.state.control_api == first.api
    again = deploy(model, network="cloudformation", gateway=deployed["gateway"], api_package=api_package)
    assert (again.executed, again.api_uploaded, again.state_written) == ((), False, False)


def _event(method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    """An API Gateway (REST, proxy) event for ``method /path``."""
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": {"Content-Type": "application/json"} if body is not None else {},
        "multiValueHeaders": {},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": {"proxy": path.lstrip("/")},
        "stageVariables": None,
        "body": json.dumps(body) if body is not None else None,
        "isBase64Encoded": False,
        "requestContext": {
            "resourcePath": "/{proxy+}",
            "httpMethod": method,
            "path": f"/prod{path}",
            "stage": "prod",
            "requestId": "test",
            "identity": {"userArn": "arn:aws:iam::123456789012:user/test"},
        },
    }


# Run by the runtime's interpreter with only the unzipped package on its path: each event through
# lambda_handler, then what was imported and from where (every module from the package must have
# come with its pyc, of this interpreter's magic number, hash-based and unchecked).
_INVOKE = """
import importlib.util, json, os, sys
root = sys.argv[1]
sys.path[:0] = [root]
class Context:
    function_name = "festival-control-api"; function_version = "$LATEST"; memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:festival-control-api"
    aws_request_id = "test"; log_group_name = "test"; log_stream_name = "test"
    def get_remaining_time_in_millis(self): return 29000
from streamfabric.api.handler import lambda_handler
responses = [lambda_handler(event, Context()) for event in json.loads(sys.argv[2])]
files = {n: m.__file__ for n, m in list(sys.modules.items()) if getattr(m, "__file__", None)}
outside = sorted(n for n, f in files.items() if not f.startswith((sys.base_prefix, root)))
ours = {n: f for n, f in files.items() if f.startswith(root) and f.endswith(".py")}
def pyc_ok(source):
    try:
        with open(importlib.util.cache_from_source(source), "rb") as stream:
            head = stream.read(8)
    except OSError:
        return False
    return head[:4] == importlib.util.MAGIC_NUMBER and int.from_bytes(head[4:], "little") == 1
print(json.dumps({"responses": responses, "outside": outside, "modules": sorted(ours),
                  "without_bytecode": sorted(n for n, f in ours.items() if not pyc_ok(f))}))
"""


@pytest.mark.integration
def test_the_unzipped_package_alone_answers_get_status(
    deployed: dict[str, Any], api_package: Path, tmp_path: Path
) -> None:
    """... and GET /history, POST /switch and POST /take: an over-trimmed package fails here."""
    runtime = describe(api_package).runtime
    interpreter = find_interpreter(runtime.removeprefix("python"))
    assert interpreter is not None, f"the package is built for {runtime}: an interpreter of it was there"
    if find_interpreter(LAMBDA_RUNTIME.removeprefix("python")) is not None:
        assert runtime == LAMBDA_RUNTIME  # an interpreter of the default runtime is used when there
    root = tmp_path / "task"
    with zipfile.ZipFile(api_package) as archive:
        archive.extractall(root)
        shipped = sorted(archive.namelist())
    model = deployed["model"]
    live, preview = model.hub.live.starts_on, model.hub.preview.starts_on
    other = next(i.name for i in model.ingests if i.name not in (live, preview))
    events = [
        _event("GET", "/status"),
        _event("POST", "/switch", {"ingest": other, "target": "preview", "force": True}),
        _event("POST", "/take", {"force": True}),
        _event("GET", "/history"),
    ]
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "AWS_ENDPOINT_URL": deployed["endpoint"],
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "STREAMFABRIC_TOPOLOGY": f"s3://{BUCKET}/festival.json",
    }
    done = subprocess.run(
        [interpreter.path, "-I", "-S", "-B", "-c", _INVOKE, str(root), json.dumps(events)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["outside"] == []
    assert result["without_bytecode"] == []  # a cold start on a read-only /var/task compiles nothing
    assert sorted(str(p.relative_to(root).as_posix()) for p in root.rglob("*") if p.is_file()) == shipped
    status, switched, taken, history = result["responses"]
    assert [r["statusCode"] for r in result["responses"]] == [200, 200, 200, 200], result["responses"]
    body = json.loads(status["body"])
    assert (body["live"]["ingest"], body["preview"]["ingest"]) == (live, preview)
    assert json.loads(switched["body"])["ingest"] == other
    assert (json.loads(taken["body"])["live"], json.loads(taken["body"])["preview"]) == (other, live)
    assert [r["outcome"] for r in json.loads(history["body"])][-2:] == ["switched", "switched"]


@pytest.mark.integration
def test_an_artifacts_bucket_outside_the_hub_region_is_refused_before_any_change(
    aws: str, api_package: Path
) -> None:
    sess = helpers.session()
    s3 = sess.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="far-away-artifacts")
    doc = json.loads((EXAMPLES / "festival.json").read_text())
    doc["control_api"]["artifacts"] = {"bucket": "far-away-artifacts"}
    s3.create_bucket(Bucket="festival-far")
    s3.put_object(Bucket="festival-far", Key="festival.json", Body=json.dumps(doc).encode())
    model = load_topology("s3://festival-far/festival.json", session=sess)
    helpers.create_example_secrets(model, aws)
    with pytest.raises(DeployError, match=r"far-away-artifacts is in us-east-1.*hub region eu-west-1"):
        deploy(model, network="cloudformation", gateway=helpers.gateway(sess), api_package=api_package)
    cfn = sess.client("cloudformation", region_name="eu-west-1")
    assert cfn.list_stacks()["StackSummaries"] == []
    assert "Contents" not in s3.list_objects_v2(Bucket="far-away-artifacts")


@pytest.mark.integration
def test_deploy_prints_the_api_and_panel_urls_and_status_says_where_the_panel_is(
    aws: str, api_package: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = json.loads((EXAMPLES / "minimal.json").read_text())
    doc["control_api"] = {"panel": True}
    sess = helpers.session()
    s3 = sess.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="minimal-config")
    s3.put_object(Bucket="minimal-config", Key="minimal.json", Body=json.dumps(doc).encode())
    uri = "s3://minimal-config/minimal.json"
    helpers.create_example_secrets(load_topology(uri, session=sess), aws)
    argv = ["deploy", uri, "--network", "cloudformation", "--yes", "--api-package", str(api_package)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    apis = {
        a["name"]: a["id"]
        for a in sess.client("apigateway", region_name="us-east-1").get_rest_apis()["items"]
    }
    api_url = f"https://{apis['minimal-control']}.execute-api.us-east-1.amazonaws.com/prod/"
    panel_url = f"https://{apis['minimal-panel']}.execute-api.us-east-1.amazonaws.com/prod/"
    assert f"control API: {api_url}\n" in out and f"operator panel: {panel_url}\n" in out
    main(["status", uri])
    assert f"operator panel: {panel_url}\n" in capsys.readouterr().out
    assert main([*argv, "--json"]) == 0  # again: nothing to upload, nothing to change
    again = json.loads(capsys.readouterr().out)
    assert (again["executed"], again["api_package_uploaded"], again["panel_url"]) == ([], False, panel_url)
