"""The sandbox under attack: nothing a learner types reaches the host.

After the feasibility study's section 4.4: identity, files, privileged kernel interfaces,
network, mounts, resources, lifecycle, the checker and the terminal. Each test does the harmful
thing for real inside a sandbox, then compares the host's state with what it was before.
Everything host-affecting must be blocked or contained; everything namespaced must work.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import time
from pathlib import Path

import pytest

from quizzer.sandbox.backends import SandboxLike
from quizzer.sandbox.engine import UID_BASE, Sandbox
from quizzer.sandbox.grading import Check, Task, attempt


def processes_matching(text: str) -> list[int]:
    """Host pids whose command line contains ``text``."""
    found = []
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                cmdline = Path(f"/proc/{p}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if cmdline.startswith("sleep ") and text in cmdline:
                found.append(int(p))
    return found


def host(cmd: str) -> str:
    return subprocess.run(["sh", "-c", cmd], capture_output=True, text=True, check=False).stdout


def sysctls() -> dict[str, str]:
    names = ("kernel/hostname", "vm/swappiness", "net/ipv4/ip_forward", "kernel/domainname")
    return {n: Path(f"/proc/sys/{n}").read_text() for n in names}


def mountpoints() -> set[str]:
    return {line.split()[4] for line in Path("/proc/self/mountinfo").read_text().splitlines()}


@pytest.fixture
def sb(rootfs: Path, scratch: Path):
    with Sandbox(rootfs, scratch, memory_bytes=256 * 2**20, pids_max=128) as box:
        yield box


# ---------------------------------------------------------------------------------- identity
def test_root_inside_is_an_unprivileged_host_uid(sb: Sandbox) -> None:
    r = sb.run("id -u; cat /proc/self/uid_map; grep -E '^Cap(Eff|Bnd)' /proc/self/status")
    lines = r.output.split("\n")
    assert lines[0] == "0"
    assert lines[1].split() == ["0", str(UID_BASE), "65536"]
    assert sb.init is not None
    assert os.stat(f"/proc/{sb.init}").st_uid == UID_BASE  # host view: not root
    assert host(f"awk '/^Uid:/ {{print $2}}' /proc/{sb.init}/status").strip() == str(UID_BASE)


# ---------------------------------------------------------------------------------- files
def test_writes_stay_in_the_overlay_and_host_files_are_invisible(
    sb: Sandbox, tmp_path: Path
) -> None:
    marker = Path("/var/tmp") / f"qz-marker-{secrets.token_hex(6)}"
    marker.write_text("host-secret")
    before = Path("/etc/passwd").read_bytes()
    try:
        r = sb.run(
            f"echo evil:x:0:0::/:/bin/sh >> /etc/passwd; cat {marker}; "
            f"find / -xdev -name {marker.name} 2>/dev/null; ls /proc | wc -l"
        )
        assert "host-secret" not in r.output
        assert marker.name not in r.output.replace(f"cat: {marker}", "")
        assert int(r.output.strip().split("\n")[-1]) < 60  # only the sandbox's processes
        assert Path("/etc/passwd").read_bytes() == before
        inside = sb.run("tail -1 /etc/passwd").output.strip()
        assert inside == "evil:x:0:0::/:/bin/sh"
        host_shadow = Path("/etc/shadow").read_text()
        assert sb.run("cat /etc/shadow").output != host_shadow
    finally:
        marker.unlink()


# ---------------------------------------------------------------------------------- kernel
KERNEL_PROBES = {
    "global sysctl": "cat /proc/sys/vm/swappiness > /proc/sys/vm/swappiness",
    "sysctl via fresh proc": "mkdir -p /tmp/p && mount -t proc proc /tmp/p && "
    "cat /tmp/p/sys/vm/swappiness > /tmp/p/sys/vm/swappiness",
    "clock": "date -s '2001-01-01 00:00:00'",
    "block device": "mknod /tmp/sda b 8 0 && head -c1 /tmp/sda",
    "devtmpfs": "mkdir -p /tmp/d && mount -t devtmpfs devtmpfs /tmp/d",
    "sys remount": "mount -o remount,rw /sys && echo 1 > /sys/kernel/mm/ksm/run",
    "sys write": "echo 1 > /sys/kernel/mm/ksm/run",
    "dmesg": "dmesg",
    "kmsg": "head -c1 /dev/kmsg",
    "sysrq": "echo h > /proc/sysrq-trigger",
    "kernel module": "busybox insmod /tmp/x.ko",
    "controlling tty": "echo hi > /dev/tty",
}
"""What no sandbox may do to the host kernel (each must fail)."""


def assert_kernel_interfaces_blocked(sb: SandboxLike, extra: dict[str, str] | None = None) -> None:
    """Every probe fails inside, and the host's sysctls and clock are unchanged after."""
    before = sysctls()
    now = time.time()
    for name, script in {**KERNEL_PROBES, **(extra or {})}.items():
        r = sb.run(script, timeout=10)
        assert r.returncode != 0, f"{name} was allowed: {r.output}"
    assert sysctls() == before
    assert abs(time.time() - now) < 60


def test_privileged_kernel_interfaces_are_blocked(sb: Sandbox) -> None:
    assert_kernel_interfaces_blocked(sb)


# ---------------------------------------------------------------------------------- network
def test_network_changes_stay_inside(sb: Sandbox) -> None:
    links = host("ip -o link show | cut -d: -f2")
    netns = host("ip netns list")
    hostname = socket.gethostname()
    r = sb.run(
        "ip netns add evil && ip link add qz0 type veth peer name qz1 && "
        "ip link set qz1 netns evil && ip link add br-evil type bridge && "
        "iptables -t nat -A POSTROUTING -j MASQUERADE && hostname evil && echo ok"
    )
    assert r.output.strip().endswith("ok"), r.output
    assert sb.run("ping -c1 -W1 1.1.1.1").returncode != 0  # no way out
    assert sb.run("ls /run/docker.sock /var/run/docker.sock /run/containerd 2>&1").returncode != 0
    assert host("ip -o link show | cut -d: -f2") == links
    assert host("ip netns list") == netns
    assert socket.gethostname() == hostname


# ---------------------------------------------------------------------------------- mounts
def test_mounts_inside_do_not_appear_on_the_host(sb: Sandbox) -> None:
    before = mountpoints()
    r = sb.run("mkdir -p /mnt/x && mount -t tmpfs t /mnt/x && mount --bind /etc /mnt/x && echo ok")
    assert r.output.strip() == "ok"
    assert mountpoints() == before


# ---------------------------------------------------------------------------------- resources
def test_a_fork_bomb_is_contained(sb: Sandbox) -> None:
    assert sb.cgroups is not None
    sb.run("bomb() { bomb | bomb & }; bomb", timeout=5)
    time.sleep(1.0)
    pids = sb.cgroups.parents["pids"]
    hits = sum(int((d / "pids.events").read_text().split()[-1]) for d in (pids, pids / "box"))
    assert hits > 0  # fork() failed at the limit
    assert sb.cgroups.pids_current() <= 128
    assert host("echo host-alive").strip() == "host-alive"  # the host can still fork
    parents = list(sb.cgroups.parents.values())
    sb.close()  # teardown takes the whole bomb down
    assert not any(p.exists() for p in parents)


def test_raising_the_delegated_limit_does_not_lift_the_real_one(sb: Sandbox) -> None:
    assert sb.cgroups is not None
    sb.run(
        "echo max > /sys/fs/cgroup/pids/pids.max; echo 1000000000 > /sys/fs/cgroup/pids/pids.max"
    )
    assert (sb.cgroups.parents["pids"] / "pids.max").read_text().strip() == "128"


def test_a_memory_hog_is_killed_inside(sb: Sandbox) -> None:
    assert sb.cgroups is not None
    # tail keeps the whole (endless) last line in memory: 600 MiB against a 256 MiB limit.
    r = sb.run("head -c 600M /dev/zero | tail -n 1 >/dev/null; echo rc=$?", timeout=60)
    assert "rc=137" in r.output  # SIGKILLed by the OOM killer of the sandbox's cgroup
    memory = sb.cgroups.parents["memory"]
    assert int((memory / "memory.max_usage_in_bytes").read_text()) <= 256 * 2**20
    assert sb.run("echo alive").output.strip() == "alive"


def test_an_endless_loop_times_out(sb: Sandbox) -> None:
    r = sb.run("while :; do :; done", timeout=1)
    assert r.timed_out
    assert r.seconds < 3


def test_output_is_capped(sb: Sandbox) -> None:
    r = sb.run("yes", timeout=10, output_cap=4096)
    assert r.truncated
    assert len(r.output) <= 4096


def test_tmpfs_fills_up_without_touching_the_host(sb: Sandbox) -> None:
    r = sb.run("dd if=/dev/zero of=/tmp/fill bs=1M count=200", timeout=30)
    assert r.returncode != 0
    assert "No space left" in r.output


# ---------------------------------------------------------------------------------- lifecycle
def test_daemons_die_with_the_sandbox(rootfs: Path, scratch: Path) -> None:
    tag = str(700000 + secrets.randbelow(99999))
    with Sandbox(rootfs, scratch) as sb:
        sb.run(f"setsid nohup sleep {tag} >/dev/null 2>&1 & (sleep {tag} &) ; echo started")
        assert processes_matching(f"sleep {tag}")
        assert sb.cgroups is not None
        parents = list(sb.cgroups.parents.values())
    time.sleep(0.2)
    assert processes_matching(f"sleep {tag}") == []
    assert not any(p.exists() for p in parents)


def test_the_checker_cannot_be_pointed_at_host_files(rootfs: Path, scratch: Path) -> None:
    marker = Path("/var/tmp") / f"qz-marker-{secrets.token_hex(6)}"
    marker.write_text("host-secret")
    try:
        task = Task(
            "symlink",
            "",
            (
                Check(
                    "read", "reads the planted link", "cat /srv/link | grep -q host-secret", 1, "no"
                ),
            ),
        )
        planted = (
            f"mkdir -p /srv && ln -s {marker} /srv/link; "
            f"ln -s /proc/1/root{marker} /srv/link2; ln -s ../../../../..{marker} /srv/link3"
        )
        result = attempt(task, planted, rootfs, scratch)
        assert result.error is None
        assert not result.passed
        assert "host-secret" not in result.output
    finally:
        marker.unlink()


def test_two_hundred_cycles_leave_nothing_behind(rootfs: Path, scratch: Path) -> None:
    def netns_count() -> int:
        return len(
            {
                os.readlink(f"/proc/{p}/ns/net")
                for p in os.listdir("/proc")
                if p.isdigit()
                if os.path.exists(f"/proc/{p}/ns/net")
            }
        )

    mounts = mountpoints()
    links = host("ip -o link show | cut -d: -f2")
    names = []
    for _ in range(200):
        with Sandbox(rootfs, scratch, hostname="cycle") as sb:
            sb.run("ip netns add x; ip link add v0 type veth peer name v1; sleep 1000 &")
            assert sb.cgroups is not None
            names.append(list(sb.cgroups.parents.values()))
    time.sleep(0.2)
    assert mountpoints() == mounts
    assert host("ip -o link show | cut -d: -f2") == links
    assert not any(p.exists() for paths in names for p in paths)
    assert host("ps -eo comm,args | grep -c '^sleep *sleep 1000$'").strip() in ("0", "")
    assert netns_count() < 200


def test_a_frozen_cgroup_does_not_block_teardown(rootfs: Path, scratch: Path) -> None:
    started = time.monotonic()
    with Sandbox(rootfs, scratch) as sb:
        r = sb.run(
            "mkdir /sys/fs/cgroup/freezer/ice && (sleep 1000 & echo $! > /sys/fs/cgroup/freezer/ice/cgroup.procs) "
            "&& echo FROZEN > /sys/fs/cgroup/freezer/ice/freezer.state && "
            "for i in $(seq 100); do grep -q FROZEN /sys/fs/cgroup/freezer/ice/freezer.state && break; sleep 0.05; done; "
            "cat /sys/fs/cgroup/freezer/ice/freezer.state"
        )
        assert "FROZEN" in r.output
        assert sb.cgroups is not None
        parents = list(sb.cgroups.parents.values())
    assert time.monotonic() - started < 10
    assert not any(p.exists() for p in parents)
