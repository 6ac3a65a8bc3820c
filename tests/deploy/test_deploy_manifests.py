"""Offline checks of the deployment files: Compose, Dockerfiles, Kubernetes, configs.

Nothing here starts a container: there is no Docker engine in CI. The Compose file
is validated against the published Compose Specification schema (committed next to
this file, see README.md), and the other files against the facts the processes
rely on (service names, ports, settings names, users, probes).
"""

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import check_jsonschema
import jsonschema
import pytest
import yaml

from settings import Settings

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yml"
# The Compose Specification schema as vendored by the check-jsonschema package (a test
# dependency), so the check needs no network and no copy of it lives in this repository.
COMPOSE_SCHEMA = (
    Path(check_jsonschema.__file__).parent / "builtin_schemas" / "vendor" / "compose-spec.json"
)
ENV_EXAMPLE = REPO / "deploy" / "env.example"
K8S_DIR = REPO / "deploy" / "k8s"
SECRET_TEMPLATE = K8S_DIR / "secret.template.yaml"
DOCKERFILES = {
    "api": REPO / "deploy" / "docker" / "api.Dockerfile",
    "worker": REPO / "deploy" / "docker" / "worker.Dockerfile",
}
# Each worker service serves one kind of task queue (WORKER_QUEUES), scaled apart.
WORKER_SERVICES = {"worker-graph": "graph", "worker-ingest": "ingest"}
APP_SERVICES = ("api", *WORKER_SERVICES)
WORKER_DEPLOYMENTS = {f"genai-stack-{name}": queues for name, queues in WORKER_SERVICES.items()}
SETTINGS_ENV_NAMES = {name.upper() for name in Settings.model_fields}
SECRET_NAME = re.compile(r"(KEY|SECRET|PASSWORD|PWD|TOKEN)$")
PROVIDER_KEYS = {"OPENAI_API_KEY", "GEMINI_API_KEY", "SERPAPI_API_KEY"}
# Ingestion embeds documents (OpenAI or Gemini); only graph runs search the web.
EMBEDDING_PROVIDER_KEYS = {"OPENAI_API_KEY", "GEMINI_API_KEY"}

# --- Compose interpolation -----------------------------------------------------

_VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)|\{(?P<braced>[^}]*)\}|(?P<named>[A-Za-z_][A-Za-z0-9_]*))"
)
_BRACED = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>.*))?$", re.S)


class MissingVariable(Exception):
    """A `${NAME:?message}` whose variable is not set."""


def _interpolate(text: str, env: Mapping[str, str]) -> str:
    """Substitute variables the way Compose does (`$$` is a literal `$`)."""

    def replace(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        if match["named"]:
            return env.get(match["named"], "")
        braced = _BRACED.match(match["braced"])
        assert braced, f"unsupported interpolation ${{{match['braced']}}}"
        name, op, arg = braced["name"], braced["op"], braced["arg"] or ""
        value = env.get(name)
        unset_or_empty = value is None or (value == "" and op is not None and op.startswith(":"))
        if op in (":-", "-"):
            return arg if unset_or_empty else value or ""
        if op in (":?", "?"):
            if unset_or_empty:
                raise MissingVariable(f"{name}: {arg}")
            return value or ""
        if op in (":+", "+"):
            return "" if unset_or_empty else arg
        return value or ""

    return _VARIABLE.sub(replace, text)


def _interpolate_tree(node: Any, env: Mapping[str, str]) -> Any:
    if isinstance(node, str):
        return _interpolate(node, env)
    if isinstance(node, list):
        return [_interpolate_tree(item, env) for item in node]
    if isinstance(node, dict):
        return {key: _interpolate_tree(value, env) for key, value in node.items()}
    return node


def _variables(text: str) -> dict[str, str | None]:
    """Every variable the text interpolates, with its operator (None for a plain `${NAME}`)."""
    found: dict[str, str | None] = {}
    for match in _VARIABLE.finditer(text):
        if match["named"]:
            found[match["named"]] = None
        elif match["braced"] is not None:
            braced = _BRACED.match(match["braced"])
            assert braced, match["braced"]
            found[braced["name"]] = braced["op"]
    return found


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)


COMPOSE_TEXT = COMPOSE_FILE.read_text()
# From the parsed values, not the text: comments may quote the syntax.
COMPOSE_VARIABLES = _variables("\n".join(_strings(yaml.safe_load(COMPOSE_TEXT))))
REQUIRED_VARIABLES = {name for name, op in COMPOSE_VARIABLES.items() if op in (":?", "?")}
# Stand-ins for what an operator puts in .env: plain words, safe inside a URL.
DUMMY_ENV = {name: f"dummy{name.lower().replace('_', '')}" for name in REQUIRED_VARIABLES}


@pytest.fixture(scope="module")
def compose_raw() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_TEXT)


@pytest.fixture(scope="module")
def compose(compose_raw: dict[str, Any]) -> dict[str, Any]:
    return _interpolate_tree(compose_raw, DUMMY_ENV)


def _environment(service: Mapping[str, Any]) -> dict[str, str | None]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        pairs = (item.split("=", 1) for item in environment)
        return {pair[0]: pair[1] if len(pair) == 2 else None for pair in pairs}
    return {key: None if value is None else str(value) for key, value in environment.items()}


# --- Compose -----------------------------------------------------------------------


def test_compose_file_matches_the_compose_specification(compose: dict[str, Any]) -> None:
    schema = json.loads(COMPOSE_SCHEMA.read_text())
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    errors = sorted(validator_class(schema).iter_errors(compose), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_stack_refuses_to_start_without_its_secrets(compose_raw: dict[str, Any]) -> None:
    assert {
        "POSTGRES_PASSWORD",
        "APP_DB_PASSWORD",
        "TEMPORAL_DB_PASSWORD",
        "JWT_SECRET",
    } == REQUIRED_VARIABLES
    for name in REQUIRED_VARIABLES:
        with pytest.raises(MissingVariable, match=name):
            _interpolate_tree(compose_raw, {k: v for k, v in DUMMY_ENV.items() if k != name})


def test_env_example_names_every_compose_variable_and_holds_no_values() -> None:
    example = ENV_EXAMPLE.read_text()
    for name in COMPOSE_VARIABLES:
        assert re.search(rf"^#? ?{name}=", example, re.M), f"{name} missing from {ENV_EXAMPLE}"
    for name in REQUIRED_VARIABLES:
        assert re.search(rf"^{name}=$", example, re.M), f"{name} must be blank in {ENV_EXAMPLE}"


def test_app_services_reach_postgres_temporal_and_chroma_by_service_name(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    database = _environment(services["postgresql"])
    chroma_port = services["chroma"]["command"][services["chroma"]["command"].index("--port") + 1]
    for name in APP_SERVICES:
        env = _environment(services[name])

        url = urlsplit(env["DATABASE_URL"] or "")
        assert url.scheme == "postgresql+psycopg"
        assert url.hostname == "postgresql" and url.hostname in services
        assert url.username == database["APP_DB_USER"]
        assert url.password == database["APP_DB_PASSWORD"]
        assert url.path == f"/{database['APP_DB_NAME']}"

        temporal_host, _, temporal_port = (env["TEMPORAL_ADDRESS"] or "").partition(":")
        assert temporal_host == "temporal" and temporal_host in services
        assert temporal_port == "7233"

        chroma = urlsplit(env["CHROMA_URL"] or "")
        assert chroma.hostname == "chroma" and chroma.hostname in services
        assert str(chroma.port) == chroma_port


def test_app_services_set_only_known_settings(compose: dict[str, Any]) -> None:
    for name in APP_SERVICES:
        unknown = set(_environment(compose["services"][name])) - SETTINGS_ENV_NAMES
        assert not unknown, f"{name} sets variables settings.py does not read: {unknown}"


def test_provider_keys_reach_only_the_workers(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(_environment(services["worker-graph"])) >= PROVIDER_KEYS
    ingest_env = set(_environment(services["worker-ingest"]))
    assert ingest_env & PROVIDER_KEYS == EMBEDDING_PROVIDER_KEYS
    for name, service in services.items():
        if name not in WORKER_SERVICES:
            assert not PROVIDER_KEYS & set(_environment(service)), name


def test_each_worker_serves_its_own_queue_with_its_own_resources(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    assert "worker" not in services
    for name, queues in WORKER_SERVICES.items():
        service = services[name]
        env = _environment(service)
        assert env["WORKER_QUEUES"] == queues, name
        assert service["build"]["dockerfile"] == "deploy/docker/worker.Dockerfile"
        assert "ports" not in service, f"{name} publishes a port: --scale would clash"
        limits = service["deploy"]["resources"]["limits"]
        assert float(limits["cpus"]) > 0 and limits["memory"], name
        reservations = service["deploy"]["resources"]["reservations"]
        assert float(reservations["cpus"]) <= float(limits["cpus"]), name
        # The metrics endpoints listen where Prometheus can reach them.
        assert env["WORKER_METRICS_HOST"] == "0.0.0.0"
        assert env["WORKER_METRICS_PORT"] and env["TEMPORAL_SDK_METRICS_PORT"]
        assert env["WORKER_METRICS_PORT"] != env["TEMPORAL_SDK_METRICS_PORT"]
    # The API hosts no GraphRun worker in compose: every run goes through worker-graph.
    assert _environment(services["api"])["API_WORKER_SLOTS"] == "0"


def test_api_and_workers_export_spans_to_jaeger(compose: dict[str, Any]) -> None:
    services = compose["services"]
    jaeger = services["jaeger"]
    assert jaeger["image"].startswith("jaegertracing/all-in-one:")
    for name in APP_SERVICES:
        endpoint = urlsplit(_environment(services[name])["OTEL_EXPORTER_OTLP_ENDPOINT"] or "")
        assert (endpoint.scheme, endpoint.hostname, endpoint.port) == ("http", "jaeger", 4318)
    # OTLP/HTTP stays inside the network; only the UI is published, on loopback.
    assert [str(p) for p in jaeger["expose"]] == ["4318"]
    published = [str(p) for p in jaeger["ports"]]
    assert len(published) == 1 and published[0].startswith("127.0.0.1:")
    assert published[0].endswith(":16686")


def test_operator_uis_listen_on_loopback_only(compose: dict[str, Any]) -> None:
    for name in ("prometheus", "grafana", "jaeger", "temporal-ui", "temporal"):
        ports = compose["services"][name]["ports"]
        assert ports and all(str(p).startswith("127.0.0.1:") for p in ports), (name, ports)
    for name, service in compose["services"].items():
        if name != "api":
            assert all(str(p).startswith("127.0.0.1:") for p in service.get("ports", [])), name


def _mounts(service: Mapping[str, Any]) -> dict[str, str]:
    """Container path -> host path of a service's bind mounts (named volumes left out)."""
    return {
        volume.split(":")[1]: volume.split(":")[0]
        for volume in service.get("volumes", [])
        if volume.startswith(".")
    }


def test_prometheus_loads_its_config_and_every_rule_file(compose: dict[str, Any]) -> None:
    prometheus = compose["services"]["prometheus"]
    config_flag = next(a for a in prometheus["command"] if a.startswith("--config.file="))
    config_path = PurePosixPath(config_flag.split("=", 1)[1])
    mounts = _mounts(prometheus)
    assert mounts[str(config_path)] == "./deploy/prometheus/prometheus.yml"
    config = yaml.safe_load((REPO / "deploy" / "prometheus" / "prometheus.yml").read_text())
    assert config["rule_files"] == ["alerts.yml"]
    for rule_file in config["rule_files"]:
        # Relative rule files are read next to the config file.
        assert mounts[str(config_path.parent / rule_file)] == f"./deploy/prometheus/{rule_file}"


def test_grafana_is_provisioned_with_the_datasource_and_the_dashboard(
    compose: dict[str, Any],
) -> None:
    grafana = compose["services"]["grafana"]
    mounts = _mounts(grafana)
    provisioning = "/etc/grafana/provisioning"
    assert (
        mounts[f"{provisioning}/datasources/prometheus.yml"]
        == "./deploy/grafana/provisioning/datasources/prometheus.yml"
    )
    assert (
        mounts[f"{provisioning}/dashboards/genai-stack.yml"]
        == "./deploy/grafana/provisioning/dashboards/genai-stack.yml"
    )
    providers = yaml.safe_load(
        (
            REPO / "deploy" / "grafana" / "provisioning" / "dashboards" / "genai-stack.yml"
        ).read_text()
    )["providers"]
    dashboard_dir = PurePosixPath(providers[0]["options"]["path"])
    dashboard_mount = mounts[str(dashboard_dir / "genai-stack.json")]
    assert dashboard_mount == "./deploy/grafana/dashboards/genai-stack.json"
    home = _environment(grafana)["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    assert home == str(dashboard_dir / "genai-stack.json")

    datasource = yaml.safe_load(
        (
            REPO / "deploy" / "grafana" / "provisioning" / "datasources" / "prometheus.yml"
        ).read_text()
    )["datasources"][0]
    url = urlsplit(datasource["url"])
    prometheus_port = compose["services"]["prometheus"]["ports"][0].rsplit(":", 1)[1]
    assert url.hostname == "prometheus" and str(url.port) == prometheus_port
    # The dashboard's data source variable defaults to the provisioned one.
    dashboard = json.loads(
        (REPO / "deploy" / "grafana" / "dashboards" / "genai-stack.json").read_text()
    )
    variable = next(v for v in dashboard["templating"]["list"] if v["type"] == "datasource")
    assert variable["query"] == datasource["type"]
    assert variable["current"]["value"] == datasource["uid"]
    assert compose["services"]["grafana"]["depends_on"]["prometheus"]["condition"] == (
        "service_healthy"
    )


def test_no_secret_has_a_literal_value(
    compose_raw: dict[str, Any], compose: dict[str, Any]
) -> None:
    only_a_variable = re.compile(r"^\$\{[A-Za-z_][A-Za-z0-9_]*(:?\?[^}]*|:?-)?\}$")
    for service_name, service in compose_raw["services"].items():
        for key, value in _environment(service).items():
            if SECRET_NAME.search(key):
                where = f"{service_name}.environment.{key}"
                assert value is None or only_a_variable.match(value), f"{where} = {value!r}"
    # A password inside a URL must be one that came from the environment.
    for service_name, service in compose["services"].items():
        for key, value in _environment(service).items():
            password = urlsplit(value or "").password if "://" in (value or "") else None
            if password is not None:
                assert password in DUMMY_ENV.values(), (
                    f"{service_name}.{key} has a literal password"
                )
    # Shapes of real provider keys must never appear anywhere in the file.
    assert not re.search(r"sk-[A-Za-z0-9_-]{20,}|AIza[0-9A-Za-z_-]{30,}", COMPOSE_TEXT)


def test_depends_on_names_defined_services_with_the_awaited_health(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    for name, service in services.items():
        depends_on = service.get("depends_on") or {}
        if isinstance(depends_on, list):
            depends_on = {target: {"condition": "service_started"} for target in depends_on}
        for target, rule in depends_on.items():
            assert target in services, f"{name} depends on undefined service {target}"
            assert target != name
            if rule["condition"] == "service_healthy":
                assert "healthcheck" in services[target], f"{target} has no healthcheck"


def test_api_and_workers_share_the_data_volume(compose: dict[str, Any]) -> None:
    mounts = set()
    for name in APP_SERVICES:
        service = compose["services"][name]
        data_dir = _environment(service)["DATA_DIR"]
        mount = next(v for v in service["volumes"] if v.split(":")[1] == data_dir)
        mounts.add(mount)
    assert len(mounts) == 1
    assert next(iter(mounts)).split(":")[0] in compose["volumes"]


def test_compose_files_it_builds_or_mounts_exist(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        build = service.get("build")
        if build:
            assert (REPO / build["context"] / build["dockerfile"]).is_file(), name
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (REPO / source).is_file(), f"{name} mounts missing {source}"


def test_temporal_mounts_the_dynamic_config_it_is_told_to_read(compose: dict[str, Any]) -> None:
    temporal = compose["services"]["temporal"]
    wanted = "/etc/temporal/" + (_environment(temporal)["DYNAMIC_CONFIG_FILE_PATH"] or "")
    sources = {v.split(":")[1]: v.split(":")[0] for v in temporal["volumes"]}
    assert sources[wanted] == "./deploy/temporal/dynamic-config.yaml"


# --- Temporal dynamic config and Prometheus -----------------------------------------


def _dynamic_config() -> dict[str, Any]:
    return yaml.safe_load((REPO / "deploy" / "temporal" / "dynamic-config.yaml").read_text())


def test_dynamic_config_enables_eager_workflow_start() -> None:
    config = _dynamic_config()
    for key, entries in config.items():
        assert isinstance(entries, list) and all("value" in entry for entry in entries), key
    assert config["system.enableEagerWorkflowStart"][0]["value"] is True


def test_the_temporal_ui_is_never_published_without_authentication(
    compose: dict[str, Any],
) -> None:
    """The UI has no login of its own: compose binds it to loopback, the Helm values keep it a
    ClusterIP Service without an Ingress, and no manifest of ours exposes it (publish it
    only behind an authenticating proxy, docs/deployment.md)."""
    ports = compose["services"]["temporal-ui"]["ports"]
    assert ports and all(str(p).startswith("127.0.0.1:") for p in ports), ports
    web = yaml.safe_load((K8S_DIR / "temporal-values.yaml").read_text())["web"]
    assert web["service"]["type"] == "ClusterIP"
    assert web["ingress"]["enabled"] is False
    for path, document in _documents():
        assert document["kind"] != "Ingress", path.name
        if document["kind"] == "Service":
            assert document["spec"].get("type", "ClusterIP") == "ClusterIP", path.name


def test_helm_values_carry_the_same_dynamic_config_as_compose() -> None:
    values = yaml.safe_load((K8S_DIR / "temporal-values.yaml").read_text())
    assert values["server"]["dynamicConfig"] == _dynamic_config()


def test_prometheus_scrapes_the_workers_and_api_where_they_listen(
    compose: dict[str, Any],
) -> None:
    """Every replica of each worker (DNS discovery) on both metrics ports, and the API.
    The job names are what alerts.yml selects on (up{job=...})."""
    config = yaml.safe_load((REPO / "deploy" / "prometheus" / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    services = compose["services"]

    for name in WORKER_SERVICES:
        env = _environment(services[name])
        for job_name, port in (
            (f"genai-{name}", env["WORKER_METRICS_PORT"]),
            (f"genai-{name}-sdk", env["TEMPORAL_SDK_METRICS_PORT"]),
        ):
            (sd,) = jobs[job_name]["dns_sd_configs"]
            assert sd["names"] == [name] and sd["type"] == "A", job_name
            assert str(sd["port"]) == port, job_name
    assert jobs["genai-api"]["static_configs"][0]["targets"] == ["api:8000"]
    assert jobs["genai-api"]["metrics_path"] == "/metrics"

    for job in jobs.values():
        for static in job.get("static_configs", []):
            for target in static["targets"]:
                host = target.split(":")[0]
                assert host == "localhost" or host in services, f"{job['job_name']}: {target}"
        for sd in job.get("dns_sd_configs", []):
            assert set(sd["names"]) <= set(services), job["job_name"]


# --- Dockerfiles ---------------------------------------------------------------------


def _instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for line in dockerfile.read_text().splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        pending += stripped.removesuffix("\\").strip() + " "
        if not stripped.endswith("\\"):
            keyword, _, arguments = pending.strip().partition(" ")
            instructions.append((keyword.upper(), arguments.strip()))
            pending = ""
    return instructions


def _index(instructions: list[tuple[str, str]], keyword: str, *needles: str) -> int:
    return next(
        i
        for i, (kw, args) in enumerate(instructions)
        if kw == keyword and all(needle in args for needle in needles)
    )


@pytest.mark.parametrize("name", DOCKERFILES)
def test_dockerfile_installs_cpu_torch_before_the_project(name: str) -> None:
    instructions = _instructions(DOCKERFILES[name])
    final_stage = max(i for i, (kw, _) in enumerate(instructions) if kw == "FROM")
    assert instructions[final_stage] == ("FROM", "python:3.11-slim")
    torch = _index(instructions, "RUN", "pip install", "torch", "download.pytorch.org/whl/cpu")
    project = _index(instructions, "RUN", "pip install .")
    assert torch < project
    # The pin holds for the project install too, so no CUDA build can replace it.
    env = " ".join(args for kw, args in instructions if kw == "ENV")
    assert "PIP_CONSTRAINT=" in env
    assert "> /etc/pip/constraints.txt" in instructions[torch][1]


@pytest.mark.parametrize("name", DOCKERFILES)
def test_dockerfile_does_not_run_as_root(name: str) -> None:
    instructions = _instructions(DOCKERFILES[name])
    users = [i for i, (kw, _) in enumerate(instructions) if kw == "USER"]
    assert users, "no USER instruction: the process would run as root"
    user = instructions[users[-1]][1].split(":")[0]
    # Numeric, so Kubernetes' runAsNonRoot can verify it.
    assert user.isdigit() and int(user) != 0
    assert users[-1] > _index(instructions, "RUN", "pip install .")


def test_dockerfiles_start_the_documented_processes() -> None:
    api = dict(_instructions(DOCKERFILES["api"]))
    assert "alembic upgrade head && exec uvicorn api.main:app" in api["CMD"]
    assert "--port 8000" in api["CMD"]
    worker = dict(_instructions(DOCKERFILES["worker"]))
    assert json.loads(worker["CMD"]) == ["python", "-m", "worker"]
    assert worker["EXPOSE"] == "9464"


def test_api_image_builds_the_web_builder_in_a_node_stage_and_serves_it() -> None:
    instructions = _instructions(DOCKERFILES["api"])
    stage = _index(instructions, "FROM", "node:", "AS frontend")
    assert (
        stage < _index(instructions, "RUN", "npm ci") < _index(instructions, "RUN", "npm run build")
    )
    copy = _index(instructions, "COPY", "--from=frontend", "/frontend/dist", "/app/frontend/dist")
    assert copy > _index(instructions, "FROM", "python:3.11-slim")


def test_dockerignore_keeps_secrets_and_local_state_out_of_images() -> None:
    ignored = set((REPO / ".dockerignore").read_text().split())
    assert {".env", ".git", ".venv", "data"} <= ignored


# --- Kubernetes ----------------------------------------------------------------------


def _manifest_files() -> list[Path]:
    return [
        path
        for path in sorted(K8S_DIR.glob("*.yaml"))
        if path.name != "kustomization.yaml" and not path.name.endswith("values.yaml")
    ]


def _documents() -> Iterator[tuple[Path, dict[str, Any]]]:
    for path in _manifest_files():
        for document in yaml.safe_load_all(path.read_text()):
            if document is not None:
                yield path, document


def _workloads() -> list[dict[str, Any]]:
    return [doc for _, doc in _documents() if doc["kind"] in ("Deployment", "StatefulSet")]


def _by_name(kind: str) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for _, doc in _documents() if doc["kind"] == kind}


def test_k8s_manifests_have_api_version_kind_and_name() -> None:
    documents = list(_documents())
    assert len(documents) >= 10
    for path, document in documents:
        assert document.get("apiVersion") and document.get("kind"), path.name
        assert document["metadata"]["name"], path.name
        if document["kind"] != "Namespace":
            assert document["metadata"]["namespace"] == "genai-stack", path.name


def test_k8s_workloads_have_replicas_probes_and_resource_limits() -> None:
    workloads = _workloads()
    assert {w["metadata"]["name"] for w in workloads} >= {
        "genai-stack-api",
        *WORKER_DEPLOYMENTS,
        "chroma",
    }
    autoscaled = {
        hpa["spec"]["scaleTargetRef"]["name"]
        for hpa in _by_name("HorizontalPodAutoscaler").values()
    }
    for workload in workloads:
        name = workload["metadata"]["name"]
        if name in autoscaled:
            # The autoscaler owns the count: a value here would be reset by every apply.
            assert "replicas" not in workload["spec"], name
        else:
            assert workload["spec"]["replicas"] >= 1, name
        pod = workload["spec"]["template"]["spec"]
        for container in pod["containers"]:
            assert "readinessProbe" in container and "livenessProbe" in container, name
        for container in pod["containers"] + pod.get("initContainers", []):
            resources = container["resources"]
            for bound in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(resources[bound]), f"{name}: {bound}"


def test_k8s_services_select_pods_on_named_ports() -> None:
    workloads = _workloads()
    for workload in workloads:
        selector = workload["spec"]["selector"]["matchLabels"]
        labels = workload["spec"]["template"]["metadata"]["labels"]
        assert selector.items() <= labels.items(), workload["metadata"]["name"]
    for name, service in _by_name("Service").items():
        selected = [
            w
            for w in workloads
            if service["spec"]["selector"].items()
            <= w["spec"]["template"]["metadata"]["labels"].items()
        ]
        assert selected, f"Service {name} selects no pods"
        port_names = {
            port["name"]
            for w in selected
            for c in w["spec"]["template"]["spec"]["containers"]
            for port in c.get("ports", [])
        }
        for port in service["spec"]["ports"]:
            assert port["targetPort"] in port_names, f"Service {name}: {port['targetPort']}"


def test_k8s_app_pods_get_their_settings_from_defined_sources() -> None:
    config_maps = _by_name("ConfigMap")
    secrets = {
        doc["metadata"]["name"]: doc
        for doc in yaml.safe_load_all(SECRET_TEMPLATE.read_text())
        if doc is not None
    }
    deployments = _by_name("Deployment")
    for name in ("genai-stack-api", *WORKER_DEPLOYMENTS):
        container = deployments[name]["spec"]["template"]["spec"]["containers"][0]
        names: set[str] = {variable["name"] for variable in container.get("env", [])}
        for source in container["envFrom"]:
            if "configMapRef" in source:
                names |= set(config_maps[source["configMapRef"]["name"]]["data"])
            else:
                names |= set(secrets[source["secretRef"]["name"]]["stringData"])
        assert {"DATABASE_URL", "TEMPORAL_ADDRESS", "CHROMA_URL", "DATA_DIR"} <= names, name
        assert names <= SETTINGS_ENV_NAMES, f"{name}: {names - SETTINGS_ENV_NAMES}"
        has_provider_keys = bool(PROVIDER_KEYS & names)
        assert has_provider_keys == (name in WORKER_DEPLOYMENTS)


def test_k8s_each_worker_serves_its_queue_and_exposes_both_metrics_ports() -> None:
    config = next(iter(_by_name("ConfigMap").values()))["data"]
    assert "WORKER_QUEUES" not in config, "set per worker Deployment"
    assert config["WORKER_METRICS_HOST"] == "0.0.0.0"
    ports = {
        "metrics": int(config["WORKER_METRICS_PORT"]),
        "sdk-metrics": int(config["TEMPORAL_SDK_METRICS_PORT"]),
    }
    deployments = _by_name("Deployment")
    services = _by_name("Service")
    assert "genai-stack-worker" not in deployments
    for name, queues in WORKER_DEPLOYMENTS.items():
        pod = deployments[name]["spec"]["template"]
        (container,) = pod["spec"]["containers"]
        env = {variable["name"]: variable.get("value") for variable in container["env"]}
        assert env["WORKER_QUEUES"] == queues, name
        assert {p["name"]: p["containerPort"] for p in container["ports"]} == ports, name
        assert pod["metadata"]["annotations"]["prometheus.io/port"] == str(ports["metrics"])
        service = services[name]
        assert service["spec"]["clusterIP"] == "None", "headless: one record per pod"
        assert {p["targetPort"] for p in service["spec"]["ports"]} == set(ports)
        assert service["spec"]["selector"].items() <= pod["metadata"]["labels"].items()
    # Each worker's pods are its own: no selector of one matches the other's pods.
    labels = [
        deployments[name]["spec"]["template"]["metadata"]["labels"] for name in WORKER_DEPLOYMENTS
    ]
    for name in WORKER_DEPLOYMENTS:
        selector = deployments[name]["spec"]["selector"]["matchLabels"]
        assert sum(selector.items() <= pod_labels.items() for pod_labels in labels) == 1, name
    # Different resources: ingestion (extraction, local embeddings) is the heavier one.
    resources = [
        deployments[name]["spec"]["template"]["spec"]["containers"][0]["resources"]
        for name in WORKER_DEPLOYMENTS
    ]
    assert resources[0] != resources[1]


def test_k8s_workers_scale_on_cpu_with_their_own_autoscaler() -> None:
    deployments = _by_name("Deployment")
    autoscalers = {
        hpa["spec"]["scaleTargetRef"]["name"]: hpa
        for hpa in _by_name("HorizontalPodAutoscaler").values()
    }
    assert set(autoscalers) == set(WORKER_DEPLOYMENTS)
    for name, hpa in autoscalers.items():
        assert hpa["apiVersion"] == "autoscaling/v2"
        target = hpa["spec"]["scaleTargetRef"]
        assert (target["apiVersion"], target["kind"]) == ("apps/v1", "Deployment")
        assert name in deployments
        assert 1 <= hpa["spec"]["minReplicas"] < hpa["spec"]["maxReplicas"], name
        (metric,) = hpa["spec"]["metrics"]
        assert metric["type"] == "Resource" and metric["resource"]["name"] == "cpu"
        assert metric["resource"]["target"]["type"] == "Utilization"
        assert 0 < metric["resource"]["target"]["averageUtilization"] <= 100
        # Utilisation is relative to the request: the container must have one.
        container = deployments[name]["spec"]["template"]["spec"]["containers"][0]
        assert container["resources"]["requests"]["cpu"], name
    # The graph queue stays served while one pod restarts.
    assert autoscalers["genai-stack-worker-graph"]["spec"]["minReplicas"] >= 2


def test_k8s_secret_template_holds_no_values() -> None:
    for document in yaml.safe_load_all(SECRET_TEMPLATE.read_text()):
        if document is None:
            continue
        assert document["kind"] == "Secret"
        assert "data" not in document
        assert all(value == "" for value in document["stringData"].values())


def test_kustomization_lists_every_manifest_but_the_secret_template() -> None:
    kustomization = yaml.safe_load((K8S_DIR / "kustomization.yaml").read_text())
    listed = set(kustomization["resources"])
    assert listed == {p.name for p in _manifest_files()} - {SECRET_TEMPLATE.name}


def test_k8s_pods_run_as_the_image_user() -> None:
    image_uid = int(dict(_instructions(DOCKERFILES["api"]))["USER"].split(":")[0])
    for workload in _workloads():
        pod = workload["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        if workload["metadata"]["name"].startswith("genai-stack-"):
            assert pod["securityContext"]["runAsUser"] == image_uid
        for container in pod["containers"] + pod.get("initContainers", []):
            assert container["securityContext"]["allowPrivilegeEscalation"] is False


def test_k8s_manifests_match_the_kubernetes_schema() -> None:
    """Offline: kubernetes-validate (a test dependency) bundles the OpenAPI schemas. A
    missing package fails this test; it is never skipped."""
    import kubernetes_validate  # type: ignore[import-untyped]

    version = kubernetes_validate.latest_version()
    for path, document in _documents():
        try:
            kubernetes_validate.validate(document, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            pytest.fail(f"{path.name} {document['kind']}: {list(error.path)} {error.message}")
