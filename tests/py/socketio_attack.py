"""Socket.IO half of the attack suite, with the official python-socketio client.

Usage: socketio_attack.py URL ALICE BOB OLGA OTHER_TENANT SHORT_LIVED

ALICE and BOB are attendees of one tenant, OLGA an organizer of it,
OTHER_TENANT an organizer of another tenant, SHORT_LIVED a token of
alice's that expires within a few seconds.

- alice queues an analytics job over HTTP; alice (its creator) and olga
  (her organizer) must hear it complete; bob and the other tenant must hear
  nothing of it;
- bob and the other tenant may not subscribe to alice's job; alice may;
- a socket whose token expires is disconnected;
- `subscribe` is rate-limited: a flood gets `request.rate_limited`.
Prints one JSON object; the Rust test asserts on it. `requests` counts
every socket operation and HTTP request made here.
"""
import json
import sys
import time
import urllib.request

import socketio

url, alice_t, bob_t, olga_t, other_t, short_t = sys.argv[1:7]
result = {"requests": 0}


def client(token, sink):
    c = socketio.Client(reconnection=False)
    for name in ("job.progress", "job.completed", "job.failed"):
        c.on(name, (lambda n: lambda data: sink.append({"event": n, "job": data}))(name))
    c.connect(url, auth={"token": token}, wait_timeout=5)
    result["requests"] += 1
    return c


heard = {"alice": [], "bob": [], "olga": [], "other": []}
socks = {
    "alice": client(alice_t, heard["alice"]),
    "bob": client(bob_t, heard["bob"]),
    "olga": client(olga_t, heard["olga"]),
    "other": client(other_t, heard["other"]),
}
short = client(short_t, [])
time.sleep(0.3)

body = {"events": [{"event_id": "sock-1", "conference_id": "c1", "type": "page_view",
                    "ts": "2026-11-27T10:15:00Z", "attrs": {}}]}
req = urllib.request.Request(
    url + "/v1/analytics/events",
    data=json.dumps(body).encode(),
    headers={"Authorization": "Bearer " + alice_t, "Content-Type": "application/json"},
    method="POST",
)
job = json.load(urllib.request.urlopen(req, timeout=10))
result["requests"] += 1
result["job_id"] = job["id"]
for who in ("alice", "bob", "other"):
    result["subscribe_" + who] = socks[who].call("subscribe", {"job_id": job["id"]}, timeout=5)
    result["requests"] += 1
result["subscribe_malformed"] = socks["bob"].call("subscribe", {"job_id": "../../x"}, timeout=5)
result["requests"] += 1

deadline = time.time() + 20
while time.time() < deadline:
    done = lambda who: any(e["event"] == "job.completed" and e["job"]["id"] == job["id"] for e in heard[who])
    if done("alice") and done("olga"):
        break
    time.sleep(0.05)
time.sleep(0.5)
result["heard"] = {who: [(e["event"], e["job"]["id"], e["job"].get("created_by")) for e in ev]
                   for who, ev in heard.items()}

# The short-lived token's socket must be closed once the token expires.
deadline = time.time() + 15
while time.time() < deadline and short.connected:
    time.sleep(0.1)
result["expired_socket_disconnected"] = not short.connected

# A subscribe flood is cut off.
answers = []
for _ in range(130):
    answers.append(socks["bob"].call("subscribe", {"job_id": job["id"]}, timeout=5))
    result["requests"] += 1
result["flood_rate_limited"] = sum(1 for a in answers if a.get("error") == "request.rate_limited")

for s in socks.values():
    s.disconnect()
print(json.dumps(result))
