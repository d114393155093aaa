"""The unmodified official `earthengine` CLI against the eeops emulator, authenticated with a service-account
key whose token_uri points at the emulator's token endpoint (the JWT-bearer grant, RS256)."""
import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

from conftest import PROJECT

EARTHENGINE = str(Path(sys.executable).parent / "earthengine")


def run_cli(emulator, tmp_path, *arguments):
    config = tmp_path / "ee-config.json"
    config.write_text(json.dumps({"url": emulator.url, "project": PROJECT}))
    environment = {key: value for key, value in os.environ.items() if not key.startswith("EEOPS_")}
    environment["HOME"] = str(tmp_path)  # no stored credentials of the machine's user
    return subprocess.run(
        [EARTHENGINE, "--ee_config", str(config), "--service_account_file", str(emulator.service_account_key), *arguments],
        env=environment, capture_output=True, text=True, timeout=120)


def test_task_list_authenticates_with_a_service_account(emulator, tmp_path):
    result = run_cli(emulator, tmp_path, "task", "list")
    assert result.returncode == 0, result.stderr
    held = [json.loads(line) for line in emulator.eeops("list", "--format", "jsonl").splitlines()]
    listed_ids = {line.split()[0] for line in result.stdout.splitlines() if line.strip()}
    assert listed_ids == {operation["name"].split("/")[-1] for operation in held}
    with urllib.request.urlopen(emulator.url + "/_emulator/stats", timeout=10) as response:
        stats = json.loads(response.read())
    assert stats.get("tokenGrants", 0) >= 1, "the CLI got its token from the emulator's token endpoint"


def test_task_cancel_through_the_official_cli(emulator, tmp_path):
    created = emulator.control(f"projects/{PROJECT}/operations", {"id": "CLICANCEL", "cancel": "cancels"})
    result = run_cli(emulator, tmp_path, "task", "cancel", "CLICANCEL")
    assert result.returncode == 0, result.stderr
    shown = json.loads(emulator.eeops("get", "CLICANCEL", "--format", "jsonl"))
    assert shown["name"] == created["name"]
    assert shown["metadata"]["state"] in ("CANCELLING", "CANCELLED")
