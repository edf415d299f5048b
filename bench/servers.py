"""gunicorn servers for the registry and the baseline app, all started with the same settings."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REGISTRY_APP = "wsgi:app"
MINIMAL_APP = "bench.minimal_app:app"
START_TIMEOUT = 60.0


@dataclass(frozen=True)
class ServerSettings:
    workers: int
    worker_class: str = "sync"
    timeout: int = 600  # gunicorn kills a worker busy for longer (the national XLSX export takes a while)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


NO_ANSWER = 0  # the status fetch gives when the server did not answer (timeout, connection reset)


def fetch(url: str, timeout: float = 600.0) -> tuple[int, bytes, float]:
    """(status, body, seconds) of one GET; an HTTP error status is returned, not raised, and no answer
    at all is NO_ANSWER with the reason as the body."""
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read(), time.perf_counter() - start
    except urllib.error.HTTPError as error:
        return error.code, error.read(), time.perf_counter() - start
    except OSError as error:  # URLError, timeouts and resets are all OSErrors
        return NO_ANSWER, str(error).encode(), time.perf_counter() - start


def failure(status: int, body: bytes) -> str:
    """What to say of a page that did not answer 200."""
    if status == NO_ANSWER:
        return f"no answer ({body.decode(errors='replace')[:120]})"
    return f"answered {status}"


class Server:
    """``with Server(app, env, settings) as server:`` gunicorn on 127.0.0.1, a free port.

    By default the gunicorn of the running environment, in the checkout; ``gunicorn`` and
    ``cwd`` start another installation's (an installed wheel's) elsewhere."""

    def __init__(self, app: str, env: dict[str, str], settings: ServerSettings, log: Path,
                 gunicorn: Path | None = None, cwd: Path = ROOT):
        self.app, self.env, self.settings, self.log_path = app, env, settings, log
        self.gunicorn = gunicorn or Path(sys.executable).with_name("gunicorn")
        self.cwd = cwd
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def __enter__(self) -> "Server":
        command = [str(self.gunicorn), "--chdir", str(self.cwd), "--bind", f"127.0.0.1:{self.port}",
                   "--workers", str(self.settings.workers), "--worker-class", self.settings.worker_class,
                   "--timeout", str(self.settings.timeout), "--log-level", "warning", self.app]
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen(command, env=self.env, cwd=self.cwd, stdout=self.log,
                                        stderr=subprocess.STDOUT)
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn {self.app} exited ({self.process.returncode}); see {self.log_path}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    pass
                if len(self.worker_pids()) >= self.settings.workers:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn {self.app} did not start within {START_TIMEOUT:.0f} s; see {self.log_path}")

    def worker_pids(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(p) for p in path.read_text().split()]
        except OSError:
            return []

    def wait_idle(self, timeout: float = 600.0) -> None:
        """Wait until the server holds no client connection: a load generator that stops leaves its
        last requests running (or queued) in sync workers, and they must not weigh on the next
        measurement. Checked on the sockets rather than on worker CPU, which stays flat while a
        worker waits for a long PostgreSQL query."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and open_connections(self.port):
            time.sleep(0.2)

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # gunicorn's graceful stop
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


TCP_ESTABLISHED, TCP_CLOSE_WAIT = "01", "08"  # include/net/tcp_states.h


def open_connections(port: int) -> int:
    """Connections to 127.0.0.1:port that a worker has still to answer or close (accepted or queued)."""
    local = f"0100007F:{port:04X}"
    count = 0
    with open("/proc/net/tcp") as table:
        next(table)
        for line in table:
            fields = line.split()
            if fields[1] == local and fields[3] in (TCP_ESTABLISHED, TCP_CLOSE_WAIT):
                count += 1
    return count


def child_env(database_url: str) -> dict[str, str]:
    """The environment of every registry process the harness starts."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEST_DATABASE_URL")}
    env.update(DATABASE_URL=database_url, SECRET_KEY="bench-secret-not-for-production")
    return env
