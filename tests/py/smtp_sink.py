"""A real SMTP server for the tests (aiosmtpd), storing each message as a
.eml file.

Usage: smtp_sink.py OUTDIR PORT

Recipients steer failures: `reject…@` gets a permanent 550, `tempfail…@`
always a 451, and `flaky…@` a 451 on its first RCPT and 250 afterwards.
Prints "ready" once it accepts connections.
"""
import itertools
import os
import sys
import time

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, outdir):
        self.outdir = outdir
        self.counter = itertools.count()
        self.seen = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0].lower()
        if local.startswith("reject"):
            return "550 5.1.1 No such user"
        if local.startswith("tempfail"):
            return "451 4.3.0 Try again later"
        if local.startswith("flaky") and address not in self.seen:
            self.seen.add(address)
            return "451 4.3.0 Greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        path = os.path.join(self.outdir, "%06d.eml" % next(self.counter))
        with open(path + ".part", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.rename(path + ".part", path)
        return "250 2.0.0 Message accepted"


controller = Controller(Sink(sys.argv[1]), hostname="127.0.0.1", port=int(sys.argv[2]))
controller.start()
print("ready", flush=True)
try:
    while True:
        time.sleep(3600)
finally:
    controller.stop()
