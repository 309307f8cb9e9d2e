"""The userns sandbox: a throwaway Linux for one hands-on attempt.

Design E of the feasibility study, in-process (stdlib + ctypes):

1. a child process is moved into its delegated cgroups, then unshares the user, mount, UTS,
   IPC, network, PID and cgroup namespaces; the parent (host root) maps sandbox uid/gid 0-65535
   onto an unprivileged host range (100000 by default), never onto host uid 0;
2. the child forks the PID namespace's init, which builds the root file system: a tmpfs upper
   layer over the prepared (ownership-shifted) rootfs as an overlay, fresh ``/proc``, ``/sys``,
   cgroup v1 mounts (rooted at the sandbox's own cgroup), a minimal ``/dev`` with its own
   devpts, tmpfs ``/tmp`` and ``/run``; then ``pivot_root``, the hostname, ``lo`` up;
3. init stays as a small command server and reaper: the host sends it a script and the write
   end of an output pipe over a socket pair; init ``posix_spawn``s ``/bin/sh -c`` in a new
   session (already inside every namespace and the cgroups) and reports its exit status, with
   a wall-clock timeout and an output cap kept by the host; orphans are reaped, never left as
   zombies. (Entering with ``nsenter`` per command cost ~3.5 ms; this costs ~1 ms.) The
   interactive shell still enters with ``nsenter``, which hands it the terminal;
5. teardown kills init (the kernel then kills everything in the PID namespace), waits, and
   removes the cgroups; the overlay and every tmpfs vanish with the mount namespace.

The sandbox process never holds a host capability: capabilities exist only inside its user
namespace, whose root is an unprivileged host uid.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import select
import signal
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from quizzer.sandbox import linux
from quizzer.sandbox.cgroups import CgroupSet

__all__ = ["RunResult", "Sandbox", "SandboxError", "run_captured"]

UID_BASE = 100000
UID_COUNT = 65536
NAMESPACES = (
    linux.CLONE_NEWUSER
    | linux.CLONE_NEWNS
    | linux.CLONE_NEWUTS
    | linux.CLONE_NEWIPC
    | linux.CLONE_NEWNET
    | linux.CLONE_NEWPID
    | linux.CLONE_NEWCGROUP
)
DEVICES = ("null", "zero", "full", "random", "urandom", "tty")
OUTPUT_CAP = 64 * 1024
ENV = {
    "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "HOME": "/root",
    "TERM": "xterm-256color",
    "LANG": "C.UTF-8",
}


class SandboxError(Exception):
    """The sandbox could not be built or used; the message says why in one line."""


@dataclass(frozen=True)
class RunResult:
    """What a command inside the sandbox did."""

    returncode: int
    output: str
    """stdout and stderr interleaved, cut at the output cap."""
    timed_out: bool
    truncated: bool
    seconds: float


def _mount_root(rootfs: Path, scratch: Path, hostname: str, tmpfs_size: str) -> None:
    """Build the sandbox's root file system and pivot into it (runs as the sandbox init)."""
    linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)
    base = str(scratch)
    linux.mount("quizzer-sandbox", base, "tmpfs", 0, f"size={tmpfs_size},mode=755")
    for d in ("u", "w", "r"):
        os.mkdir(f"{base}/{d}")
    r = f"{base}/r"
    linux.mount(
        "overlay",
        r,
        "overlay",
        0,
        f"userxattr,lowerdir={rootfs},upperdir={base}/u,workdir={base}/w",
    )
    nosuid_nodev = linux.MS_NOSUID | linux.MS_NODEV
    linux.mount("proc", f"{r}/proc", "proc", nosuid_nodev | linux.MS_NOEXEC)
    linux.mount("sysfs", f"{r}/sys", "sysfs", nosuid_nodev | linux.MS_NOEXEC)
    cg = f"{r}/sys/fs/cgroup"
    linux.mount("cgroup", cg, "tmpfs", nosuid_nodev | linux.MS_NOEXEC, "mode=755")
    for line in Path("/proc/self/mounts").read_text().splitlines():
        parts = line.split()
        if parts[2] == "cgroup" and parts[1].startswith("/sys/fs/cgroup/"):
            name = parts[1].rsplit("/", 1)[1]
            opts = ",".join(o for o in parts[3].split(",") if o not in ("rw", "ro", "relatime"))
            os.makedirs(f"{cg}/{name}", exist_ok=True)
            with contextlib.suppress(OSError):
                linux.mount("cgroup", f"{cg}/{name}", "cgroup", nosuid_nodev, opts)
    linux.mount("tmpfs", f"{r}/dev", "tmpfs", linux.MS_NOSUID, "mode=755,size=1m")
    for dev in DEVICES:
        Path(f"{r}/dev/{dev}").touch()
        linux.mount(f"/dev/{dev}", f"{r}/dev/{dev}", None, linux.MS_BIND)
    os.makedirs(f"{r}/dev/pts")
    os.makedirs(f"{r}/dev/shm")
    linux.mount(
        "devpts",
        f"{r}/dev/pts",
        "devpts",
        linux.MS_NOSUID | linux.MS_NOEXEC,
        "newinstance,ptmxmode=0666,mode=620,gid=5",
    )
    os.symlink("pts/ptmx", f"{r}/dev/ptmx")
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0")):
        os.symlink(target, f"{r}/dev/{name}")
    os.symlink("/proc/self/fd/1", f"{r}/dev/stdout")
    os.symlink("/proc/self/fd/2", f"{r}/dev/stderr")
    linux.mount("tmpfs", f"{r}/dev/shm", "tmpfs", nosuid_nodev)
    linux.mount("tmpfs", f"{r}/tmp", "tmpfs", nosuid_nodev, "size=64m,mode=1777")
    linux.mount("tmpfs", f"{r}/run", "tmpfs", nosuid_nodev, "size=16m,mode=755")
    # A second, fully visible sysfs: `ip netns exec` unmounts /sys and mounts a fresh one,
    # which the kernel allows in a user namespace only while another sysfs stays visible.
    os.makedirs(f"{r}/run/.sysfs")
    linux.mount("sysfs", f"{r}/run/.sysfs", "sysfs", nosuid_nodev | linux.MS_NOEXEC)
    socket.sethostname(hostname)
    linux.loopback_up()
    os.chdir(r)
    os.makedirs(".oldroot", exist_ok=True)
    linux.pivot_root(".", ".oldroot")
    linux.umount("/.oldroot")
    os.rmdir("/.oldroot")
    os.chdir("/")


_IGNORED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2)
_MESSAGE_MAX = 256 * 1024


def _spawn_command(script: str, out: int, devnull: int) -> int:  # pragma: no cover - init
    """Start ``script`` in a new session with output to ``out``; returns its pid.

    ``posix_spawn`` (a vfork-style clone) instead of ``fork``: init is a copy of the engine's
    Python process, and copying its page tables for every command cost about a millisecond.
    """
    return os.posix_spawn(
        "/bin/sh",
        ["sh", "-c", script],
        ENV,
        file_actions=[
            (os.POSIX_SPAWN_DUP2, devnull, 0),
            (os.POSIX_SPAWN_DUP2, out, 1),
            (os.POSIX_SPAWN_DUP2, out, 2),
        ],
        setsid=True,
        setsigmask=[],
        setsigdef=[*_IGNORED, signal.SIGPIPE, signal.SIGXFSZ, signal.SIGCHLD],
    )


def _serve(control: socket.socket) -> None:  # pragma: no cover - PID 1 of the sandbox
    """PID 1: run the host's commands, report how they end, reap every orphan.

    A request is a JSON datagram ``{"run": script}`` carrying the write end of the host's
    output pipe, or ``{"kill": pid}``; replies are ``{"pid": n}`` and ``{"exit": n,
    "status": code}``. Forking here is cheaper than entering the namespaces from the host
    with ``nsenter`` for every command. When the host end closes, init exits, and with it
    everything in the PID namespace.
    """
    for sig in _IGNORED:
        signal.signal(sig, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # inherited: no core dumps anywhere
    devnull = os.open("/dev/null", os.O_RDONLY)
    running: dict[int, int] = {}  # command pid -> pidfd
    while True:
        waits: list[int] = [control.fileno(), *running.values()]
        ready, _, _ = select.select(waits, [], [], 1.0)
        while True:  # reap: commands (reported) and orphans (silently)
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            fd = running.pop(pid, None)
            if fd is not None:
                os.close(fd)
                code = os.waitstatus_to_exitcode(status)
                control.send(json.dumps({"exit": pid, "status": code}).encode())
        if control.fileno() not in ready:
            continue
        data, fds, _flags, _addr = socket.recv_fds(control, _MESSAGE_MAX, 1)
        if not data:
            os._exit(0)
        request = json.loads(data)
        if "kill" in request:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(int(request["kill"]), signal.SIGKILL)
        elif "run" in request and fds:
            try:
                child = _spawn_command(str(request["run"]), fds[0], devnull)
            except OSError:
                control.send(json.dumps({"pid": -1}).encode())
                control.send(json.dumps({"exit": -1, "status": 127}).encode())
            else:
                running[child] = os.pidfd_open(child)
                control.send(json.dumps({"pid": child}).encode())
            finally:
                for fd in fds:
                    os.close(fd)
        else:
            for fd in fds:
                os.close(fd)


def read_available(fd: int, out: bytearray, cap: int) -> tuple[bool, bool]:
    """Append what a non-blocking ``fd`` holds to ``out``, at most ``cap`` bytes in all.

    Returns ``(still_open, truncated)``: open until end of file; truncated once more than
    ``cap`` bytes were offered (then the caller stops reading).
    """
    while True:
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            return True, False
        if not chunk:
            return False, False
        room = cap - len(out)
        out.extend(chunk[:room])
        if len(chunk) > room:
            return False, True


def nsenter(target: int, *, credentials: bool = True) -> list[str]:
    """``nsenter`` into every namespace of ``target`` (its root and working directory too).

    Without ``credentials`` the caller's ids are kept (``--preserve-credentials``).
    """
    return [
        "nsenter",
        f"--target={target}",
        "--user",
        *([] if credentials else ["--preserve-credentials"]),
        "--mount",
        "--uts",
        "--ipc",
        "--net",
        "--pid",
        "--cgroup",
        "--root",
        "--wd",
        "--",
    ]


def run_captured(
    argv: list[str], *, timeout: float = 30.0, output_cap: int = OUTPUT_CAP
) -> RunResult:
    """Run a host command line in its own session, stdout and stderr interleaved.

    It is killed (its whole process group) at the wall-clock ``timeout`` or once its output
    reaches ``output_cap`` bytes; never raises for the command's failures.
    """
    start = time.monotonic()
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=ENV,
        start_new_session=True,
    )
    assert proc.stdout is not None
    out = bytearray()
    truncated = timed_out = False
    fd = proc.stdout.fileno()
    os.set_blocking(fd, False)
    deadline = start + timeout

    def drain() -> bool:
        nonlocal truncated
        still_open, cut = read_available(fd, out, output_cap)
        truncated = truncated or cut
        return still_open

    open_ = True
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            timed_out = True
            break
        if open_:
            ready, _, _ = select.select([fd], [], [], min(left, 0.05))
            if ready:
                open_ = drain()
                if truncated:
                    break
        else:
            time.sleep(min(left, 0.01))
        if proc.poll() is not None:
            # The command is over. Background processes it started may still hold the
            # pipe open: take what is buffered and stop reading.
            if open_:
                drain()
            break
    if timed_out or truncated:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    proc.stdout.close()
    try:
        code = proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        code = proc.wait()
    return RunResult(
        returncode=code,
        output=out.decode(errors="replace"),
        timed_out=timed_out,
        truncated=truncated,
        seconds=time.monotonic() - start,
    )


class Sandbox:
    """One throwaway sandbox; use as a context manager."""

    def __init__(
        self,
        rootfs: Path,
        scratch: Path,
        *,
        hostname: str = "sandbox",
        memory_bytes: int = 512 * 1024 * 1024,
        pids_max: int = 256,
        tmpfs_size: str = "256m",
        uid_base: int = UID_BASE,
    ) -> None:
        self.rootfs = rootfs
        self.scratch = scratch
        self.hostname = hostname
        self.memory_bytes = memory_bytes
        self.pids_max = pids_max
        self.tmpfs_size = tmpfs_size
        self.uid_base = uid_base
        self.id = uuid.uuid4().hex[:12]
        self.outer: int | None = None
        self.init: int | None = None
        self.cgroups: CgroupSet | None = None
        self.control: socket.socket | None = None
        """The host end of init's command channel (see ``_serve``)."""

    # -- lifecycle ---------------------------------------------------------------------------
    def __enter__(self) -> Sandbox:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def start(self) -> None:
        """Create the namespaces, cgroups and root file system; returns when init is ready."""
        if os.geteuid() != 0:
            raise SandboxError("the userns sandbox needs root to map its id range")
        if not (self.rootfs / "bin").exists():
            raise SandboxError(f"no sandbox rootfs at {self.rootfs}: run quizzer sandbox prepare")
        self.scratch.mkdir(parents=True, exist_ok=True)
        self.cgroups = CgroupSet.create(
            f"quizzer-{self.id}", self.uid_base, self.memory_bytes, self.pids_max
        )
        to_child_r, to_child_w = os.pipe()
        to_parent_r, to_parent_w = os.pipe()
        host_end, init_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child; exercised by every sandbox test
            try:
                os.close(to_child_w)
                os.close(to_parent_r)
                host_end.close()
                self._child(to_child_r, to_parent_w, init_end)
            except BaseException as e:
                with contextlib.suppress(Exception):
                    os.write(to_parent_w, f"E{type(e).__name__}: {e}".encode()[:500])
            finally:
                os._exit(127)
        self.outer = pid
        os.close(to_child_r)
        os.close(to_parent_w)
        init_end.close()
        self.control = host_end
        try:
            first = os.read(to_parent_r, 512)
            if first != b"u":
                raise SandboxError(f"sandbox failed: {first[1:].decode(errors='replace')}")
            for name in ("uid_map", "gid_map"):
                Path(f"/proc/{pid}/{name}").write_text(f"0 {self.uid_base} {UID_COUNT}\n")
            os.write(to_child_w, b"g")
            messages = b""
            while b"R\n" not in messages and b"E" not in messages:
                chunk = os.read(to_parent_r, 512)
                if not chunk:
                    break
                messages += chunk
            lines = messages.decode(errors="replace").splitlines()
            pid_line = next((x for x in lines if x.startswith("P")), None)
            if pid_line is not None:
                self.init = int(pid_line[1:])
            if "R" not in lines or self.init is None:
                error = messages.decode(errors="replace")
                detail = error[error.find("E") + 1 :].strip() if "E" in error else "no reason"
                raise SandboxError(f"sandbox failed: {detail}")
        except BaseException:
            self.close()
            raise
        finally:
            os.close(to_child_w)
            os.close(to_parent_r)

    def _child(
        self, from_parent: int, to_parent: int, control: socket.socket
    ) -> None:  # pragma: no cover - child
        assert self.cgroups is not None
        self.cgroups.join(os.getpid())
        linux.unshare(NAMESPACES)
        os.write(to_parent, b"u")
        if os.read(from_parent, 1) != b"g":
            os._exit(1)
        os.setresgid(0, 0, 0)
        os.setgroups([])
        os.setresuid(0, 0, 0)
        init = os.fork()
        if init:  # still in the host's PID namespace: tell the parent init's host pid
            control.close()
            os.write(to_parent, b"P" + str(init).encode() + b"\n")
            os.close(to_parent)
            _pid, status = os.waitpid(init, 0)
            os._exit(os.waitstatus_to_exitcode(status) & 0xFF)
        # PID 1 of the new PID namespace.
        os.setsid()
        _mount_root(self.rootfs, self.scratch, self.hostname, self.tmpfs_size)
        os.write(to_parent, b"R\n")
        os.close(to_parent)
        os.close(from_parent)
        devnull = os.open("/dev/null", os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        _serve(control)

    def close(self) -> None:
        """Kill everything inside and remove every trace on the host."""
        if self.control is not None:
            self.control.close()
            self.control = None
        if self.cgroups is not None:
            self.cgroups.thaw()  # a frozen task ignores even SIGKILL
        if self.init is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.init, signal.SIGKILL)
        if self.outer is not None:
            # Killing init takes the PID namespace down; keep thawing while it goes, in case
            # something froze a cgroup again in the meantime.
            deadline = time.monotonic() + 10
            try:
                exited = os.pidfd_open(self.outer)  # readable the moment it exits: no polling
            except OSError:
                exited = -1
            try:
                while True:
                    try:
                        pid, _status = os.waitpid(self.outer, os.WNOHANG)
                    except ChildProcessError:
                        break
                    if pid:
                        break
                    if self.cgroups is not None:
                        self.cgroups.thaw()
                    if time.monotonic() > deadline:
                        os.kill(self.outer, signal.SIGKILL)
                        os.waitpid(self.outer, 0)
                        break
                    if exited >= 0:
                        select.select([exited], [], [], 0.05)
                    else:
                        time.sleep(0.002)
            finally:
                if exited >= 0:
                    os.close(exited)
            self.outer = None
        self.init = None
        if self.cgroups is not None:
            self.cgroups.remove()
            self.cgroups = None

    # -- running commands --------------------------------------------------------------------
    def command(self, argv: list[str]) -> list[str]:
        """The host command line that runs ``argv`` inside every namespace and the cgroups.

        A host ``sh`` moves itself into the sandbox's cgroups, drops core dumps, then execs
        ``nsenter``: cheaper than a Python ``preexec_fn``, which forces a full fork.
        """
        if self.init is None:
            raise SandboxError("the sandbox is not running")
        boxes = self.cgroups.boxes.values() if self.cgroups else ()
        return [
            "/bin/sh",
            "-c",
            'ulimit -c 0; while [ "$1" != -- ]; do echo $$ > "$1"; shift; done; shift; exec "$@"',
            "sh",
            *[str(b / "cgroup.procs") for b in boxes],
            "--",
            *nsenter(self.init),
            *argv,
        ]

    def run(self, script: str, *, timeout: float = 30.0, output_cap: int = OUTPUT_CAP) -> RunResult:
        """Run a shell script inside as root of the sandbox; never raises for its failures.

        init forks it (see ``_serve``) in its own session, with stdout and stderr on a pipe
        read here; at the ``timeout`` or the ``output_cap`` its process group is killed.
        """
        if self.control is None or self.init is None:
            raise SandboxError("the sandbox is not running")
        start = time.monotonic()
        deadline = start + timeout
        read_end, write_end = os.pipe()
        try:
            socket.send_fds(self.control, [json.dumps({"run": script}).encode()], [write_end])
        finally:
            os.close(write_end)
        out = bytearray()
        truncated = timed_out = False
        pid: int | None = None
        code: int | None = None
        os.set_blocking(read_end, False)
        reading = True
        try:
            while code is None:
                left = deadline - time.monotonic()
                if left <= 0:
                    timed_out = True
                    break
                control = self.control.fileno()
                ready, _, _ = select.select(
                    [control, *([read_end] if reading else [])], [], [], left
                )
                if read_end in ready:
                    reading, truncated = read_available(read_end, out, output_cap)
                    if truncated:
                        break
                if control in ready:
                    message = self._receive()
                    if "pid" in message:
                        pid = int(message["pid"])
                    elif message.get("exit") == pid and pid is not None:
                        code = int(message["status"])
            if code is not None and reading:
                # Over: take what is buffered; background children may hold the pipe open.
                truncated = read_available(read_end, out, output_cap)[1]
            if code is None:  # timed out or too much output: kill its session, collect status
                code = self._kill_and_wait(pid)
        finally:
            os.close(read_end)
        return RunResult(
            returncode=code,
            output=out.decode(errors="replace"),
            timed_out=timed_out,
            truncated=truncated,
            seconds=time.monotonic() - start,
        )

    def _receive(self) -> dict[str, int]:
        """One message from init (bounded; anything malformed ends the sandbox's use)."""
        assert self.control is not None
        data = self.control.recv(4096)  # no ancillary buffer: fds sent by init are dropped
        if not data:
            raise SandboxError("the sandbox's init went away")
        try:
            message = json.loads(data)
        except ValueError as e:
            raise SandboxError(f"garbled message from the sandbox: {e}") from None
        if not isinstance(message, dict) or not all(isinstance(v, int) for v in message.values()):
            raise SandboxError("garbled message from the sandbox")
        return message

    def _kill_and_wait(self, pid: int | None) -> int:
        """Kill a command's session and return its status (-9 if it does not report)."""
        assert self.control is not None
        deadline = time.monotonic() + 5
        while pid is None and time.monotonic() < deadline:  # the pid reply is still on its way
            ready, _, _ = select.select([self.control], [], [], deadline - time.monotonic())
            if ready:
                pid = self._receive().get("pid", pid)
        if pid is None:
            return -int(signal.SIGKILL)
        self.control.send(json.dumps({"kill": pid}).encode())
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.control], [], [], deadline - time.monotonic())
            if ready:
                message = self._receive()
                if message.get("exit") == pid:
                    return int(message["status"])
        return -int(signal.SIGKILL)
