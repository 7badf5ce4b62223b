"""MeetEasy's LibreOffice bridge: one soffice process, driven over UNO,
spoken to by the Rust worker as JSON lines on stdin/stdout.

It is embedded in the worker binary (`include_str!`) and written into the
slot's work directory at every start, so the Python that runs is always the
one that matches the Rust side. It runs under Debian's /usr/bin/python3,
the only interpreter that has the `uno` module (package python3-uno).

Lifecycle:
  * starts soffice.bin as its child (PR_SET_PDEATHSIG=SIGKILL, so the office
    dies with the bridge), listening on a named pipe (a unix socket: no TCP
    port, works in a network namespace without interfaces);
  * connects over UNO, retrying until --start-timeout, then prints
    {"ready": true, "version": ..., "soffice_pid": ..., ...};
  * serves one request per stdin line:
        {"id": n, "input": "/abs/in.docx", "output": "/abs/out.pdf"}
    answering exactly one line per request:
        {"id": n, "ok": true, "filter": "writer_pdf_Export"}
        {"id": n, "ok": false, "error": KIND, "detail": "..."}
    KIND is encrypted | load_failed | export_failed | unsupported, or
    crashed (soffice died; the bridge exits right after the reply);
  * on stdin EOF: terminates soffice and exits.

Stdout carries nothing but protocol lines: file descriptor 1 is pointed at
stderr right at start, so stray output (ours, pyuno's, soffice's) can never
garble a reply. Diagnostics go to stderr as "meeteasy-bridge: LEVEL: text".

--fault-injection (off by default; a test and operations hook): an input
whose first bytes are MEETEASY-FAULT:HANG makes the bridge sleep forever (a
hung LibreOffice), MEETEASY-FAULT:CRASH makes it SIGKILL soffice (a crash).
"""

import argparse
import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import traceback

# The protocol stream is a private duplicate of the original stdout; fd 1
# itself now points at stderr (see the module docstring).
_PROTO = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
os.dup2(2, 1)
sys.stdout = sys.stderr

EXIT_RESTART_REQUESTED = 81  # soffice.bin asks its launcher to start it again (first start of a profile)
FAULT_HANG = b"MEETEASY-FAULT:HANG"
FAULT_CRASH = b"MEETEASY-FAULT:CRASH"

PASSWORD_REQUESTS = (
    "com.sun.star.task.DocumentPasswordRequest",
    "com.sun.star.task.DocumentPasswordRequest2",
    "com.sun.star.task.DocumentMSPasswordRequest",
    "com.sun.star.task.DocumentMSPasswordRequest2",
)

# Checked in order: a presentation is also a drawing document.
EXPORT_FILTERS = (
    ("com.sun.star.sheet.SpreadsheetDocument", "calc_pdf_Export"),
    ("com.sun.star.presentation.PresentationDocument", "impress_pdf_Export"),
    ("com.sun.star.drawing.DrawingDocument", "draw_pdf_Export"),
    ("com.sun.star.text.TextDocument", "writer_pdf_Export"),
    # Web (HTML) and master documents are text documents too: Writer's export.
    ("com.sun.star.text.GenericTextDocument", "writer_pdf_Export"),
)


def send(obj):
    _PROTO.write(json.dumps(obj, ensure_ascii=True) + "\n")
    _PROTO.flush()


def log(level, text):
    try:
        # One line per message (tracebacks included), so the worker logs it whole.
        text = " | ".join(line for line in str(text).splitlines() if line.strip())
        sys.stderr.write("meeteasy-bridge: %s: %s\n" % (level, text))
        sys.stderr.flush()
    except Exception:
        pass


def fail_start(kind, detail):
    send({"ready": False, "error": kind, "detail": detail})
    sys.exit(2)


try:
    import uno
    import unohelper
    from com.sun.star.beans import PropertyValue
    from com.sun.star.connection import NoConnectException
    from com.sun.star.lang import DisposedException
    from com.sun.star.task import XInteractionHandler
except ImportError as e:  # not Debian's python, or python3-uno missing
    fail_start("uno_missing", "%s cannot import the uno module (%s): install python3-uno" % (sys.executable, e))


def _patch_pyuno_exceptions():
    """pyuno as shipped with LibreOffice 7.4 cannot turn a UNO exception into a
    Python object under Python >= 3.11: BaseException.__init__ assigns `args`,
    which the struct wrapper forwards to the UNO value and fails (AttributeError:
    args). An interaction handler's request is such an exception, so without
    this, every password request would end in a SystemError instead of being
    recognized. Keep `args` on the Python object itself."""
    original = getattr(uno, "_uno_struct__setattr__", None)
    if original is None:
        return

    def setattr_keeping_args(self, name, value):
        if name == "args":
            return object.__setattr__(self, name, value)
        return original(self, name, value)

    uno._uno_struct__setattr__ = setattr_keeping_args


_patch_pyuno_exceptions()


def prop(name, value):
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


def _set_pdeathsig():
    """Runs in the child between fork and exec: SIGKILL it when the bridge dies."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def resolve_office(path):
    """The `soffice` launcher is a shell script that execs oosplash, which runs
    soffice.bin as *its* child: a death signal set on the launcher would not
    reach the office, and the pid we report would not be the office's. So run
    soffice.bin directly when it sits next to the launcher, and do oosplash's
    one job that matters here ourselves (start again on exit code 81)."""
    exe = shutil.which(path)
    if exe is None:
        return None
    real = os.path.realpath(exe)
    if os.path.basename(real) != "soffice.bin":
        candidate = os.path.join(os.path.dirname(real), "soffice.bin")
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return real


class Office:
    """The soffice process and the UNO connection to it."""

    def __init__(self, exe, profile, pipe, start_timeout):
        self.exe = exe
        self.profile_url = uno.systemPathToFileUrl(os.path.abspath(profile))
        self.pipe = pipe
        self.start_timeout = start_timeout
        self.proc = None
        self.desktop = None
        self.ctx = None
        self.stopping = False

    def _launch(self):
        env = dict(os.environ)
        env["SAL_ENABLE_FILE_LOCKING"] = "1"  # what the soffice launcher script sets
        cmd = [
            self.exe,
            "--headless",
            "--invisible",
            "--nologo",
            "--norestore",
            "--nodefault",
            "--nolockcheck",
            "--nofirststartwizard",
            "-env:UserInstallation=" + self.profile_url,
            "--accept=pipe,name=%s;urp;StarOffice.ComponentContext" % self.pipe,
        ]
        return subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=2,
            stderr=2,
            env=env,
            close_fds=True,
            preexec_fn=_set_pdeathsig,
        )

    def start(self):
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        url = "uno:pipe,name=%s;urp;StarOffice.ComponentContext" % self.pipe
        deadline = time.monotonic() + self.start_timeout
        for _attempt in range(4):
            self.proc = self._launch()
            while True:
                code = self.proc.poll()
                if code is not None:
                    break
                try:
                    ctx = resolver.resolve(url)
                except NoConnectException:
                    if time.monotonic() > deadline:
                        self.kill()
                        fail_start("start_timeout", "soffice did not accept a UNO connection within %ss" % self.start_timeout)
                    time.sleep(0.1)
                    continue
                self.ctx = ctx
                self.desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
                return
            if code == EXIT_RESTART_REQUESTED:
                log("info", "soffice asked to be started again (first start of this profile)")
                continue
            fail_start("soffice_exited", "soffice exited with code %s before accepting a connection" % code)
        fail_start("soffice_exited", "soffice kept asking to be restarted")

    def config(self, node, name):
        try:
            provider = self.ctx.ServiceManager.createInstanceWithContext(
                "com.sun.star.configuration.ConfigurationProvider", self.ctx
            )
            access = provider.createInstanceWithArguments(
                "com.sun.star.configuration.ConfigurationAccess", (prop("nodepath", node),)
            )
            return access.getByName(name)
        except Exception as e:
            log("warn", "cannot read %s/%s: %s" % (node, name, e))
            return None

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            try:
                self.proc.kill()
                self.proc.wait(timeout=10)
            except Exception:
                pass

    def terminate(self, grace):
        """Ask the office to quit over UNO, then kill it if it has not."""
        self.stopping = True
        if not self.alive():
            return
        if self.desktop is not None:
            t = threading.Thread(target=self._terminate_desktop, daemon=True)
            t.start()
            t.join(grace)
        try:
            self.proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            log("warn", "soffice did not quit within %ss; killing it" % grace)
        self.kill()

    def _terminate_desktop(self):
        try:
            self.desktop.terminate()
        except Exception:
            pass  # the connection drops while the office quits

    def watch(self):
        """Exit as soon as the office dies on its own, so the worker sees a dead
        slot (stdout EOF) before it sends the next document. Polls rather than
        waits: a blocking wait would hold Popen's lock and make poll() lie."""
        while not self.stopping:
            if self.proc.poll() is not None:
                if self.stopping:
                    return
                log("error", "soffice died (exit code %s); the bridge exits" % self.proc.returncode)
                os._exit(3)
            time.sleep(0.5)


class Handler(unohelper.Base, XInteractionHandler):
    """Answers every interaction request (repair this file? password? update
    links?) with Abort, or Disapprove where there is no Abort, and remembers
    whether a password was asked for."""

    def __init__(self):
        self.password_requested = False
        self.seen = []

    def handle(self, request):
        try:
            self._handle(request)
        except Exception:
            log("warn", "interaction handler: %s" % traceback.format_exc())

    def _handle(self, request):
        continuations = request.getContinuations()
        abort = disapprove = None
        for c in continuations:
            if c.queryInterface(uno.getTypeByName("com.sun.star.task.XInteractionPassword")) is not None:
                self.password_requested = True
            if abort is None and c.queryInterface(uno.getTypeByName("com.sun.star.task.XInteractionAbort")) is not None:
                abort = c
            if disapprove is None and c.queryInterface(
                uno.getTypeByName("com.sun.star.task.XInteractionDisapprove")
            ) is not None:
                disapprove = c
        try:
            what = request.getRequest()
            name = getattr(what, "typeName", None) or type(what).__name__
            self.seen.append(str(name))
            if name in PASSWORD_REQUESTS or isinstance(what, uno.getClass("com.sun.star.task.PasswordRequest")):
                self.password_requested = True
        except Exception as e:
            self.seen.append("unreadable request (%s)" % e)
        choice = abort or disapprove
        if choice is not None:
            choice.select()


class OfficeDied(Exception):
    pass


def is_disposed(e):
    return isinstance(e, DisposedException) or "disposed" in str(e).lower()


def check_fault(office, path):
    try:
        with open(path, "rb") as f:
            head = f.read(64)
    except OSError:
        return
    if head.startswith(FAULT_HANG):
        log("warn", "fault injection: hanging")
        while True:
            time.sleep(3600)
    if head.startswith(FAULT_CRASH):
        log("warn", "fault injection: killing soffice")
        office.stopping = True  # the watchdog stays quiet: the conversion itself must notice the crash
        os.kill(office.proc.pid, signal.SIGKILL)
        try:
            office.proc.wait(timeout=10)
        except Exception:
            pass


def pick_filter(doc):
    for service, name in EXPORT_FILTERS:
        if doc.supportsService(service):
            return name
    return None


def error(rid, kind, detail):
    return {"id": rid, "ok": False, "error": kind, "detail": detail}


def convert(office, request, fault_injection):
    rid = request.get("id")
    src = request.get("input")
    dst = request.get("output")
    if not isinstance(src, str) or not isinstance(dst, str) or not os.path.isabs(src) or not os.path.isabs(dst):
        return error(rid, "unsupported", "input and output must be absolute paths")
    if fault_injection:
        check_fault(office, src)
    handler = Handler()
    load_props = (
        prop("Hidden", True),
        prop("ReadOnly", True),
        prop("MacroExecutionMode", 0),  # com.sun.star.document.MacroExecMode.NEVER_EXECUTE
        prop("UpdateDocMode", 0),  # com.sun.star.document.UpdateDocMode.NO_UPDATE
        prop("InteractionHandler", handler),
    )
    try:
        doc = office.desktop.loadComponentFromURL(uno.systemPathToFileUrl(src), "_blank", 0, load_props)
    except Exception as e:
        if is_disposed(e) or not office.alive():
            raise OfficeDied("soffice died while loading: %s" % e)
        if handler.password_requested:
            return error(rid, "encrypted", "the document is password-protected")
        return error(rid, "load_failed", "%s: %s" % (type(e).__name__, e))
    if doc is None:
        if not office.alive():
            raise OfficeDied("soffice died while loading")
        if handler.password_requested:
            return error(rid, "encrypted", "the document is password-protected")
        detail = "LibreOffice could not load the document"
        if handler.seen:
            detail += " (%s)" % ", ".join(handler.seen)
        return error(rid, "load_failed", detail)
    try:
        name = pick_filter(doc)
        if name is None:
            return error(rid, "unsupported", "no PDF export for %s" % ", ".join(doc.getSupportedServiceNames()))
        try:
            doc.storeToURL(uno.systemPathToFileUrl(dst), (prop("FilterName", name), prop("Overwrite", True)))
        except Exception as e:
            if is_disposed(e) or not office.alive():
                raise OfficeDied("soffice died while exporting: %s" % e)
            return error(rid, "export_failed", "%s: %s" % (type(e).__name__, e))
        return {"id": rid, "ok": True, "filter": name}
    finally:
        close_quietly(doc)


def close_quietly(doc):
    try:
        doc.close(True)
    except Exception:
        try:
            doc.dispose()
        except Exception as e:
            log("warn", "could not close a document: %s" % e)


def serve(office, fault_injection):
    stdin = sys.stdin.buffer
    while True:
        line = stdin.readline()
        if not line:
            return
        line = line.strip()
        if not line:
            continue
        rid = None
        try:
            request = json.loads(line)
            if not isinstance(request, dict):
                raise ValueError("a request is a JSON object")
            rid = request.get("id")
            reply = convert(office, request, fault_injection)
        except OfficeDied as e:
            send(error(rid, "crashed", str(e)))
            log("error", str(e))
            office.stopping = True
            office.kill()
            sys.exit(3)
        except Exception as e:
            if not office.alive():
                send(error(rid, "crashed", "soffice died: %s" % e))
                sys.exit(3)
            log("warn", traceback.format_exc())
            reply = error(rid, "unsupported", "%s: %s" % (type(e).__name__, e))
        send(reply)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--soffice", required=True)
    parser.add_argument("--profile", required=True)
    parser.add_argument("--pipe", required=True)
    parser.add_argument("--start-timeout", type=float, default=60.0)
    parser.add_argument("--shutdown-grace", type=float, default=5.0)
    parser.add_argument("--fault-injection", action="store_true")
    args = parser.parse_args()

    exe = resolve_office(args.soffice)
    if exe is None:
        fail_start("soffice_missing", "%s not found" % args.soffice)
    office = Office(exe, args.profile, args.pipe, args.start_timeout)
    office.start()
    signal.signal(signal.SIGTERM, lambda *_: (office.terminate(args.shutdown_grace), os._exit(0)))
    level = office.config("/org.openoffice.Office.Common/Security/Scripting", "MacroSecurityLevel")
    disabled = office.config("/org.openoffice.Office.Common/Security/Scripting", "DisableMacrosExecution")
    version = office.config("/org.openoffice.Setup/Product", "ooSetupVersionAboutBox")
    threading.Thread(target=office.watch, daemon=True).start()
    send(
        {
            "ready": True,
            "version": version,
            "soffice_pid": office.proc.pid,
            "macro_security_level": level,
            "macros_disabled": disabled,
            "fault_injection": args.fault_injection,
        }
    )
    try:
        serve(office, args.fault_injection)
    finally:
        office.terminate(args.shutdown_grace)


if __name__ == "__main__":
    main()
