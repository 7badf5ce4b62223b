"""Drives the official python-socketio client against MeetEasy Jobs.

Usage: socketio_check.py SUBMIT_URL LISTEN_URL TOKEN_X TOKEN_Y

- a client with a bad token must be refused at connect;
- client X (tenant X) and client Y (tenant Y) connect to LISTEN_URL;
- a job is submitted for tenant X through SUBMIT_URL (possibly another API
  instance);
- X must receive job.completed for it; Y must receive nothing of X's.
Prints one JSON object with what happened; the Rust test asserts on it.
"""
import json
import sys
import time
import urllib.request

import socketio

submit_url, listen_url, token_x, token_y = sys.argv[1:5]
result = {}

bad = socketio.Client(reconnection=False)
try:
    bad.connect(listen_url, auth={"token": "not-a-jwt"}, wait_timeout=5)
    result["bad_token_refused"] = False
    bad.disconnect()
except socketio.exceptions.ConnectionError as e:
    result["bad_token_refused"] = True
    result["bad_token_error"] = str(e)


def client(token, sink):
    c = socketio.Client(reconnection=False)
    for name in ("job.progress", "job.completed", "job.failed"):
        c.on(name, (lambda n: lambda data: sink.append({"event": n, "job": data}))(name))
    c.connect(listen_url, auth={"token": token}, wait_timeout=5)
    return c


x_events, y_events = [], []
x = client(token_x, x_events)
y = client(token_y, y_events)
time.sleep(0.3)

req = urllib.request.Request(
    submit_url + "/v1/diagnostics/sleep",
    data=json.dumps({"millis": 300}).encode(),
    headers={"Authorization": "Bearer " + token_x, "Content-Type": "application/json"},
    method="POST",
)
job = json.load(urllib.request.urlopen(req, timeout=10))
result["job_id"] = job["id"]
result["subscribe_own"] = x.call("subscribe", {"job_id": job["id"]}, timeout=5)
result["subscribe_foreign"] = y.call("subscribe", {"job_id": job["id"]}, timeout=5)

deadline = time.time() + 20
while time.time() < deadline:
    if any(e["event"] == "job.completed" and e["job"]["id"] == job["id"] for e in x_events):
        break
    time.sleep(0.05)
time.sleep(0.5)
result["x_events"] = [(e["event"], e["job"]["id"], e["job"]["status"]) for e in x_events]
result["y_events"] = [(e["event"], e["job"]["id"]) for e in y_events]
x.disconnect()
y.disconnect()
print(json.dumps(result))
