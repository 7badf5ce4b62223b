"""Drives the official `openai` Python client against our OpenAI-compatible
endpoint. Usage: openai_check.py BASE_URL JWT AUDIO_FILE

Prints one JSON object with the result of every response format; the Rust
test asserts on it.
"""
import json
import sys

from openai import OpenAI

base_url, token, path = sys.argv[1:4]
client = OpenAI(base_url=base_url + "/v1", api_key=token, max_retries=0, timeout=120)
out = {}
with open(path, "rb") as f:
    out["json"] = client.audio.transcriptions.create(model="whisper-1", file=f).text
for fmt in ("text", "srt", "vtt"):
    with open(path, "rb") as f:
        out[fmt] = client.audio.transcriptions.create(model="whisper-1", file=f, response_format=fmt)
with open(path, "rb") as f:
    v = client.audio.transcriptions.create(
        model="whisper-1",
        file=f,
        response_format="verbose_json",
        timestamp_granularities=["segment"],
        language="en",
        prompt="MeetEasy, Friday",
    )
    out["verbose"] = {
        "text": v.text,
        "language": v.language,
        "duration": v.duration,
        "segments": [{"start": s.start, "end": s.end, "text": s.text} for s in (v.segments or [])],
    }
try:
    with open(__file__, "rb") as f:
        client.audio.transcriptions.create(model="whisper-1", file=f)
    out["bad_file"] = "accepted"
except Exception as e:  # openai.BadRequestError
    out["bad_file"] = type(e).__name__ + ": " + str(getattr(e, "status_code", ""))
print(json.dumps(out))
