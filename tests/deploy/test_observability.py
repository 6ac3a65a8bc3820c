"""Prometheus config, alert rules and their unit tests (promtool), and the Grafana dashboard.

promtool comes from Debian's `prometheus` package, which scripts/ensure_promtool.sh
installs (scripts/test.sh runs it): a missing promtool fails these tests, never skips
them. Nothing here starts a server.

The PromQL of the rules and of every dashboard panel may name only the metrics that
telemetry/metrics.py defines (as the prometheus-client registry exposes them), `up`,
or the Temporal SDK's `temporal_*`.
"""

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import prometheus_client.metrics
import pytest
import yaml
from prometheus_client import REGISTRY

import telemetry.metrics

REPO = Path(__file__).resolve().parents[2]
PROMETHEUS_DIR = REPO / "deploy" / "prometheus"
PROMETHEUS_CONFIG = PROMETHEUS_DIR / "prometheus.yml"
ALERT_RULES = PROMETHEUS_DIR / "alerts.yml"
ALERT_TESTS = PROMETHEUS_DIR / "alerts.test.yml"
DASHBOARD = REPO / "deploy" / "grafana" / "dashboards" / "genai-stack.json"

# Sample-name suffixes of each metric type in the text exposition format.
_SUFFIXES = {
    "counter": ("_total", "_created"),
    "histogram": ("_bucket", "_count", "_sum", "_created"),
    "summary": ("", "_count", "_sum", "_created"),
    "info": ("_info",),
}
# Grafana's variables in panel queries, with values that make the query valid PromQL.
_GRAFANA_VARIABLES = {
    "$__rate_interval": "1m",
    "$__interval": "15s",
    "$__range": "6h",
}


def _run_promtool(*args: str) -> subprocess.CompletedProcess[str]:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.fail("promtool is missing: run scripts/ensure_promtool.sh (scripts/test.sh does)")
    return subprocess.run(
        [promtool, *args], capture_output=True, text=True, timeout=120, check=False
    )


def _assert_promtool(*args: str) -> str:
    result = _run_promtool(*args)
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"promtool {' '.join(args)}:\n{output}"
    return output


# --- metric names ------------------------------------------------------------------


def _exposed_names() -> set[str]:
    """Every sample name the default registry exposes (telemetry.metrics registers there
    on import), derived from each family's type: a labelled metric has no sample yet."""
    names: set[str] = set()
    for family in REGISTRY.collect():
        names.update(family.name + suffix for suffix in _SUFFIXES.get(family.type, ("",)))
        names.update(sample.name for sample in family.samples)
    return names


def _application_families() -> set[str]:
    """The metric families telemetry/metrics.py defines."""
    return {
        family.name
        for value in vars(telemetry.metrics).values()
        if isinstance(value, prometheus_client.metrics.MetricWrapperBase)
        for family in value.collect()
    }


_PROMQL_KEYWORDS = {
    "and",
    "or",
    "unless",
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "bool",
    "offset",
    "inf",
    "nan",
}


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression selects (not functions, labels or keywords)."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'', '""', expr)  # string literals
    text = re.sub(r"\{[^}]*\}", " ", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", " ", text)  # ranges and subqueries
    text = re.sub(
        r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text
    )  # label lists
    text = re.sub(r"\$\{?\w+\}?", " ", text)  # Grafana variables
    names: set[str] = set()
    for match in re.finditer(r"(?<![\w.])([A-Za-z_:][A-Za-z0-9_:]*)(\s*\()?", text):
        name, call = match[1], match[2]
        if call or name.lower() in _PROMQL_KEYWORDS:
            continue
        names.add(name)
    return names


def test_metric_names_reads_selectors_not_functions_or_labels() -> None:
    expr = (
        "histogram_quantile(0.95, sum by (le, route)"
        ' (rate(http_request_duration_seconds_bucket{route!~"/x"}[5m])))'
        " / on () group_left (a) (sum(rate(x_total[$__rate_interval] offset 5m)) or vector(0))"
        ' and up{job="a"} == bool 1e3'
    )
    assert metric_names(expr) == {"http_request_duration_seconds_bucket", "x_total", "up"}


def test_counters_and_histograms_are_known_by_their_exposed_names() -> None:
    known = _exposed_names()
    assert {"workflow_executions_total", "step_duration_seconds_bucket"} <= known
    assert {"ingest_documents_waiting", "event_streams_open"} <= known
    # A counter is never exposed without `_total`, a histogram never by its bare name.
    assert not {"workflow_executions", "step_duration_seconds"} & known


def _unknown_metrics(expr: str, known: set[str]) -> set[str]:
    return {
        name
        for name in metric_names(expr)
        if name not in known and name != "up" and not name.startswith("temporal_")
    }


# --- Prometheus config and alert rules ----------------------------------------------


def _alert_rules() -> list[dict[str, Any]]:
    groups = yaml.safe_load(ALERT_RULES.read_text())["groups"]
    return [rule for group in groups for rule in group["rules"] if "alert" in rule]


def test_promtool_accepts_the_prometheus_config() -> None:
    """The config and the rule files it names (promtool reads them relative to it). It
    references no credentials file: METRICS_TOKEN is off in compose (see its comment)."""
    config = yaml.safe_load(PROMETHEUS_CONFIG.read_text())
    for job in config["scrape_configs"]:
        assert "authorization" not in job and "bearer_token_file" not in job, job["job_name"]
    output = _assert_promtool("check", "config", str(PROMETHEUS_CONFIG))
    assert "1 rule files found" in output


def test_promtool_accepts_the_alert_rules() -> None:
    output = _assert_promtool("check", "rules", str(ALERT_RULES))
    assert f"{len(_alert_rules())} rules found" in output


def test_alert_rule_unit_tests_pass() -> None:
    output = _assert_promtool("test", "rules", str(ALERT_TESTS))
    assert "SUCCESS" in output


def test_the_rule_tests_test_these_rules() -> None:
    tests = yaml.safe_load(ALERT_TESTS.read_text())
    assert tests["rule_files"] == [ALERT_RULES.name]


def test_every_alert_fires_on_a_failing_series_and_stays_quiet_on_a_healthy_one() -> None:
    fires: set[str] = set()
    quiet: set[str] = set()
    for case in yaml.safe_load(ALERT_TESTS.read_text())["tests"]:
        for check in case.get("alert_rule_test", []):
            (fires if check["exp_alerts"] else quiet).add(check["alertname"])
    alerts = {rule["alert"] for rule in _alert_rules()}
    assert alerts == fires, f"without a firing case: {alerts - fires}"
    assert alerts == quiet, f"without a quiet case: {alerts - quiet}"


def test_alerts_carry_a_severity_a_summary_and_a_hold_time() -> None:
    for rule in _alert_rules():
        assert rule["labels"]["severity"] in ("critical", "warning"), rule["alert"]
        assert rule["annotations"]["summary"] and rule["annotations"]["description"]
        assert rule.get("for"), f"{rule['alert']} would fire on a single evaluation"


def test_the_alerts_cover_the_issue() -> None:
    alerts = {rule["alert"]: rule for rule in _alert_rules()}
    assert {
        "GraphRunsFailing",
        "TaskQueueUnserved",
        "IngestionStuck",
        "ProviderErrorRateHigh",
        "LlmEstimatedCostPerDayHigh",
        "ApiServerErrorRatioHigh",
    } <= set(alerts)
    # One TaskQueueUnserved rule per worker scrape job of prometheus.yml.
    config = yaml.safe_load(PROMETHEUS_CONFIG.read_text())
    worker_jobs = {
        job["job_name"]
        for job in config["scrape_configs"]
        if job["job_name"].startswith("genai-worker-") and not job["job_name"].endswith("-sdk")
    }
    unserved = [r for r in _alert_rules() if r["alert"] == "TaskQueueUnserved"]
    assert {r["labels"]["worker_job"] for r in unserved} == worker_jobs
    for rule in unserved:
        assert f'up{{job="{rule["labels"]["worker_job"]}"}}' in rule["expr"]
    # "By provider": the provider label survives the aggregation.
    assert "by (provider)" in alerts["ProviderErrorRateHigh"]["expr"]


def test_alert_rules_name_only_metrics_that_exist() -> None:
    known = _exposed_names()
    for rule in _alert_rules():
        assert metric_names(rule["expr"]), rule["alert"]
        unknown = _unknown_metrics(rule["expr"], known)
        assert not unknown, f"{rule['alert']} names unknown metrics {unknown}"


# --- Grafana dashboard -----------------------------------------------------------------


def _dashboard() -> dict[str, Any]:
    return json.loads(DASHBOARD.read_text())


def _panels(panels: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for panel in panels:
        yield panel
        yield from _panels(panel.get("panels", []))


def _queries() -> Iterator[tuple[str, str]]:
    for panel in _panels(_dashboard()["panels"]):
        for target in panel.get("targets", []):
            yield panel["title"], target["expr"]


def test_dashboard_panels_are_laid_out_and_use_the_datasource_variable() -> None:
    dashboard = _dashboard()
    assert dashboard["uid"] and dashboard["title"]
    panels = list(_panels(dashboard["panels"]))
    ids = [panel["id"] for panel in panels]
    assert len(ids) == len(set(ids))
    for panel in panels:
        grid = panel["gridPos"]
        assert grid["x"] >= 0 and grid["x"] + grid["w"] <= 24, panel["title"]
        if panel["type"] == "row":
            continue
        assert panel["targets"], panel["title"]
        assert panel["datasource"]["uid"] == "${datasource}", panel["title"]
        for target in panel["targets"]:
            assert target["datasource"] == panel["datasource"], panel["title"]
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"


def test_dashboard_queries_name_only_metrics_that_exist() -> None:
    known = _exposed_names()
    queries = list(_queries())
    assert len(queries) >= 20
    for title, expr in queries:
        assert metric_names(expr), title
        unknown = _unknown_metrics(expr, known)
        assert not unknown, f"panel {title!r} names unknown metrics {unknown}"


def test_dashboard_shows_every_application_metric() -> None:
    shown = {name for _, expr in _queries() for name in metric_names(expr)}
    families = _application_families()
    assert len(families) >= 17
    for family in families:
        assert any(name == family or name.startswith(family + "_") for name in shown), family


def test_dashboard_queries_are_valid_promql(tmp_path: Path) -> None:
    """promtool parses every panel's query, as a recording rule with Grafana's variables
    replaced by durations."""
    rules = []
    for index, (_, expr) in enumerate(_queries()):
        for variable, value in _GRAFANA_VARIABLES.items():
            expr = expr.replace(variable, value)
        assert "$" not in expr, expr
        rules.append({"record": f"dashboard:query_{index}", "expr": expr})
    rule_file = tmp_path / "dashboard-queries.yml"
    rule_file.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    output = _assert_promtool("check", "rules", str(rule_file))
    assert f"{len(rules)} rules found" in output
