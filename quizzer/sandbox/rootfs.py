"""The sandbox's root file system: built once with debootstrap, shifted into the sandbox's ids.

``prepare`` runs ``debootstrap --variant=minbase`` with the learner's tools into a staging
directory, cleans the apt caches, then shifts the owner of every file by the sandbox's uid base
(100000) so that, seen through the user namespace, root owns the system files and can change
them in its overlay while on the host they belong to an unprivileged id. Set-id bits, which
``chown`` clears, are restored. The result is renamed into place only when complete, with a
stamp recording what it holds, so an interrupted build is never mistaken for a good one.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "PACKAGES",
    "RootfsError",
    "RootfsStatus",
    "configure",
    "prepare",
    "shift_ownership",
    "status",
]

SUITE = "bookworm"
MIRROR = "http://deb.debian.org/debian"
PACKAGES = (
    "iproute2",
    "util-linux",
    "libcap2-bin",
    "libcap-ng-utils",
    "cgroup-tools",
    "procps",
    "busybox-static",
    "runc",
    "lxc",
    "iptables",
    "iputils-ping",
    "docker.io",
)
STAMP = ".quizzer-rootfs.json"
FORMAT = 1


class RootfsError(Exception):
    """The rootfs cannot be built here; the message says why and what to do."""


@dataclass(frozen=True)
class RootfsStatus:
    """Whether a usable rootfs exists."""

    path: Path
    ready: bool
    detail: str


def status(path: Path, uid_base: int) -> RootfsStatus:
    """Is the rootfs at ``path`` complete and shifted to ``uid_base``?"""
    stamp = path / STAMP
    if not stamp.exists():
        return RootfsStatus(path, False, "not built (quizzer sandbox prepare)")
    try:
        data = json.loads(stamp.read_text())
    except (OSError, ValueError):
        return RootfsStatus(path, False, "stamp unreadable: rebuild with quizzer sandbox prepare")
    if data.get("format") != FORMAT or data.get("uid_base") != uid_base:
        return RootfsStatus(path, False, "built by another quizzer version: prepare again")
    missing = [p for p in data.get("packages", []) if p not in PACKAGES]
    if set(PACKAGES) - set(data.get("packages", [])) or missing:
        return RootfsStatus(path, False, "the package list changed: prepare again")
    return RootfsStatus(path, True, f"ready ({data.get('size_mb', '?')} MB, {data.get('built')})")


def shift_ownership(root: Path, uid_base: int) -> int:
    """Add ``uid_base`` to the owner and group of every entry below ``root``; returns a count."""
    count = 0
    for dirpath, dirnames, filenames in os.walk(root, topdown=True):
        for name in [*dirnames, *filenames, None]:
            path = Path(dirpath) if name is None else Path(dirpath) / name
            st = path.lstat()
            if st.st_uid >= uid_base and st.st_gid >= uid_base:
                continue
            os.lchown(path, st.st_uid + uid_base, st.st_gid + uid_base)
            if not stat.S_ISLNK(st.st_mode) and st.st_mode & (stat.S_ISUID | stat.S_ISGID):
                os.chmod(path, stat.S_IMODE(st.st_mode))
            count += 1
    return count


LXC_DEFAULT = """\
# quizzer sandbox: no bridge and no AppArmor exist in here, so containers get no network
# unless the learner configures one, and run unconfined.
lxc.net.0.type = empty
lxc.apparmor.profile = unconfined
"""


def configure(root: Path) -> None:
    """Adjust the fresh rootfs for life inside the sandbox."""
    (root / "etc/lxc").mkdir(parents=True, exist_ok=True)
    (root / "etc/lxc/default.conf").write_text(LXC_DEFAULT)
    (root / "etc/hostname").write_text("sandbox\n")
    (root / "etc/hosts").write_text("127.0.0.1 localhost sandbox\n::1 localhost\n")


def prepare(
    path: Path,
    uid_base: int,
    *,
    progress: Callable[[str], None] = lambda _line: None,
    mirror: str = MIRROR,
) -> RootfsStatus:
    """Build the rootfs at ``path`` (idempotent: a ready rootfs is kept)."""
    current = status(path, uid_base)
    if current.ready:
        progress(f"rootfs already prepared at {path}")
        return current
    if os.geteuid() != 0:
        raise RootfsError(
            "building the sandbox rootfs needs root (debootstrap and id shifting); "
            "run quizzer sandbox prepare as root"
        )
    debootstrap = shutil.which("debootstrap")
    if debootstrap is None:
        raise RootfsError("debootstrap is not installed (apt-get install debootstrap)")
    staging = path.with_name(path.name + ".staging")
    if staging.exists():
        shutil.rmtree(staging)
    staging.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    cmd = [
        debootstrap,
        "--variant=minbase",
        f"--include={','.join(PACKAGES)}",
        SUITE,
        str(staging),
        mirror,
    ]
    progress("debootstrap " + SUITE + " with " + ", ".join(PACKAGES))
    with subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    ) as proc:
        assert proc.stdout is not None
        tail: list[str] = []
        for line in proc.stdout:
            line = line.rstrip()
            tail = [*tail[-20:], line]
            progress(line)
        code = proc.wait()
    if code != 0:
        shutil.rmtree(staging, ignore_errors=True)
        raise RootfsError("debootstrap failed: " + (tail[-1] if tail else f"exit {code}"))
    for cache in ("var/cache/apt/archives", "var/lib/apt/lists"):
        for entry in (staging / cache).glob("*"):
            if entry.is_file():
                entry.unlink()
    configure(staging)
    progress("shifting ownership into the sandbox's id range")
    shift_ownership(staging, uid_base)
    size_mb = int(sum(p.lstat().st_size for p in staging.rglob("*") if not p.is_symlink()) / 2**20)
    stamp = {
        "format": FORMAT,
        "uid_base": uid_base,
        "suite": SUITE,
        "packages": list(PACKAGES),
        "built": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
        "seconds": round(time.monotonic() - started, 1),
        "size_mb": size_mb,
    }
    (staging / STAMP).write_text(json.dumps(stamp, indent=1))
    if path.exists():
        shutil.rmtree(path)
    staging.rename(path)
    progress(f"rootfs ready at {path} ({size_mb} MB in {stamp['seconds']} s)")
    return status(path, uid_base)
