"""External commands, each under a time limit: a command that hangs is stopped and the build fails
saying so, instead of waiting for ever."""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
import threading

from .problems import EditionError, Problem


def run(command: list[str], timeout: float, what: str, settings: str, started=None) -> tuple[int, str]:
    """(exit status, output) of command. Its output goes to a file, not a pipe, so nothing it leaves
    running can keep the build waiting; past timeout seconds it and every process it started are
    killed. what names the work in messages; settings says how the user sets the command and its limit;
    started(process), if given, is told of the process as soon as it runs (so that it can be stopped)."""
    with tempfile.TemporaryFile() as output:
        try:
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
                                       start_new_session=True)
        except OSError as exc:
            raise EditionError([Problem(command[0], 0, "cannot run the command", exc.strerror or str(exc),
                                        f"check that it is installed ({settings})")]) from None
        if started:
            started(process)
        # Not process.wait(timeout): it looks every few milliseconds, sleeping up to 50 ms between looks, and a
        # Pagefind run of 36 ms was seen to end 65 ms after its start. A blocking wait returns when the process
        # ends; a timer kills it at the limit.
        late = threading.Event()
        timer = threading.Timer(timeout, _stop, (process, late))
        timer.start()
        try:
            status = process.wait()
        finally:
            timer.cancel()
        if late.is_set():
            raise EditionError([Problem(command[0], 0, f"{what} took longer than {timeout:g} s and was stopped",
                                        "", f"run the build again; if it hangs again, report it ({settings})")]) from None
        output.seek(0)
        return status, output.read().decode("utf-8", "replace")


def _stop(process: subprocess.Popen, late: threading.Event) -> None:
    """Kill process and every process it started, noting that it ran too long."""
    late.set()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
