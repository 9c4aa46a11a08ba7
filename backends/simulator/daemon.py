"""The simulator daemon: its state directory, and starting, stopping and inspecting it.

State lives in ``$PYKCTL_HOME/sim/NAME`` or ``$XDG_STATE_HOME/pykctl/sim/NAME``
(``~/.local/state/pykctl/sim/NAME``): the store (``store.db``), the CA and serving certificate,
the bearer token (mode 0600), ``daemon.json`` (pid, port, start time) while it runs, and
``daemon.log``. The daemon is ``python -m backends.simulator.daemon run --name NAME``, a
detached process listening on 127.0.0.1 only; it remembers its port and reuses it when it can,
so kubeconfig entries stay valid across restarts.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import signal
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path

DEFAULT_NAME = "default"
START_TIMEOUT = 30.0


class DaemonError(Exception):
    """The daemon could not be started or reached; the message says why."""


def state_root() -> Path:
    home = os.environ.get("PYKCTL_HOME")
    if home:
        return Path(home) / "sim"
    xdg = os.environ.get("XDG_STATE_HOME") or os.path.join(
        os.path.expanduser("~"), ".local", "state"
    )
    return Path(xdg) / "pykctl" / "sim"


@dataclass(frozen=True)
class StateDir:
    """The files of one named simulator."""

    name: str
    path: Path

    @classmethod
    def for_name(cls, name: str = DEFAULT_NAME) -> StateDir:
        return cls(name, state_root() / name)

    @property
    def store(self) -> Path:
        return self.path / "store.db"

    @property
    def ca_cert(self) -> Path:
        return self.path / "ca.crt"

    @property
    def ca_key(self) -> Path:
        return self.path / "ca.key"

    @property
    def tls_cert(self) -> Path:
        return self.path / "tls.crt"

    @property
    def tls_key(self) -> Path:
        return self.path / "tls.key"

    @property
    def token_file(self) -> Path:
        return self.path / "token"

    @property
    def info_file(self) -> Path:
        return self.path / "daemon.json"

    @property
    def port_file(self) -> Path:
        return self.path / "port"

    @property
    def nodes_file(self) -> Path:
        return self.path / "nodes"

    def remembered_nodes(self) -> int:
        """The node count of the last run (1 before the first)."""
        try:
            return max(1, int(self.nodes_file.read_text()))
        except (OSError, ValueError):
            return 1

    @property
    def log_file(self) -> Path:
        return self.path / "daemon.log"

    @property
    def service_account_key(self) -> Path:
        return self.path / "sa.key"

    def token(self) -> str:
        return self.token_file.read_text().strip()

    def ca_pem(self) -> bytes:
        return self.ca_cert.read_bytes()

    def ensure_credentials(self) -> None:
        """Create the CA, the serving certificate and the token on first use."""
        from backends.simulator import certs  # cryptography: only when credentials are made

        self.path.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not self.ca_cert.exists() or not self.ca_key.exists():
            ca = certs.make_ca(f"pykctl-simulator-{self.name}")
            _write_private(self.ca_key, ca.key_pem)
            self.ca_cert.write_bytes(ca.cert_pem)
            for stale in (self.tls_cert, self.tls_key):
                stale.unlink(missing_ok=True)
        if not self.tls_cert.exists() or not self.tls_key.exists():
            ca = certs.KeyPair(self.ca_cert.read_bytes(), self.ca_key.read_bytes())
            serving = certs.make_serving_cert(ca)
            _write_private(self.tls_key, serving.key_pem)
            self.tls_cert.write_bytes(serving.cert_pem)
        if not self.token_file.exists():
            _write_private(self.token_file, secrets.token_urlsafe(32).encode())
        if not self.service_account_key.exists():
            from backends.simulator.tokens import TokenIssuer

            _write_private(self.service_account_key, TokenIssuer.generate_pem())


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


@dataclass(frozen=True)
class DaemonInfo:
    """A running daemon."""

    name: str
    pid: int
    port: int
    started: float

    @property
    def server(self) -> str:
        return f"https://127.0.0.1:{self.port}"


def _pid_alive(pid: int) -> bool:
    """Is ``pid`` a live process? A zombie (killed, not yet reaped) counts as dead."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc: trust kill(0)
    return stat.rsplit(")", 1)[-1].split()[0] not in ("Z", "X")


def read_info(state: StateDir) -> DaemonInfo | None:
    """The running daemon of ``state``, or None (a stale daemon.json is ignored)."""
    try:
        data = json.loads(state.info_file.read_text())
        info = DaemonInfo(state.name, int(data["pid"]), int(data["port"]), float(data["started"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return info if _pid_alive(info.pid) else None


def healthy(state: StateDir, port: int, timeout: float = 2.0) -> bool:
    """Does the daemon answer /healthz over TLS with its CA?"""
    import ssl
    import urllib.request

    context = ssl.create_default_context(cadata=state.ca_pem().decode())
    try:
        with urllib.request.urlopen(
            f"https://127.0.0.1:{port}/healthz", context=context, timeout=timeout
        ) as r:
            return bool(r.status == 200)
    except (OSError, ValueError):
        return False


def start(state: StateDir, port: int | None = None, nodes: int | None = None) -> DaemonInfo:
    """Start the daemon unless it runs; returns it once it answers /healthz. ``nodes``
    defaults to the last run's count."""
    import subprocess

    running = read_info(state)
    if running is not None:
        return running
    state.ensure_credentials()
    if nodes is None:
        nodes = state.remembered_nodes()
    command = [
        sys.executable,
        "-m",
        "backends.simulator.daemon",
        "run",
        "--name",
        state.name,
        "--nodes",
        str(nodes),
    ]
    if port is not None:
        command += ["--port", str(port)]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(Path(__file__).resolve().parents[2]), env.get("PYTHONPATH")])
    )
    with open(state.log_file, "ab") as log:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            env=env,
            start_new_session=True,
        )
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        info = read_info(state)
        if info is not None and info.pid == process.pid and healthy(state, info.port, timeout=1.0):
            return info
        if process.poll() is not None:
            reason = _start_failure(state.log_file) or f"code {process.returncode}"
            raise DaemonError(f"the simulator exited at start ({reason}); see {state.log_file}")
        time.sleep(0.05)
    process.terminate()
    raise DaemonError(
        f"the simulator did not answer within {START_TIMEOUT:.0f}s; see {state.log_file}"
    )


def stop(state: StateDir, timeout: float = 15.0) -> bool:
    """Stop the daemon (SIGTERM, then SIGKILL). False when it was not running."""
    info = read_info(state)
    if info is None:
        return False
    os.kill(info.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _pid_alive(info.pid):
        time.sleep(0.05)
    if _pid_alive(info.pid):
        os.kill(info.pid, signal.SIGKILL)
    state.info_file.unlink(missing_ok=True)
    return True


def reset(state: StateDir) -> bool:
    """Delete every object (the store); keeps certificates and token. Returns whether it ran."""
    was_running = stop(state)
    for suffix in ("", "-wal", "-shm"):
        Path(str(state.store) + suffix).unlink(missing_ok=True)
    return was_running


# ------------------------------------------------------------------------------ the daemon


def _free_port(preferred: int | None) -> int:
    """``preferred`` when it can be bound on 127.0.0.1, else 0 (any)."""
    if not preferred:
        return 0
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", preferred))
        except OSError:
            return 0
    return preferred


async def _serve(state: StateDir, port: int | None, nodes: int) -> None:
    import asyncio

    from backends.simulator.server import Simulator, TLSFiles

    remembered = int(state.port_file.read_text()) if state.port_file.exists() else None
    simulator = Simulator(
        str(state.store),
        state.token(),
        TLSFiles(str(state.tls_cert), str(state.tls_key), str(state.ca_cert)),
        name=state.name,
        service_account_key=state.service_account_key.read_bytes(),
        nodes=nodes,
        state_dir=str(state.path),
    )
    bound = await simulator.start(_free_port(port or remembered))
    state.port_file.write_text(str(bound))
    state.nodes_file.write_text(str(nodes))
    info = {"pid": os.getpid(), "port": bound, "started": time.time(), "name": state.name}
    tmp = state.info_file.with_suffix(".tmp")
    tmp.write_text(json.dumps(info))
    tmp.replace(state.info_file)
    logging.getLogger("pykctl.simulator").info(
        "simulator %r listening on https://127.0.0.1:%d", state.name, bound
    )
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopped.set)
    await stopped.wait()
    logging.getLogger("pykctl.simulator").info("stopping")
    await simulator.stop()
    with contextlib.suppress(OSError):
        if json.loads(state.info_file.read_text()).get("pid") == os.getpid():
            state.info_file.unlink()


def main(argv: list[str] | None = None) -> int:
    import argparse
    import asyncio

    parser = argparse.ArgumentParser(prog="python -m backends.simulator.daemon")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run a simulator in the foreground")
    run.add_argument("--name", default=DEFAULT_NAME)
    run.add_argument("--port", type=int)
    run.add_argument("--nodes", type=int, default=1)
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    state = StateDir.for_name(args.name)
    state.ensure_credentials()
    from backends.simulator.network.slots import NetworkInUse

    try:
        asyncio.run(_serve(state, args.port, args.nodes))
    except NetworkInUse as err:
        logging.getLogger("pykctl.simulator").error("%s%s", _FAILURE_MARK, err)
        return 1
    return 0


_FAILURE_MARK = "cannot start: "


def _start_failure(log_file: Path) -> str:
    """The reason the daemon logged for not starting, from the end of its log."""
    try:
        with open(log_file, "rb") as f:
            f.seek(max(0, f.seek(0, os.SEEK_END) - 4096))
            tail = f.read().decode("utf-8", "replace").splitlines()
    except OSError:
        return ""
    for line in reversed(tail):
        if _FAILURE_MARK in line:
            return line.split(_FAILURE_MARK, 1)[1]
    return ""


if __name__ == "__main__":
    raise SystemExit(main())
