"""The container image, docker-compose.yml and the Kubernetes manifests run what tools.stack runs.

No Docker engine or cluster is available to the tests, so they check what can be checked without one:
every process is started through tools/container.py (the command lines of tools.stack), every setting
endpoints.production.yml and the code read in production is provided, probes point at routes that exist,
services select their pods, and kustomization.yaml lists every manifest.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from channels.customer_session import SECRET_ENV
from tools import container, stack
from tools.container import MissingSetting, command_for

ROOT = Path(__file__).resolve().parents[3]
K8S = ROOT / "deploy" / "k8s"
DESK_IMAGES = {"complaint-desk", "complaint-desk:latest"}
# Put in the Secret complaint-desk-secrets (README "Production"), never in the ConfigMap.
SECRET_SETTINGS = {"TRACKER_DB_URL", "COMPLAINT_DB_URL", "REDIS_PASSWORD", "RABBITMQ_PASSWORD", "RASA_API_TOKEN",
                   "AGENT_API_TOKEN", SECRET_ENV}
# Read in production by code rather than by endpoints.production.yml.
CODE_SETTINGS = {"COMPLAINT_DB_URL", "POSTGRESQL_SCHEMA", "SOCKETIO_MESSAGE_QUEUE", "SOCKETIO_CHANNEL",
                 "AGENT_API_TOKEN", SECRET_ENV, "RASA_API_TOKEN", "COMPLAINT_VAR_DIR"}


def endpoint_settings() -> set[str]:
    return set(re.findall(r"\$\{([A-Z_]+)\}", (ROOT / "endpoints.production.yml").read_text(encoding="utf-8")))


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def manifests() -> list[dict]:
    return [doc for path in sorted(K8S.glob("*.yaml")) if path.name != "kustomization.yaml"
            for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def desk_services() -> dict[str, dict]:
    return {name: service for name, service in compose()["services"].items() if service.get("image") in DESK_IMAGES}


# ---------------------------------------------------------------- the entry point


def test_each_role_runs_the_command_line_of_tools_stack() -> None:
    env = {"RASA_API_TOKEN": "t0ken", "RASA_URL": "http://rasa:5005", "COMPLAINT_DB_URL": "postgresql://h/db"}
    python = sys.executable
    assert command_for("rasa", env) == stack.rasa_server_command(
        python, stack.DEFAULT_MODEL, "endpoints.production.yml", "t0ken", 5005, interface="0.0.0.0",
        logging_config="runtime/logging.yml")
    assert command_for("action-server", env) == stack.action_server_command(
        python, 5055, logging_config="runtime/logging.yml")
    assert "--logging-config-file" not in command_for("rasa", {**env, "LOG_FORMAT": "text"})
    assert command_for("followup-worker", env) == stack.followup_worker_command(
        python, "http://rasa:5005", "t0ken", 30.0)
    assert command_for("prepare-database", env) == stack.prepare_database_command(python)


@pytest.mark.parametrize(("role", "missing"), [("rasa", "RASA_API_TOKEN"), ("followup-worker", "RASA_URL"),
                                               ("prepare-database", "COMPLAINT_DB_URL")])
def test_a_missing_setting_is_named_in_chinese(role: str, missing: str) -> None:
    with pytest.raises(MissingSetting, match=f"缺少环境变量 {missing}"):
        command_for(role, {})


def test_an_unknown_role_or_a_missing_setting_exits_with_a_message_not_a_traceback() -> None:
    for args in (["nonsense"], ["rasa"], []):
        result = subprocess.run([sys.executable, "-m", "tools.container", *args], cwd=ROOT, capture_output=True,
                                text=True, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}, timeout=120)
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr and re.search(r"[\u4e00-\u9fff]", result.stderr)


def test_the_image_installs_the_pinned_lists_and_starts_through_the_entry_point() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for requirements in re.findall(r"-r (requirements/\S+\.txt)", makefile):
        assert requirements in dockerfile
    assert 'ENTRYPOINT ["python", "-m", "tools.container"]' in dockerfile
    assert re.search(r"^FROM python:3\.11-slim", dockerfile, re.MULTILINE)
    assert "USER desk" in dockerfile


# ---------------------------------------------------------------- docker-compose.yml


def test_every_compose_process_of_ours_is_a_role_of_the_entry_point() -> None:
    services = desk_services()
    assert {service["command"][0] for service in services.values()} == set(container.ROLES)


def test_compose_gives_every_process_every_setting_it_reads() -> None:
    for name, service in desk_services().items():
        missing = (endpoint_settings() | CODE_SETTINGS) - set(service["environment"])
        assert missing == set(), f"{name} lacks {sorted(missing)}"
        assert service["environment"]["COMPLAINT_DESK_MODE"] == "production"


def test_compose_takes_secrets_from_the_environment_and_refuses_to_start_without_them() -> None:
    for name, service in desk_services().items():
        for key in SECRET_SETTINGS - {"REDIS_PASSWORD"}:
            assert "${" in service["environment"][key] and ":?" in service["environment"][key], (name, key)


def test_every_long_running_compose_service_has_a_health_check_and_waits_for_what_it_needs() -> None:
    services = compose()["services"]
    for name, service in services.items():
        if name != "prepare-database":
            assert "healthcheck" in service, name
    assert "/webhooks/health/ready" in " ".join(services["rasa"]["healthcheck"]["test"])
    assert services["rasa"]["depends_on"]["prepare-database"] == {"condition": "service_completed_successfully"}
    assert {"redis", "rabbitmq", "action-server"} <= set(services["rasa"]["depends_on"])
    assert services["rasa"]["deploy"]["replicas"] >= 2


def test_the_proxy_keeps_each_client_on_one_replica() -> None:
    nginx = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    assert re.search(r"upstream rasa_replicas \{\s*ip_hash;", nginx)
    assert "deploy/nginx.conf" in " ".join(compose()["services"]["proxy"]["volumes"])


# ---------------------------------------------------------------- Kubernetes


def test_kustomization_lists_every_manifest() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))
    files = {path.name for path in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == files


def test_every_pod_of_ours_runs_a_role_with_the_settings_and_no_secret_in_the_configmap() -> None:
    documents = manifests()
    [configmap] = [doc for doc in documents if doc["kind"] == "ConfigMap"]
    provided = set(configmap["data"]) | SECRET_SETTINGS
    assert not SECRET_SETTINGS & set(configmap["data"])
    assert (endpoint_settings() | CODE_SETTINGS) - provided == set()
    roles = set()
    for doc in documents:
        if doc["kind"] not in ("Deployment", "Job"):
            continue
        for pod_container in doc["spec"]["template"]["spec"]["containers"]:
            roles.add(pod_container["args"][0])
            sources = {next(iter(source.values()))["name"] for source in pod_container["envFrom"]}
            assert sources == {configmap["metadata"]["name"], "complaint-desk-secrets"}, doc["metadata"]["name"]
    assert roles == set(container.ROLES)


def test_probes_point_at_routes_that_exist_and_services_select_their_pods() -> None:
    documents = manifests()
    deployments = {doc["metadata"]["name"]: doc for doc in documents if doc["kind"] == "Deployment"}
    rasa = deployments["rasa"]["spec"]["template"]["spec"]["containers"][0]
    assert rasa["readinessProbe"]["httpGet"]["path"] == "/webhooks/health/ready"
    assert rasa["livenessProbe"]["httpGet"]["path"] == "/webhooks/health/live"
    health = (ROOT / "channels" / "health.py").read_text(encoding="utf-8")
    assert '"/ready"' in health and '"/live"' in health and 'return "health"' in health
    actions = deployments["action-server"]["spec"]["template"]["spec"]["containers"][0]
    assert actions["readinessProbe"]["httpGet"]["path"] == "/health"  # rasa_sdk's own route
    worker = deployments["followup-worker"]["spec"]["template"]["spec"]["containers"][0]
    assert worker["livenessProbe"]["exec"]["command"][:4] == ["python", "-m", "runtime.followup_worker", "--alive"]
    assert deployments["rasa"]["spec"]["replicas"] >= 2
    for service in (doc for doc in documents if doc["kind"] == "Service"):
        selected = deployments[service["metadata"]["name"]]
        assert service["spec"]["selector"].items() <= selected["spec"]["template"]["metadata"]["labels"].items()


def test_the_ingress_keeps_each_client_on_one_replica() -> None:
    [ingress] = [doc for doc in manifests() if doc["kind"] == "Ingress"]
    assert ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/affinity"] == "cookie"
