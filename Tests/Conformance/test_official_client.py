"""The unmodified official Python client (earthengine-api) against the eeops emulator."""
import json

import ee
import google.oauth2.credentials

from conftest import PROJECT, TOKEN


def initialize(emulator):
    credentials = google.oauth2.credentials.Credentials(token=TOKEN)
    ee.Initialize(credentials=credentials, project=PROJECT, url=emulator.url)


def emulator_operations(emulator):
    return {operation["name"]: operation for operation in map(json.loads, emulator.eeops("list", "--format", "jsonl").splitlines())}


def test_list_operations_returns_what_the_emulator_holds(emulator):
    initialize(emulator)
    listed = ee.data.listOperations()
    held = emulator_operations(emulator)
    assert len(listed) == 120
    assert {operation["name"] for operation in listed} == set(held)
    for operation in listed:
        mine = held[operation["name"]]
        assert operation["metadata"]["type"] == mine["metadata"]["type"]
        assert operation["metadata"]["description"] == mine["metadata"]["description"]
        assert operation["metadata"]["createTime"] == mine["metadata"]["createTime"]


def test_get_operation_matches(emulator):
    initialize(emulator)
    held = emulator_operations(emulator)
    for name in list(held)[:10]:
        operation = ee.data.getOperation(name)
        assert operation["name"] == name
        before = held[name]["metadata"]["state"]
        if before in ("SUCCEEDED", "FAILED", "CANCELLED"):
            assert operation["metadata"]["state"] == before  # finished operations never change
        else:  # active ones move on in real time between the two reads
            assert operation["metadata"]["state"] in ("PENDING", "RUNNING", "SUCCEEDED", "FAILED")
        assert operation["metadata"]["description"] == held[name]["metadata"]["description"]


def test_cancel_operation_takes_effect(emulator):
    initialize(emulator)
    created = emulator.control(f"projects/{PROJECT}/operations", {"id": "PYCANCEL", "cancel": "cancels"})
    name = created["name"]
    ee.data.cancelOperation(name)
    state = ee.data.getOperation(name)["metadata"]["state"]
    assert state in ("CANCELLING", "CANCELLED")
    shown = json.loads(emulator.eeops("get", "PYCANCEL", "--format", "jsonl"))
    assert shown["metadata"]["state"] in ("CANCELLING", "CANCELLED")


def test_legacy_task_status_helpers_accept_the_timestamps(emulator):
    initialize(emulator)
    held = emulator_operations(emulator)
    names = list(held)[:5]
    statuses = ee.data.getTaskStatus([name.split("/")[-1] for name in names])
    assert len(statuses) == 5
    for status in statuses:
        assert status["state"] in ("READY", "RUNNING", "COMPLETED", "FAILED", "CANCELLED", "CANCEL_REQUESTED")
        assert isinstance(status["creation_timestamp_ms"], int)
