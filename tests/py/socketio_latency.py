"""Benchmark (not a test): Socket.IO fan-out latency with the official
python-socketio client.

Usage: socketio_latency.py URL ADMIN_TOKEN CLIENTS JOBS

CLIENTS sockets of one tenant connect; JOBS no-op jobs are submitted one at a
time. For each job.completed event, latency = arrival time on the client
minus the job's `updated_at` (the store's completion timestamp, ms
precision). Prints p50/p95/max over all deliveries.
"""
import datetime
import json
import sys
import threading
import time
import urllib.request

import socketio

url, token, n_clients, n_jobs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
lock = threading.Lock()
latencies = []
received = {}


def on_completed(data):
    now = time.time()
    done = datetime.datetime.fromisoformat(data["updated_at"].replace("Z", "+00:00")).timestamp()
    with lock:
        latencies.append((now - done) * 1000.0)
        received[data["id"]] = received.get(data["id"], 0) + 1


clients = []
for _ in range(n_clients):
    c = socketio.Client(reconnection=False)
    c.on("job.completed", on_completed)
    c.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=10)
    clients.append(c)

for _ in range(n_jobs):
    req = urllib.request.Request(
        url + "/v1/diagnostics/sleep",
        data=b'{"millis": 0}',
        headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"},
        method="POST",
    )
    job = json.load(urllib.request.urlopen(req, timeout=10))
    deadline = time.time() + 10
    while time.time() < deadline:
        with lock:
            if received.get(job["id"], 0) >= n_clients:
                break
        time.sleep(0.005)
    time.sleep(0.05)

for c in clients:
    c.disconnect()
lat = sorted(latencies)
pick = lambda p: lat[min(len(lat) - 1, int(round((len(lat) - 1) * p)))] if lat else float("nan")
print(json.dumps({
    "clients": n_clients,
    "jobs": n_jobs,
    "deliveries": len(lat),
    "expected": n_clients * n_jobs,
    "p50_ms": round(pick(0.5), 1),
    "p95_ms": round(pick(0.95), 1),
    "max_ms": round(pick(1.0), 1),
}))
