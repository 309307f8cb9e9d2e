"""What the sandbox can do on this machine, and why not where it cannot."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from quizzer.sandbox.backends import choose_backend, userns_enabled
from quizzer.sandbox.bwrap import bwrap_path, bwrap_usable
from quizzer.sandbox.cgroups import v1_hierarchies
from quizzer.sandbox.engine import UID_BASE, Sandbox, SandboxError
from quizzer.sandbox.rootfs import status

__all__ = ["Finding", "diagnose"]


@dataclass(frozen=True)
class Finding:
    """One line of the diagnosis."""

    name: str
    ok: bool
    detail: str


def _read(path: str) -> str | None:
    try:
        return Path(path).read_text().strip()
    except OSError:
        return None


def diagnose(rootfs: Path, scratch: Path, *, live: bool = True) -> list[Finding]:
    """Every precondition of the userns sandbox and of the bwrap fallback, checked; never raises.

    The last two findings say whether the bwrap fallback works here and which backend an
    attempt would use.
    """
    out: list[Finding] = []
    root = os.geteuid() == 0
    out.append(
        Finding(
            "root",
            root,
            "running as root (needed to map the sandbox's unprivileged id range)"
            if root
            else "not root: the userns sandbox maps ids 100000-165535 and needs root for that",
        )
    )
    max_ns = _read("/proc/sys/user/max_user_namespaces")
    userns = max_ns is not None and max_ns.isdigit() and int(max_ns) > 0
    out.append(
        Finding(
            "user namespaces",
            userns,
            f"max_user_namespaces = {max_ns}" if max_ns is not None else "no user namespaces",
        )
    )
    fs = _read("/proc/filesystems") or ""
    overlay = "overlay" in fs
    out.append(Finding("overlayfs", overlay, "available" if overlay else "not in the kernel"))
    try:
        hierarchies = v1_hierarchies()
    except OSError:
        hierarchies = {}
    limits = "memory" in hierarchies and "pids" in hierarchies
    out.append(
        Finding(
            "cgroup limits",
            limits,
            "cgroup v1 memory and pids hierarchies: " + ", ".join(sorted(hierarchies))
            if limits
            else "no cgroup v1 memory/pids hierarchy (cgroup v2-only hosts are not supported yet)",
        )
    )
    nsenter = shutil.which("nsenter")
    out.append(Finding("nsenter", nsenter is not None, nsenter or "util-linux's nsenter missing"))
    debootstrap = shutil.which("debootstrap")
    out.append(
        Finding(
            "debootstrap",
            debootstrap is not None,
            debootstrap or "missing: quizzer sandbox prepare cannot build the rootfs",
        )
    )
    st = status(rootfs, UID_BASE)
    out.append(Finding("rootfs", st.ready, f"{rootfs}: {st.detail}"))
    if live and all(f.ok for f in out if f.name != "debootstrap"):
        try:
            with Sandbox(rootfs, scratch) as sb:
                r = sb.run("id -u; hostname; cat /proc/self/uid_map", timeout=10)
            words = r.output.split()
            good = r.returncode == 0 and words[:2] == ["0", "sandbox"] and words[3] != "0"
            out.append(
                Finding(
                    "live sandbox",
                    good,
                    f"root inside maps to host uid {words[3]}" if good else r.output.strip(),
                )
            )
        except (SandboxError, OSError, IndexError) as e:
            out.append(Finding("live sandbox", False, str(e)))
    out.append(_bwrap_finding(live=live))
    try:
        backend = choose_backend(rootfs)
        detail = {
            "userns": "userns: the prepared rootfs, every hands-on task",
            "bwrap": "bwrap: the read-only host root; tasks marked needs_rootfs cannot run",
        }[backend]
        out.append(Finding("backend", True, detail))
    except SandboxError as e:
        out.append(Finding("backend", False, str(e)))
    return out


def _bwrap_finding(*, live: bool) -> Finding:
    """Whether the bwrap fallback is usable here (started for real when ``live``)."""
    binary = bwrap_path()
    if binary is None:
        return Finding(
            "bwrap fallback", False, "bwrap is not installed (apt-get install bubblewrap)"
        )
    enabled, why = userns_enabled()
    if not enabled:
        return Finding("bwrap fallback", False, why)
    if not live:
        return Finding("bwrap fallback", True, f"{binary} (not started)")
    ok, detail = bwrap_usable()
    return Finding("bwrap fallback", ok, detail)
