"""Run the real `python app.py ...` as a subprocess against the local Slack emulator.

The child gets a clean environment (no Slack or Review Watch variables from the caller,
no proxies), runs in its own working directory (so no stray `.env` is read), and writes
its logs to a file a test can read. Waiting is polling with a deadline, never a fixed sleep.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from tests.support import paths

ROOT = paths.PROJECT_ROOT
APP = ROOT / "app.py"
_DROPPED_PREFIXES = ("SLACK_", "REVIEWWATCH_")
_DROPPED = {"PORT", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"}


# Ports a child app is told to listen on come from below the kernel's ephemeral range:
# between our check that a port is free and the child binding it (a second or so), an
# outgoing connection (ours, another xdist worker's) could take an ephemeral port, never
# one of these. Each xdist worker draws from its own share so two never pick the same.
_TEST_PORTS = 8_000
_draw = random.Random()  # its own: tests seeding the global random do not steer it


def _ephemeral_low() -> int:
    try:
        text = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text()
        return int(text.split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default


def _worker_share() -> range:
    high = _ephemeral_low()
    low = max(1024, high - _TEST_PORTS)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    index = int(worker) % workers if worker.isdigit() and workers > 0 else 0
    size = (high - low) // max(workers, 1)
    return range(low + index * size, low + (index + 1) * size)


def _is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now, for a child process to listen on."""
    share = _worker_share()
    if len(share) >= 16:
        start = _draw.randrange(len(share))
        for step in range(len(share)):
            port = share[(start + step) % len(share)]
            if _is_free(port):
                return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:  # no share: the kernel's pick
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_DROPPED_PREFIXES) and k not in _DROPPED}
    env["PYTHONUNBUFFERED"] = "1"
    env["REVIEWWATCH_FEDERAL_REGISTER"] = "off"  # a running app must not reach federalregister.gov
    env.update(settings)
    return env


# Deadlines on waiting are only there so that a test that went wrong fails instead of hanging:
# generous, since on a loaded machine (load average 15 on 2 cores) a `python app.py` that takes
# 1-2 CPU-seconds to start can take a minute of wall time. A child that exits fails at once.
WAIT_DEADLINE = 120.0


def wait_until(
    check: Callable[[], object], timeout: float = WAIT_DEADLINE, what: str = "condition"
) -> object:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def run_app(
    args: list[str], env: dict[str, str], cwd: Path, timeout: float = WAIT_DEADLINE, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run one `python app.py ...` to completion."""
    return subprocess.run(
        [sys.executable, str(APP), *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        input=stdin,
    )


class AppProcess:
    """A running `python app.py` (the bot) with its log file."""

    def __init__(self, env: dict[str, str], cwd: Path, args: tuple[str, ...] = ()) -> None:
        self.cwd = cwd
        self.log_path = cwd / f"app-{time.monotonic_ns()}.log"
        self._log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, str(APP), *args],
            env=env,
            cwd=cwd,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        self.port = int(env["PORT"]) if "PORT" in env else None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def logs(self) -> str:
        return self.log_path.read_text()

    def wait_for_http(self, timeout: float = WAIT_DEADLINE) -> None:
        """Until the server answers /healthz (any status), or fail with the app's log."""

        def answering() -> bool:
            if self.proc.poll() is not None:
                raise AssertionError(f"the app exited with {self.proc.returncode}:\n{self.logs}")
            try:
                httpx.get(self.url + "/healthz", timeout=1.0)
            except httpx.TransportError:
                return False
            return True

        wait_until(answering, timeout, "the app's HTTP server")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        finally:
            self._log.close()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self._log.close()


def run_main(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """`python app.py ARGS` run in this process (`app.main(ARGS)`), for a command that starts
    no server (seed, sweep, export): `env` as the whole environment, `cwd` as the working
    directory, standard output and error captured as a child's would be. Every behaviour
    keeps at least one test through the real `python app.py` (run_app, AppProcess); this
    only spares starting a Python process. What main() changes in the process (the
    environment, the folder, logging, the libraries kept out) is put back afterwards."""
    import contextlib
    import io
    import logging

    import app
    from bot.ops import memory

    kept_out = {name: sys.modules[name] for name in memory._KEPT_OUT if name in sys.modules}
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    library_levels = {
        name: logging.getLogger(name).level for name in ("slack_bolt", "slack_sdk", "waitress", "apscheduler")
    }
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    err = io.StringIO()
    try:
        os.environ.clear()
        os.environ.update(env)
        os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = app.main(list(args))
            except SystemExit as exc:  # argparse's usage errors
                code = exc.code if isinstance(exc.code, int) else 1
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
        for name in memory._KEPT_OUT:
            if name in kept_out:
                sys.modules[name] = kept_out[name]
            elif name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in handlers:
            root.addHandler(handler)
        root.setLevel(level)
        for name, library_level in library_levels.items():
            logging.getLogger(name).setLevel(library_level)
    out.flush()
    stdout = out.buffer.getvalue().decode("utf-8")  # type: ignore[attr-defined]
    return subprocess.CompletedProcess([sys.executable, str(APP), *args], code, stdout, err.getvalue())
