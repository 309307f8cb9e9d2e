"""Resource limits for a sandbox: a cgroup the learner cannot raise, in every v1 hierarchy.

For each attempt quizzer creates ``quizzer-<id>`` below its own cgroup in every cgroup v1
hierarchy, writes the memory and pids limits there (owned by host root), and creates
``quizzer-<id>/box`` owned by the sandbox's host uid. The sandbox runs in ``box`` with its own
cgroup namespace rooted there, so the learner can create child cgroups (``cgcreate``, writing
``pids.max``...) but never raise the limits of the parent that actually binds. On teardown the
subtree is removed depth-first once it is empty.

Hosts with only cgroup v2 controllers are not supported for limits yet (``quizzer sandbox
doctor`` says so); the hybrid v1 layout of Debian 12 VMs is what this was built and tested on.
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["CgroupSet", "v1_hierarchies"]

ROOT = Path("/sys/fs/cgroup")


def v1_hierarchies() -> dict[str, Path]:
    """Each mounted cgroup v1 hierarchy (by its first controller name) -> this process's dir."""
    mounts: dict[str, Path] = {}
    for line in Path("/proc/self/mounts").read_text().splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[2] == "cgroup":
            opts = parts[3].split(",")
            names = [
                o for o in opts if o not in ("rw", "ro", "nosuid", "nodev", "noexec", "relatime")
            ]
            for n in names:
                mounts[n.removeprefix("name=")] = Path(parts[1])
    own: dict[str, str] = {}
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _n, ctrls, path = line.split(":", 2)
        for c in ctrls.split(","):
            if c:
                own[c.removeprefix("name=")] = path
    out: dict[str, Path] = {}
    seen: set[Path] = set()
    for name, mnt in mounts.items():
        if mnt in seen or name not in own:
            continue
        seen.add(mnt)
        out[name] = mnt / own[name].lstrip("/")
    return out


def _dirs_below(top: Path) -> list[Path]:
    """``top`` and every directory under it, parents first (cgroup files are skipped cheaply:
    ``scandir`` knows the entry types without a ``stat`` per file)."""
    out = [top]
    i = 0
    while i < len(out):
        try:
            with os.scandir(out[i]) as entries:
                out.extend(Path(e.path) for e in entries if e.is_dir(follow_symlinks=False))
        except FileNotFoundError:
            pass
        i += 1
    return out


@dataclass
class CgroupSet:
    """The cgroups of one sandbox."""

    name: str
    parents: dict[str, Path] = field(default_factory=dict)
    """Hierarchy -> ``.../quizzer-<id>`` (limits, host-root owned)."""

    @property
    def boxes(self) -> dict[str, Path]:
        """Hierarchy -> ``.../quizzer-<id>/box`` (the sandbox's cgroup namespace root)."""
        return {h: p / "box" for h, p in self.parents.items()}

    @classmethod
    def create(cls, name: str, uid: int, memory_bytes: int, pids_max: int) -> CgroupSet:
        """Create the subtree with its limits in every v1 hierarchy."""
        cg = cls(name)
        try:
            for h, base in v1_hierarchies().items():
                parent = base / name
                box = parent / "box"
                box.mkdir(parents=True, exist_ok=True)
                cg.parents[h] = parent
                if h == "cpuset":
                    for f in ("cpuset.cpus", "cpuset.mems"):
                        value = (base / f).read_text()
                        (parent / f).write_text(value)
                        (box / f).write_text(value)
                if h == "pids":
                    (parent / "pids.max").write_text(str(pids_max))
                if h == "memory":
                    (parent / "memory.limit_in_bytes").write_text(str(memory_bytes))
                    with contextlib.suppress(OSError):  # swap accounting may be off
                        (parent / "memory.memsw.limit_in_bytes").write_text(str(memory_bytes))
                for entry in [box, *box.iterdir()]:
                    os.chown(entry, uid, uid)
        except BaseException:
            cg.remove()
            raise
        return cg

    def join(self, pid: int) -> None:
        """Move a process into every box."""
        for box in self.boxes.values():
            (box / "cgroup.procs").write_text(str(pid))

    def pids_current(self) -> int:
        """Processes in the subtree now (0 once the sandbox is gone)."""
        parent = self.parents.get("pids")
        if parent is None:
            return 0
        try:
            return int((parent / "pids.current").read_text())
        except (OSError, ValueError):
            return 0

    def thaw(self) -> None:
        """Thaw every frozen cgroup below ours: frozen tasks cannot even die from SIGKILL."""
        parent = self.parents.get("freezer")
        if parent is None:
            return
        for d in _dirs_below(parent):
            state = d / "freezer.state"
            with contextlib.suppress(OSError):
                if state.read_text().strip() != "THAWED":
                    state.write_text("THAWED")

    def remove(self, timeout: float = 3.0) -> bool:
        """Remove the subtree depth-first; True when nothing is left."""
        deadline = time.monotonic() + timeout
        for parent in list(self.parents.values()):
            while True:
                try:
                    for d in reversed(_dirs_below(parent)):  # children before parents
                        with contextlib.suppress(FileNotFoundError):
                            d.rmdir()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        return False
                    time.sleep(0.01)
        self.parents.clear()
        return True
