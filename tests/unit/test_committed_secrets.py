"""Secrets come from the environment (or var/, which git ignores), never from committed files."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = re.compile(r"(password|passwd|secret|token|api_key|apikey|jwt_key|auth)", re.IGNORECASE)
LEAKS = {
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "AWS access key": re.compile(r"AKIA[0-9A-Z]{16}"),
    # Placeholders in examples ("user:password@", "<密码>", "${VAR}") are fine.
    "password in a URL": re.compile(r"[a-z+]+://[^/\s:@]+:(?!\$\{|password@|密码@|<)[^@\s/]+@"),
    "literal --auth-token": re.compile(r"--auth-token[ =](?![\"']?\$|[\"']?\{|\s*token\b)[\"']?[A-Za-z0-9_\-]{8,}"),
}


def tracked_files() -> list[Path]:
    try:
        names = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    return [ROOT / name for name in names.splitlines() if not name.startswith("tests/") and (ROOT / name).is_file()]


def test_no_committed_file_holds_a_secret() -> None:
    found = []
    for path in tracked_files():
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        found += [f"{path.relative_to(ROOT)}: {what}" for what, pattern in LEAKS.items() if pattern.search(text)]
    assert found == []


def secret_values(node: object, key: str = "") -> list[tuple[str, object]]:
    if isinstance(node, dict):
        return [item for k, v in node.items() for item in secret_values(v, str(k))]
    if isinstance(node, list):
        return [item for v in node for item in secret_values(v, key)]
    return [(key, node)] if SECRET_KEY.search(key) else []


@pytest.mark.parametrize("name", ["endpoints.yml", "endpoints.production.yml", "credentials.yml"])
def test_rasa_config_takes_secrets_from_the_environment(name: str) -> None:
    text = (ROOT / name).read_text(encoding="utf-8")
    for key, value in secret_values(yaml.safe_load(text) or {}):
        assert value is None or re.fullmatch(r"\$\{[A-Z_]+\}", str(value)), f"{name}: {key} must be ${{ENV_VAR}}"


def test_generated_secrets_are_git_ignored() -> None:
    for name in ["var/rasa_api_token", "var/agent_api_token", "var/customer_session_secret"]:
        ignored = subprocess.run(["git", "check-ignore", "-q", name], cwd=ROOT).returncode == 0
        assert ignored, f"{name} must be git-ignored"
