"""The bwrap sandbox: the fallback for hosts without the prepared rootfs (design C).

``bwrap`` builds every namespace (user, mount, PID, network, UTS, IPC, cgroup) over the
host's own root, bound read-only, with small sized tmpfs mounts where tasks write (``/tmp``,
``/run``, ``/root``, ``/srv``, ``/usr/local``...). It is the same interface as
:class:`quizzer.sandbox.engine.Sandbox`:

1. one long-lived ``bwrap`` whose PID 1 (``--as-pid-1``) is a shell that ignores every signal
   it can and sleeps in a loop: it reaps orphans while it waits, and survives ``kill -9 -1``;
2. bwrap never runs as host root. Called by root, it runs as :data:`BWRAP_UID` (``nobody``);
   called by anyone else, as that user. Root inside is that host uid, alone in a one-id map:
   no other host uid, and never host uid 0, exists in the sandbox;
3. commands enter every namespace with ``nsenter`` (which switches to uid 0 of the sandbox,
   so never host root inside), in their own session, with the shared timeout/output-cap loop;
   PID 1 mounts the sandbox's own sysfs over the host's, so ``/sys/class/net`` shows its links;
4. bwrap has no cgroups, so rlimits bound it: ``RLIMIT_NPROC`` on the sandbox's host uid caps
   its processes (the kernel also charges every nested user namespace to it), ``RLIMIT_DATA``
   caps each process's heap (not ``RLIMIT_AS``: Go programs such as runc reserve far more
   address space than they use), every tmpfs has a size, and core dumps are off. The total
   memory of all processes together is not bounded: that needs the userns backend's cgroup;
5. teardown kills PID 1, and the kernel kills everything else in the PID namespace; every
   mount, link and network namespace dies with its namespace.

What it cannot host: anything that needs a writable system (``/etc``, ``/var/lib``), cgroups it
may create (the host's cgroupfs is read-only and not delegated), or the rootfs's engines
(``lxc``, ``dockerd``). Such questions say ``needs_rootfs: true`` in the bank. And the host's
files that its uid may read (world-readable ones, for ``nobody``) are readable inside, though
never writable: a read-only view of the host, unlike the userns backend's separate rootfs.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import signal
import subprocess
import time
from pathlib import Path
from types import TracebackType

from quizzer.sandbox.engine import (
    ENV,
    OUTPUT_CAP,
    RunResult,
    SandboxError,
    nsenter,
    run_captured,
)

__all__ = ["BWRAP_UID", "WRITABLE", "BwrapSandbox", "bwrap_path", "bwrap_usable"]

BWRAP_UID = 65534
"""The host uid (and gid) that root runs bwrap as: ``nobody``."""
WRITABLE = ("/root", "/srv", "/mnt", "/opt", "/home", "/usr/local", "/var/tmp")
"""Directories that become empty, writable tmpfs mounts (besides ``/tmp`` and ``/run``)."""
START_TIMEOUT = 10.0
INIT = (
    "mount -t sysfs -o nosuid,nodev,noexec sysfs /sys || exit 1; echo R; exec >/dev/null; "
    'trap "" HUP INT QUIT TERM USR1 USR2; while :; do sleep 3600; done'
)
"""PID 1: mounts the sandbox's own sysfs (its network devices, not the host's, and no host
cgroupfs), says it is ready on stdout, then ignores every signal it can and sleeps forever."""


def bwrap_path() -> str | None:
    """The ``bwrap`` binary, if installed."""
    return shutil.which("bwrap", path=ENV["PATH"])


def bwrap_usable() -> tuple[bool, str]:
    """Whether an unprivileged bwrap sandbox starts here, and a one-line reason."""
    binary = bwrap_path()
    if binary is None:
        return False, "bwrap is not installed (apt-get install bubblewrap)"
    try:
        with BwrapSandbox(pids_max=32) as sb:
            r = sb.run("cat /proc/self/uid_map", timeout=10)
    except (SandboxError, OSError) as e:
        return False, str(e)
    words = r.output.split()
    if r.returncode != 0 or len(words) != 3 or words[1] == "0":
        return False, f"bwrap sandbox misbehaves: {r.output.strip()[:200]}"
    return True, f"{binary}: root inside maps to host uid {words[1]}"


def _processes_of(uid: int) -> int:
    """How many host processes run with real uid ``uid`` (they share RLIMIT_NPROC)."""
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if entry.stat().st_uid == uid:
                    count += 1
    return count


def _read_until(fd: int, deadline: float, end: bytes) -> bytes:
    """Read ``fd`` until ``end`` arrives (or end of file, for ``b""``) or the deadline passes."""
    data = b""
    while not (end and data.endswith(end)):
        ready, _, _ = select.select([fd], [], [], max(deadline - time.monotonic(), 0))
        if not ready:
            break
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        data += chunk
    return data


class BwrapSandbox:
    """One throwaway bwrap sandbox over the read-only host root; use as a context manager."""

    def __init__(
        self,
        *,
        hostname: str = "sandbox",
        memory_bytes: int = 512 * 1024 * 1024,
        pids_max: int = 256,
        tmpfs_size: int = 64 * 1024 * 1024,
        uid: int = BWRAP_UID,
    ) -> None:
        self.hostname = hostname
        self.memory_bytes = memory_bytes
        self.pids_max = pids_max
        self.tmpfs_size = tmpfs_size
        self.uid = uid if os.geteuid() == 0 else os.geteuid()
        """The host uid root of the sandbox is (never 0)."""
        self.proc: subprocess.Popen[bytes] | None = None
        self.init: int | None = None
        self.nproc = pids_max

    # -- lifecycle ---------------------------------------------------------------------------
    def __enter__(self) -> BwrapSandbox:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _limits(self) -> list[str]:
        """``prlimit`` options: hard and soft limits the learner cannot raise."""
        return [
            f"--nproc={self.nproc}",
            f"--data={self.memory_bytes}",
            "--core=0",
        ]

    def argv(self, info_fd: int) -> list[str]:
        """The host command line that starts the sandbox."""
        binary = bwrap_path()
        if binary is None:
            raise SandboxError("bwrap is not installed: apt-get install bubblewrap")
        if self.uid == 0:
            raise SandboxError("refusing to run bwrap as host uid 0")
        user = (
            ["setpriv", f"--reuid={self.uid}", f"--regid={self.uid}", "--clear-groups"]
            if os.geteuid() == 0
            else []
        )
        small = str(min(self.tmpfs_size, 16 * 1024 * 1024))
        size = str(self.tmpfs_size)
        mounts = ["--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev"]
        mounts += ["--size", small, "--tmpfs", "/dev/shm", "--remount-ro", "/dev"]
        mounts += ["--size", size, "--perms", "1777", "--tmpfs", "/tmp"]
        mounts += ["--size", small, "--tmpfs", "/run"]
        for d in WRITABLE:
            if Path(d).is_dir() and not Path(d).is_symlink():
                mounts += ["--size", size, "--tmpfs", d]
        mounts += ["--dir", "/usr/local/bin", "--dir", "/usr/local/sbin"]
        return [
            *user,
            "prlimit",
            *self._limits(),
            "--",
            binary,
            "--unshare-all",
            "--die-with-parent",
            "--new-session",
            "--as-pid-1",
            *mounts,
            "--uid",
            "0",
            "--gid",
            "0",
            "--cap-add",
            "ALL",
            "--hostname",
            self.hostname,
            "--chdir",
            "/",
            "--info-fd",
            str(info_fd),
            "/bin/sh",
            "-c",
            INIT,
        ]

    def start(self) -> None:
        """Start bwrap; returns when its PID 1 runs."""
        # RLIMIT_NPROC counts every process of the host uid: leave room for those already there.
        self.nproc = self.pids_max + _processes_of(self.uid)
        info_r, info_w = os.pipe()
        try:
            self.proc = subprocess.Popen(
                self.argv(info_w),
                pass_fds=(info_w,),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=ENV,
                cwd="/",
                start_new_session=True,
            )
        except BaseException:
            os.close(info_r)
            os.close(info_w)
            raise
        os.close(info_w)
        try:
            deadline = time.monotonic() + START_TIMEOUT
            info = _read_until(info_r, deadline, b"")  # written, then closed, before the exec
            if info:
                self.init = int(json.loads(info)["child-pid"])
                assert self.proc.stdout is not None
                ready = _read_until(self.proc.stdout.fileno(), deadline, b"R\n")
            if not info or ready != b"R\n":
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.proc.wait(timeout=1)
                assert self.proc.stderr is not None
                os.set_blocking(self.proc.stderr.fileno(), False)
                why = (self.proc.stderr.read() or b"").decode(errors="replace").strip()
                raise SandboxError(f"bwrap failed: {why.splitlines()[-1] if why else 'no reason'}")
        except BaseException:
            self.close()
            raise
        finally:
            os.close(info_r)
            for pipe in (self.proc.stdout, self.proc.stderr) if self.proc else ():
                if pipe is not None:
                    pipe.close()

    def close(self) -> None:
        """Kill everything inside: the PID namespace, and with it every mount and netns."""
        if self.init is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.init, signal.SIGKILL)
            self.init = None
        if self.proc is not None:
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None

    # -- running commands --------------------------------------------------------------------
    def command(self, argv: list[str]) -> list[str]:
        """The host command line that runs ``argv`` inside every namespace, as root there."""
        if self.init is None:
            raise SandboxError("the sandbox is not running")
        return [
            "prlimit",
            *self._limits(),
            "--",
            # Root switches to the sandbox's uid 0 (host uid self.uid); anyone else already is
            # that uid, and may not call setgroups in a user namespace bwrap made.
            *nsenter(self.init, credentials=os.geteuid() == 0),
            *argv,
        ]

    def run(self, script: str, *, timeout: float = 30.0, output_cap: int = OUTPUT_CAP) -> RunResult:
        """Run a shell script inside as root of the sandbox; never raises for its failures."""
        return run_captured(
            self.command(["/bin/sh", "-c", script]), timeout=timeout, output_cap=output_cap
        )
