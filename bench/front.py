"""nginx in front of a gunicorn server, with the shipped configuration filled in
(docs/deploy/nginx/registry.conf): tests/test_nginx.py checks what it does, and the benchmark
measures the transparency page through it.

Debian's nginx runs in the foreground from a temporary directory that holds its main
configuration (the parts of Debian's /etc/nginx/nginx.conf the registry's file relies on),
the filled-in registry.conf, the page cache, nginx's temporary files and its pid; the logs go
where the caller says. Started as root (CI), nginx runs its workers as www-data (nobody where
there is none) and makes the cache and temporary directories theirs itself; as anyone else it
runs as that user and the ``user`` line is left out.
"""

import grp
import os
import pwd
import re
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
from pathlib import Path

from .servers import ROOT, Server, free_port, open_connections

NGINX = Path("/usr/sbin/nginx")
CONFIG = ROOT / "docs" / "deploy" / "nginx" / "registry.conf"
STATIC = ROOT / "static"  # what the checkout's gunicorn serves (registry.core.paths.resource("static"))
SERVER_NAME = "127.0.0.1"  # so that wrk and urllib, which send the URL's host, reach the registry
MIME_TYPES = Path("/etc/nginx/mime.types")
START_TIMEOUT = 15.0
PLACEHOLDER = re.compile(r"@([A-Z_]+)@")

MAIN = """\
{user}worker_processes {workers};
daemon off;
pid {base}/nginx.pid;
error_log {logs}/nginx-error.log warn;

events {{
    worker_connections 1024;
}}

http {{
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    {types}
    default_type application/octet-stream;
    gzip on;
    {access_log}
    client_body_temp_path {base}/temp/body;
    proxy_temp_path {base}/temp/proxy;
    fastcgi_temp_path {base}/temp/fastcgi;
    uwsgi_temp_path {base}/temp/uwsgi;
    scgi_temp_path {base}/temp/scgi;

    include {base}/registry.conf;
}}
"""
ACCESS_FORMAT = ('log_format registry \'$remote_addr "$request" $status $body_bytes_sent '
                 '$upstream_cache_status $upstream_status $request_time\';')


def unavailable_reason() -> str | None:
    """Why nginx cannot be started here, or None."""
    if not os.access(NGINX, os.X_OK):
        return f"{NGINX} is not installed (apt-get install nginx)"
    return None


def nginx_version() -> str | None:
    if unavailable_reason():
        return None
    out = subprocess.run([str(NGINX), "-v"], capture_output=True, text=True).stderr.strip()
    return out.removeprefix("nginx version: ").replace("/", " ") or "nginx"


def fill(template: str, values: dict[str, str]) -> str:
    """The template with every ``@NAME@`` replaced; a placeholder without a value is an error."""
    missing = set(PLACEHOLDER.findall(template)) - set(values)
    if missing:
        raise KeyError(f"no value for {', '.join(sorted(missing))}")
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


def _world_readable(folder: Path) -> bool:
    """Whether a user other than the owner can reach ``folder`` and read everything in it."""
    if any(not parent.stat().st_mode & stat.S_IXOTH for parent in folder.parents):
        return False
    for path in (folder, *folder.rglob("*")):
        need = stat.S_IROTH | (stat.S_IXOTH if path.is_dir() else 0)
        if path.stat().st_mode & need != need:
            return False
    return True


def _worker_user() -> str:
    """``user NAME GROUP;`` for nginx started as root, else nothing."""
    if os.geteuid() != 0:
        return ""
    try:
        account = pwd.getpwnam("www-data")
    except KeyError:
        account = pwd.getpwnam("nobody")
    return f"user {account.pw_name} {grp.getgrgid(account.pw_gid).gr_name};\n"


class Front:
    """``with Front(app, logs) as nginx:`` nginx on 127.0.0.1, a free port, in front of ``app``."""

    def __init__(self, app: Server, logs: Path, workers: int | str = "auto", access_log: bool = True,
                 server_name: str = SERVER_NAME, static_root: Path = STATIC):
        self.app, self.logs, self.workers, self.access_log = app, logs, workers, access_log
        self.server_name, self.static_root = server_name, static_root
        self.port = free_port()
        self.base: Path | None = None
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def error_log(self) -> Path:
        return self.logs / "nginx-error.log"

    def __enter__(self) -> "Front":
        reason = unavailable_reason()
        if reason:
            raise RuntimeError(reason)
        self.logs.mkdir(parents=True, exist_ok=True)
        self.base = Path(tempfile.mkdtemp(prefix="registry-nginx-"))
        try:
            self._start()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _start(self) -> None:
        base = self.base
        user = _worker_user()
        base.chmod(0o755)  # the workers reach the cache and temporary directories nginx makes inside
        (base / "temp").mkdir()
        (base / "temp").chmod(0o755)
        static = self.static_root
        if user and not _world_readable(static):  # the workers could not read the checkout's copy
            static = base / "static"
            shutil.copytree(self.static_root, static)
            for path in (static, *static.rglob("*")):
                path.chmod(0o755 if path.is_dir() else 0o644)
        registry_conf = fill(CONFIG.read_text(encoding="utf-8"), {
            "SERVER_NAME": self.server_name,
            "LISTEN": f"127.0.0.1:{self.port}",
            "UPSTREAM": f"127.0.0.1:{self.app.port}",
            "STATIC_ROOT": str(static),
            "CACHE_DIR": str(base / "cache"),
        })
        (base / "registry.conf").write_text(registry_conf, encoding="utf-8")
        types = f"include {MIME_TYPES};" if MIME_TYPES.is_file() else \
            "types { text/html html; text/css css; image/svg+xml svg; application/javascript js; }"
        access = (f"{ACCESS_FORMAT}\n    access_log {self.logs}/nginx-access.log registry;"
                  if self.access_log else "access_log off;")
        (base / "nginx.conf").write_text(MAIN.format(user=user, workers=self.workers, base=base, logs=self.logs,
                                                     types=types, access_log=access), encoding="utf-8")
        command = [str(NGINX), "-p", str(base), "-c", str(base / "nginx.conf"), "-e", str(self.error_log)]
        checked = subprocess.run([*command, "-t", "-q"], capture_output=True, text=True)
        if checked.returncode != 0:
            raise RuntimeError(f"nginx refused the configuration: {checked.stderr.strip()[-2000:]}")
        self._log = open(self.logs / "nginx-output.log", "ab")
        self.process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited ({self.process.returncode}); see {self.error_log}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"nginx did not start within {START_TIMEOUT:.0f} s; see {self.error_log}")

    def wait_idle(self, timeout: float = 600.0) -> None:
        """Wait until neither nginx nor the registry behind it holds a client connection."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and open_connections(self.port):
            time.sleep(0.2)
        self.app.wait_idle(max(0.0, deadline - time.monotonic()))

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # nginx's fast shutdown
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if getattr(self, "_log", None) is not None:
            self._log.close()
        if self.base is not None:
            shutil.rmtree(self.base, ignore_errors=True)
