"""The official Python client's side of the list benchmark: ee.data.listOperations() against an emulator,
then each operation printed as a JSON line, as `eeops list --format jsonl` does.

Usage: list_operations.py URL PROJECT TOKEN SUMMARY_FILE
Writes the JSON lines to standard output and "<operations> <seconds inside listOperations()>" to SUMMARY_FILE.
"""
import json
import sys
import time

import ee
import google.oauth2.credentials

url, project, token, summary = sys.argv[1:5]
ee.Initialize(credentials=google.oauth2.credentials.Credentials(token=token), project=project, url=url)
started = time.perf_counter()
operations = ee.data.listOperations()
elapsed = time.perf_counter() - started
out = sys.stdout
for operation in operations:
    out.write(json.dumps(operation, separators=(",", ":")) + "\n")
with open(summary, "w") as file:
    file.write(f"{len(operations)} {elapsed}\n")
