"""Hands-on attempts: setup, the learner's commands, then every check, in one fresh sandbox.

A check is a shell test that exits 0 when its criterion holds. Checks run inside the
sandbox, as its root, after the learner's commands: they see exactly the state the learner
left (network namespaces, cgroups, files, processes) and are as confined as the learner was,
so a planted symlink or a replaced binary can only ever point them at the sandbox's own files,
never at the host's. (A learner who fakes a check only fools themselves; isolation never
depends on the checks.)

Engines: ``docker`` questions get a private ``dockerd`` on a tmpfs ``/var/lib/docker`` and a
local ``busybox:local`` image before the setup runs (no registry is reachable); ``runc`` and
``lxc`` need nothing started.
"""

from __future__ import annotations

import dataclasses
import os
import shlex
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from quizzer.sandbox.backends import (
    NEEDS_ROOTFS,
    SandboxLike,
    choose_backend,
    missing_on_host,
    open_sandbox,
)
from quizzer.sandbox.engine import RunResult, SandboxError

__all__ = ["Attempt", "Check", "CheckResult", "Task", "attempt", "run_attempt", "unsupported"]

CHECK_TIMEOUT = 10.0
SETUP_TIMEOUT = 90.0

DOCKER_START = r"""
mkdir -p /var/lib/docker && mount -t tmpfs -o size=512m tmpfs /var/lib/docker
(setsid dockerd --iptables=false --bridge=none >/var/log/dockerd.log 2>&1 &)
i=0; until docker info >/dev/null 2>&1; do i=$((i+1)); [ $i -gt 150 ] && exit 1; sleep 0.1; done
mkdir -p /tmp/.bb/bin && cp /bin/busybox /tmp/.bb/bin/
for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -sf busybox /tmp/.bb/bin/$a; done
tar -C /tmp/.bb -c . | docker import - busybox:local >/dev/null && rm -rf /tmp/.bb
"""


@dataclass(frozen=True)
class Check:
    """One graded criterion."""

    id: str
    description: str
    test: str
    weight: int
    message: str


@dataclass(frozen=True)
class Task:
    """A hands-on question as the sandbox sees it."""

    id: str
    setup: str
    checks: tuple[Check, ...]
    timeout: int = 60
    engine: str = "none"
    hostname: str = "sandbox"
    needs_rootfs: bool = False
    """The bwrap fallback cannot host it (see :mod:`quizzer.sandbox.bwrap`)."""
    requires: tuple[str, ...] = ()
    """Tools the task needs: on the bwrap fallback they come from the host."""


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check."""

    id: str
    description: str
    passed: bool
    message: str
    weight: int


@dataclass(frozen=True)
class Attempt:
    """The verdict of one attempt."""

    task: str
    passed: bool
    score: float
    checks: tuple[CheckResult, ...]
    output: str
    timed_out: bool
    seconds: float
    error: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    backend: str | None = None
    """The sandbox backend that ran it (``userns`` or ``bwrap``), if one was chosen."""

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready verdict."""
        return {
            "question": self.task,
            "passed": self.passed,
            "score": round(self.score, 4),
            "checks": [
                {
                    "id": c.id,
                    "description": c.description,
                    "passed": c.passed,
                    "message": None if c.passed else c.message,
                    "weight": c.weight,
                }
                for c in self.checks
            ],
            "output": self.output,
            "timed_out": self.timed_out,
            "seconds": round(self.seconds, 3),
            "error": self.error,
            "backend": self.backend,
            "timings_ms": {k: round(v * 1000, 1) for k, v in self.timings.items()},
        }


def _error(
    task: Task, message: str, started: float, output: str = "", backend: str | None = None
) -> Attempt:
    return Attempt(
        task.id,
        False,
        0.0,
        (),
        output,
        False,
        time.monotonic() - started,
        message,
        backend=backend,
    )


def unsupported(task: Task, backend: str) -> str | None:
    """Why ``backend`` cannot host ``task`` (one line), or None when it can."""
    if backend != "bwrap":
        return None
    if task.needs_rootfs:
        return NEEDS_ROOTFS
    missing = missing_on_host(task.requires)
    if missing:
        return (
            f"this task needs {', '.join(missing)}, not installed on this host: install it,"
            " or run `sudo quizzer sandbox prepare`"
        )
    return None


SETTLE_PAUSES = (0.02, 0.05, 0.1, 0.2)
"""Waits before looking again when a check fails (0.37 s in all; a pass returns at once)."""


def _run_checks(sandbox: SandboxLike, checks: Sequence[Check]) -> list[CheckResult]:
    """Run every check in one entry into the sandbox; each in its own shell, with a timeout."""
    token = uuid.uuid4().hex
    script = [
        f"timeout -s KILL {int(CHECK_TIMEOUT)} sh -c {shlex.quote(check.test)} "
        f">/dev/null 2>&1 </dev/null; echo {token} {i} $?"
        for i, check in enumerate(checks)
    ]
    r = sandbox.run("\n".join(script), timeout=CHECK_TIMEOUT * len(checks) + 5)
    codes: dict[int, int] = {}
    for line in r.output.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == token:
            codes[int(parts[1])] = int(parts[2])
    return [
        CheckResult(c.id, c.description, codes.get(i) == 0, c.message, c.weight)
        for i, c in enumerate(checks)
    ]


def run_attempt(sandbox: SandboxLike, task: Task, commands: str) -> Attempt:
    """Grade ``commands`` for ``task`` in an already started sandbox."""
    started = time.monotonic()
    timings: dict[str, float] = {}
    prep: list[str] = []
    if task.engine == "docker":
        prep.append(DOCKER_START)
    if task.setup.strip():
        prep.append(task.setup)
    for script in prep:
        t = time.monotonic()
        setup: RunResult = sandbox.run("set -e\n" + script, timeout=SETUP_TIMEOUT)
        timings["setup"] = timings.get("setup", 0.0) + time.monotonic() - t
        if setup.returncode != 0 or setup.timed_out:
            detail = setup.output.strip().splitlines()[-1:] or ["no output"]
            return _error(task, f"the question's setup failed: {detail[0]}", started, setup.output)
    t = time.monotonic()
    learner = sandbox.run(commands, timeout=task.timeout)
    timings["commands"] = time.monotonic() - t
    t = time.monotonic()
    results = _run_checks(sandbox, task.checks)
    for pause in SETTLE_PAUSES:
        # A job the commands left in the background (`unshare ... &`) may still be setting up
        # its namespace or mount when the checks first look; failed checks look again.
        if all(c.passed for c in results):
            break
        time.sleep(pause)
        results = _run_checks(sandbox, task.checks)
    timings["checks"] = time.monotonic() - t
    total = sum(c.weight for c in results) or 1
    score = sum(c.weight for c in results if c.passed) / total
    return Attempt(
        task=task.id,
        passed=all(c.passed for c in results),
        score=score,
        checks=tuple(results),
        output=learner.output,
        timed_out=learner.timed_out,
        seconds=time.monotonic() - started,
        timings=timings,
    )


def attempt(
    task: Task,
    commands: str,
    rootfs: Path,
    scratch: Path,
    *,
    memory_bytes: int | None = None,
    backend: str | None = None,
) -> Attempt:
    """Grade ``commands`` for ``task`` in a fresh sandbox that is thrown away afterwards.

    ``backend`` (``userns`` or ``bwrap``) defaults to :func:`choose_backend`'s choice.
    """
    started = time.monotonic()
    memory = memory_bytes or (1024 if task.engine == "docker" else 512) * 2**20
    try:
        backend = backend or choose_backend(rootfs)
    except SandboxError as e:
        return _error(task, f"sandbox error: {e}", started)
    why_not = unsupported(task, backend)
    if why_not is not None:
        return _error(task, why_not, started, backend=backend)
    try:
        t = time.monotonic()
        sandbox = open_sandbox(
            backend, rootfs, scratch, hostname=task.hostname, memory_bytes=memory
        )
        with sandbox as sb:
            created = time.monotonic() - t
            result = run_attempt(sb, task, commands)
            t = time.monotonic()
        result.timings["create"] = created
        result.timings["teardown"] = time.monotonic() - t
        return Attempt(
            result.task,
            result.passed,
            result.score,
            result.checks,
            result.output,
            result.timed_out,
            time.monotonic() - started,
            result.error,
            result.timings,
            backend,
        )
    except (SandboxError, OSError) as e:
        return _error(task, f"sandbox error: {e}", started, backend=backend)


def tasks_needing(tasks: Sequence[Task], engine: str) -> list[Task]:
    """The tasks that need a given nested engine."""
    return [t for t in tasks if t.engine == engine]


class Session:
    """A sandbox kept open for an interactive attempt: set up, used from a shell, then graded.

    ``shell()`` hands the terminal to a login shell inside the sandbox (the TUI suspends itself
    around it); ``grade()`` runs the checks against whatever state the shell left.
    """

    def __init__(
        self, task: Task, rootfs: Path, scratch: Path, *, backend: str | None = None
    ) -> None:
        self.task = task
        self.backend = backend or choose_backend(rootfs)
        memory = (1024 if task.engine == "docker" else 512) * 2**20
        self.sandbox = open_sandbox(
            self.backend, rootfs, scratch, hostname=task.hostname, memory_bytes=memory
        )
        self.setup_error: str | None = None

    def __enter__(self) -> Session:
        why_not = unsupported(self.task, self.backend)
        if why_not is not None:
            raise SandboxError(why_not)
        self.sandbox.start()
        scripts = ([DOCKER_START] if self.task.engine == "docker" else []) + [self.task.setup]
        for script in scripts:
            if script.strip():
                r = self.sandbox.run("set -e\n" + script, timeout=SETUP_TIMEOUT)
                if r.returncode != 0 or r.timed_out:
                    self.setup_error = (r.output.strip().splitlines() or ["setup failed"])[-1]
        return self

    def __exit__(self, *exc: object) -> None:
        self.sandbox.close()

    def shell(self) -> int:
        """Run an interactive shell inside on the current terminal; returns its exit status.

        An interactive bash makes its own process group the terminal's foreground group; when
        it exits, the terminal is handed back to the caller's group, or the caller could no
        longer read the keyboard.
        """
        import signal
        import subprocess

        try:
            proc = subprocess.run(
                self.sandbox.command(["/bin/bash", "--login"]),
                env={**ENV_SHELL, "PS1": f"[{self.task.id}] \\u@\\h:\\w# "},
                check=False,
            )
        finally:
            try:
                tty = os.open("/dev/tty", os.O_RDWR)
            except OSError:
                tty = -1
            if tty >= 0:
                old = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
                try:
                    os.tcsetpgrp(tty, os.getpgrp())
                except OSError:
                    pass
                finally:
                    signal.signal(signal.SIGTTOU, old)
                    os.close(tty)
        return proc.returncode

    def grade(self, commands: str = "") -> Attempt:
        """Run optional commands, then every check."""
        if self.setup_error is not None:
            return _error(self.task, f"the question's setup failed: {self.setup_error}", 0.0)
        task = Task(self.task.id, "", self.task.checks, self.task.timeout, "none")
        result = run_attempt(self.sandbox, task, commands or "true")
        return dataclasses.replace(result, backend=self.backend)


ENV_SHELL = {
    "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "HOME": "/root",
    "TERM": "xterm-256color",
    "LANG": "C.UTF-8",
}
