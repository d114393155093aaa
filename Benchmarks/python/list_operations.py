"""Times the official Python client's ee.data.listOperations() against an emulator.

Usage: list_operations.py URL PROJECT TOKEN
Prints: <operations listed> <seconds inside listOperations>
"""
import sys
import time

import ee
import google.oauth2.credentials

url, project, token = sys.argv[1:4]
ee.Initialize(credentials=google.oauth2.credentials.Credentials(token=token), project=project, url=url)
started = time.perf_counter()
operations = ee.data.listOperations()
print(len(operations), time.perf_counter() - started)
