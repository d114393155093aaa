"""Starts the eeops emulator (the built binary) for the official client's conformance tests."""
import json
import os
import re
import subprocess
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BINARY = os.environ.get("EEOPS_BINARY", str(ROOT / ".build" / "debug" / "eeops"))
TOKEN = "conformance-token-7d1e"
PROJECT = "demo-project"


class RunningEmulator:
    def __init__(self, process, url):
        self.process = process
        self.url = url

    def eeops(self, *arguments):
        """Runs the eeops CLI against this emulator and returns its standard output."""
        environment = dict(os.environ, EEOPS_ENDPOINT=self.url, EEOPS_PROJECT=PROJECT, EEOPS_ACCESS_TOKEN=TOKEN)
        return subprocess.run([BINARY, *arguments], env=environment, capture_output=True, text=True, check=True, timeout=60).stdout

    def control(self, path, body):
        request = urllib.request.Request(self.url + "/_emulator/" + path, data=json.dumps(body).encode(), method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())


@pytest.fixture()
def emulator(tmp_path):
    key_file = tmp_path / "service-account.json"
    process = subprocess.Popen(
        [BINARY, "emulator", "--port", "0", "--token", TOKEN, "--operations", "120", "--seed", "11", "--active-fraction", "0.3",
         "--unimplemented-fraction", "0", "--write-service-account-key", str(key_file), "--test-controls"],
        stdout=subprocess.PIPE, text=True)
    url = None
    for line in process.stdout:
        match = re.search(r"export EEOPS_ENDPOINT=(\S+)", line)
        if match:
            url = match.group(1)
            break
    assert url, "the emulator did not print its URL"
    running = RunningEmulator(process, url)
    running.service_account_key = key_file
    yield running
    process.terminate()
    process.wait(timeout=10)
