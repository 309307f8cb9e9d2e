"""Which sandbox runs an attempt: the userns one when it can, else the bwrap fallback.

1. ``userns`` (:class:`~quizzer.sandbox.engine.Sandbox`): root and a prepared rootfs;
2. ``bwrap`` (:class:`~quizzer.sandbox.bwrap.BwrapSandbox`): ``bwrap`` installed and user
   namespaces enabled; the host's root, read-only, so some tasks cannot run there;
3. otherwise a one-line :class:`SandboxError` that says what to do.

``QUIZZER_SANDBOX_BACKEND=userns|bwrap`` forces one (tests, or a learner who prefers bwrap).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Protocol

from quizzer.sandbox.bwrap import BwrapSandbox, bwrap_path
from quizzer.sandbox.engine import ENV, UID_BASE, RunResult, Sandbox, SandboxError
from quizzer.sandbox.rootfs import status

__all__ = [
    "BACKENDS",
    "ENV_VAR",
    "NEEDS_ROOTFS",
    "SandboxLike",
    "choose_backend",
    "missing_on_host",
    "open_sandbox",
    "userns_enabled",
]

BACKENDS = ("userns", "bwrap")
ENV_VAR = "QUIZZER_SANDBOX_BACKEND"
NEEDS_ROOTFS = "this task needs the prepared sandbox: run `sudo quizzer sandbox prepare`"


class SandboxLike(Protocol):
    """What grading needs of a sandbox, whichever backend it is."""

    init: int | None

    def __enter__(self) -> SandboxLike: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def start(self) -> None: ...

    def close(self) -> None: ...

    def command(self, argv: list[str]) -> list[str]: ...

    def run(self, script: str, *, timeout: float = ..., output_cap: int = ...) -> RunResult: ...


def _sysctl(name: str) -> str | None:
    try:
        return Path("/proc/sys", name).read_text().strip()
    except OSError:
        return None


def userns_enabled() -> tuple[bool, str]:
    """Whether this kernel lets an unprivileged user create a user namespace, and why not."""
    most = _sysctl("user/max_user_namespaces")
    if most is not None and most.isdigit() and int(most) == 0:
        return False, "user namespaces are disabled (sysctl user.max_user_namespaces=0)"
    if _sysctl("kernel/unprivileged_userns_clone") == "0":
        return False, "unprivileged user namespaces are off (kernel.unprivileged_userns_clone=0)"
    if _sysctl("kernel/apparmor_restrict_unprivileged_userns") == "1":
        return False, "AppArmor restricts unprivileged user namespaces"
    return True, f"enabled (max_user_namespaces = {most})"


def choose_backend(rootfs: Path) -> str:
    """The backend an attempt would use here; ``SandboxError`` (one line) if there is none."""
    forced = os.environ.get(ENV_VAR, "").strip()
    if forced:
        if forced not in BACKENDS:
            raise SandboxError(f"{ENV_VAR} must be userns or bwrap, not {forced!r}")
        return forced
    if os.geteuid() == 0 and status(rootfs, UID_BASE).ready:
        return "userns"
    if bwrap_path() is not None and userns_enabled()[0]:
        return "bwrap"
    if os.geteuid() == 0:
        raise SandboxError(
            "no sandbox here: run `sudo quizzer sandbox prepare`, or install bubblewrap"
        )
    raise SandboxError(
        "no sandbox here: run `sudo quizzer sandbox prepare` and quizzer as root, or install"
        " bubblewrap with unprivileged user namespaces enabled"
    )


def open_sandbox(
    backend: str,
    rootfs: Path,
    scratch: Path,
    *,
    hostname: str = "sandbox",
    memory_bytes: int = 512 * 1024 * 1024,
) -> SandboxLike:
    """A sandbox of the given backend, not started yet."""
    if backend == "bwrap":
        return BwrapSandbox(hostname=hostname, memory_bytes=memory_bytes)
    return Sandbox(rootfs, scratch, hostname=hostname, memory_bytes=memory_bytes)


def missing_on_host(tools: Sequence[str]) -> list[str]:
    """The tools the bwrap sandbox would not find (it runs the host's own binaries)."""
    return [t for t in tools if shutil.which(t, path=ENV["PATH"]) is None]
