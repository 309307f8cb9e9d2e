"""The bwrap fallback, for real: the bank's tasks it hosts, the ones it refuses, the choice of
backend, and the same attacks as test_isolation.py (section 4.4 of the feasibility study).

bwrap has no cgroups: processes are bounded by RLIMIT_NPROC on the sandbox's host uid, memory
per process by RLIMIT_DATA, files by sized tmpfs mounts. The host's root is visible read-only,
so host files readable by that uid (``nobody`` when root runs quizzer) are readable inside:
the tests check that they stay unwritable and that private ones stay unreadable.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_handson_bank import HANDSON, task_of
from test_isolation import (
    assert_kernel_interfaces_blocked,
    host,
    mountpoints,
    processes_matching,
    sysctls,
)

from quizzer.bank import HandsOnQuestion
from quizzer.sandbox.backends import ENV_VAR, NEEDS_ROOTFS, choose_backend
from quizzer.sandbox.bwrap import BwrapSandbox
from quizzer.sandbox.engine import SandboxError
from quizzer.sandbox.grading import Task, attempt, run_attempt

NOWHERE = Path("/nonexistent/quizzer-rootfs")
HOSTED = [q for q in HANDSON if not q.needs_rootfs]
REFUSED = [q for q in HANDSON if q.needs_rootfs]


def bwrap_attempt(question: HandsOnQuestion, commands: str):
    return attempt(task_of(question), commands, NOWHERE, NOWHERE, backend="bwrap")


# ---------------------------------------------------------------------------------- the bank
@pytest.mark.parametrize("question", HOSTED, ids=[q.id for q in HOSTED])
def test_hosted_question_passes_with_its_solution_and_fails_idle(question, bwrap) -> None:
    good = bwrap_attempt(question, question.solution)
    assert good.error is None, good.error
    assert good.backend == "bwrap"
    failed = [c.id for c in good.checks if not c.passed]
    assert good.passed, f"solution fails {failed} under bwrap; output:\n{good.output}"
    idle = bwrap_attempt(question, "true")
    assert idle.error is None, idle.error
    assert not idle.passed, "the checks pass without doing anything"


@pytest.mark.parametrize("question", REFUSED, ids=[q.id for q in REFUSED])
def test_refused_question_says_it_needs_the_prepared_sandbox(question, bwrap) -> None:
    started = time.monotonic()
    result = bwrap_attempt(question, question.solution)
    assert result.error == NEEDS_ROOTFS
    assert result.backend == "bwrap"
    assert not result.passed
    assert result.checks == ()
    assert "create" not in result.timings  # no sandbox was started
    assert time.monotonic() - started < 0.5


HONESTY = [q for q in REFUSED if q.engine != "docker"]


@pytest.mark.parametrize("question", HONESTY, ids=[q.id for q in HONESTY])
def test_needs_rootfs_is_only_set_where_bwrap_really_fails(question, bwrap) -> None:
    """Run the refused solution anyway: if it ever passes, the mark is stale."""
    task = task_of(question)
    unmarked = Task(task.id, task.setup, task.checks, task.timeout, task.engine)
    with BwrapSandbox(hostname=task.hostname) as sb:
        result = run_attempt(sb, unmarked, question.solution)
    assert not result.passed, "bwrap hosts this task: drop needs_rootfs"


def test_every_docker_task_needs_the_rootfs() -> None:
    """dockerd is neither on the host nor startable over a read-only /var/lib."""
    docker = [q.id for q in HANDSON if q.engine == "docker"]
    assert docker
    assert [q for q in docker if q not in {r.id for r in REFUSED}] == []


def test_enough_questions_run_under_bwrap() -> None:
    assert len(HOSTED) >= 12


def test_a_tool_missing_on_the_host_is_a_clear_error(bwrap) -> None:
    task = Task("x", "", task_of(HOSTED[0]).checks, requires=("ip", "qz-no-such-tool"))
    result = attempt(task, "true", NOWHERE, NOWHERE, backend="bwrap")
    assert result.error is not None
    assert "qz-no-such-tool" in result.error
    assert "ip," not in result.error
    assert "quizzer sandbox prepare" in result.error


# ---------------------------------------------------------------------------------- backends
NETNS = next(q for q in HANDSON if q.id == "352.1-handson-netns-create")


def test_a_missing_rootfs_picks_bwrap(bwrap, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert choose_backend(NOWHERE) == "bwrap"
    result = attempt(task_of(NETNS), NETNS.solution, NOWHERE, NOWHERE)
    assert result.backend == "bwrap"
    assert result.passed, result.to_dict()


def test_a_prepared_rootfs_picks_userns(rootfs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert choose_backend(rootfs) == "userns"


def test_the_env_var_forces_a_backend(
    rootfs: Path, scratch: Path, bwrap, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_VAR, "bwrap")
    assert choose_backend(rootfs) == "bwrap"
    forced = attempt(task_of(NETNS), NETNS.solution, rootfs, scratch)
    assert (forced.backend, forced.passed) == ("bwrap", True)
    monkeypatch.setenv(ENV_VAR, "userns")
    assert choose_backend(NOWHERE) == "userns"
    userns = attempt(task_of(NETNS), NETNS.solution, rootfs, scratch)
    assert (userns.backend, userns.passed) == ("userns", True)
    monkeypatch.setenv(ENV_VAR, "docker")
    with pytest.raises(SandboxError, match="must be userns or bwrap"):
        choose_backend(rootfs)
    bad = attempt(task_of(NETNS), NETNS.solution, rootfs, scratch)
    assert bad.error is not None
    assert "must be userns or bwrap" in bad.error


def test_check_and_doctor_name_the_bwrap_backend(bwrap, tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
        "QUIZZER_ROOTFS": str(tmp_path / "none"),
        "QUIZZER_HOME": str(tmp_path),
    }

    def quizzer(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "quizzer", *args],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
        )

    good = quizzer("check", NETNS.id, stdin="ip netns add blue\n")
    assert good.returncode == 0, good.stdout + good.stderr
    assert json.loads(good.stdout)["backend"] == "bwrap"
    refused = quizzer("check", REFUSED[0].id, stdin="true\n")
    assert refused.returncode == 2
    assert json.loads(refused.stdout)["error"] == NEEDS_ROOTFS
    doctor = quizzer("sandbox", "doctor", "--format", "json")
    findings = {f["name"]: f for f in json.loads(doctor.stdout)}
    assert findings["bwrap fallback"]["ok"], findings["bwrap fallback"]["detail"]
    assert findings["backend"]["detail"].startswith("bwrap")


# ---------------------------------------------------------------------------------- attacks
@pytest.fixture
def sb(bwrap) -> Iterator[BwrapSandbox]:
    with BwrapSandbox(memory_bytes=256 * 2**20, pids_max=64) as box:
        yield box


def sandbox_pids(sb: BwrapSandbox) -> list[int]:
    """Host pids of every process in the sandbox's PID namespace."""
    assert sb.init is not None
    ns = os.readlink(f"/proc/{sb.init}/ns/pid")
    found = []
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                if os.readlink(f"/proc/{p}/ns/pid") == ns:
                    found.append(int(p))
            except OSError:
                continue
    return found


def host_uids(pid: int) -> list[int]:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Uid:"):
            return [int(u) for u in line.split()[1:]]
    raise AssertionError("no Uid line")


def test_root_inside_is_never_host_root(sb: BwrapSandbox) -> None:
    r = sb.run("id -u; cat /proc/self/uid_map; sleep 1000 & sleep 0.2; echo started")
    lines = r.output.split("\n")
    assert lines[0] == "0"
    assert lines[1].split() == ["0", str(sb.uid), "1"]
    assert sb.uid != 0
    assert sb.proc is not None
    pids = [sb.proc.pid, *sandbox_pids(sb)]
    assert len(pids) >= 3  # bwrap, init, the background sleep
    for pid in pids:
        assert 0 not in host_uids(pid), f"pid {pid} runs as host root"
    assert all(host_uids(pid) == [sb.uid] * 4 for pid in pids)


def test_host_files_are_read_only_and_private_ones_unreadable(sb: BwrapSandbox) -> None:
    private = Path("/var/lib") / f"qz-private-{secrets.token_hex(6)}"
    public = Path("/var/lib") / f"qz-public-{secrets.token_hex(6)}"
    private.write_text("host-secret")
    private.chmod(0o600)
    public.write_text("host-public")
    public.chmod(0o666)  # even a world-writable host file stays read-only inside
    tmp_marker = Path("/tmp") / f"qz-host-tmp-{secrets.token_hex(6)}"
    tmp_secret = secrets.token_hex(8)
    tmp_marker.write_text(tmp_secret)
    passwd = Path("/etc/passwd").read_bytes()
    try:
        r = sb.run(
            f"cat {private}; echo evil >> {public}; echo evil:x:0:0::/:/bin/sh >> /etc/passwd; "
            f"touch /usr/bin/qz-evil /etc/qz-evil; cat {tmp_marker}; head -c1 /etc/shadow; "
            "echo x > /root/inside && echo x > /tmp/inside && echo writable"
        )
        assert "host-secret" not in r.output
        assert tmp_secret not in r.output  # /tmp inside is its own tmpfs
        assert r.output.count("Read-only file system") >= 3
        assert "writable" in r.output
        assert public.read_text() == "host-public"
        assert Path("/etc/passwd").read_bytes() == passwd
        assert not Path("/usr/bin/qz-evil").exists()
        assert not Path("/etc/qz-evil").exists()
        assert not Path("/tmp/inside").exists()
        assert not Path("/root/inside").exists()
    finally:
        for p in (private, public, tmp_marker):
            p.unlink()


def test_privileged_kernel_interfaces_are_blocked(sb: BwrapSandbox) -> None:
    assert_kernel_interfaces_blocked(sb, {"dev write": "touch /dev/qz-evil"})


def test_namespaced_sysctls_and_hostname_change_only_the_sandbox(sb: BwrapSandbox) -> None:
    before = sysctls()
    hostname = socket.gethostname()
    value = "0" if before["net/ipv4/ip_forward"].strip() == "1" else "1"
    r = sb.run(
        "{ echo evil > /proc/sys/kernel/hostname; } 2>/dev/null;"  # refused: host-owned sysctl file
        f"echo {value} > /proc/sys/net/ipv4/ip_forward && hostname evil2 && domainname evil"
        " && hostname && cat /proc/sys/net/ipv4/ip_forward"
    )
    assert r.output.split() == ["evil2", value], r.output
    assert sysctls() == before
    assert socket.gethostname() == hostname


def test_network_changes_stay_inside(sb: BwrapSandbox) -> None:
    links = host("ip -o link show | cut -d: -f2")
    netns = host("ip netns list")
    run_netns = set(os.listdir("/run/netns")) if os.path.isdir("/run/netns") else set()
    r = sb.run(
        "ip netns add evil && ip link add qz0 type veth peer name qz1 && "
        "ip link set qz1 netns evil && ip link add br-evil type bridge && "
        "ip link set qz0 master br-evil && ip link set br-evil up && echo ok"
    )
    assert r.output.strip().endswith("ok"), r.output
    assert "br-evil" in sb.run("ls /sys/class/net").output  # its own sysfs, not the host's
    assert sb.run("ping -c1 -W1 1.1.1.1").returncode != 0  # no way out
    assert sb.run("ls /run/docker.sock /run/containerd 2>&1").returncode != 0
    assert host("ip -o link show | cut -d: -f2") == links
    assert host("ip netns list") == netns
    now = set(os.listdir("/run/netns")) if os.path.isdir("/run/netns") else set()
    assert now == run_netns


def test_mounts_inside_do_not_appear_on_the_host(sb: BwrapSandbox) -> None:
    before = mountpoints()
    r = sb.run("mkdir -p /mnt/x && mount -t tmpfs t /mnt/x && mount --bind /etc /mnt/x && echo ok")
    assert r.output.strip() == "ok", r.output
    assert mountpoints() == before


def test_a_fork_bomb_is_bounded_by_the_process_limit(sb: BwrapSandbox) -> None:
    results = []
    bomb = threading.Thread(
        target=lambda: results.append(sb.run("bomb() { bomb | bomb & }; bomb; sleep 3", timeout=8))
    )
    bomb.start()
    peak, seen = 0, set()
    deadline = time.monotonic() + 2.5
    while time.monotonic() < deadline:
        pids = sandbox_pids(sb)
        peak = max(peak, len(pids))
        seen.update(pids)
        time.sleep(0.01)
    assert host("echo host-alive").strip() == "host-alive"  # the host can still fork
    bomb.join()
    assert peak <= sb.nproc, f"{peak} processes, limit {sb.nproc}"
    assert peak > sb.nproc // 2, f"the bomb never neared the limit (peak {peak})"
    assert "Cannot fork" in results[0].output  # fork() failed at the limit
    sb.close()  # teardown takes whatever is left down
    time.sleep(0.2)
    assert not any(_alive(p) for p in seen)


def _alive(pid: int) -> bool:
    try:
        return "Z" not in Path(f"/proc/{pid}/stat").read_text().split(")")[1].split()[0]
    except OSError:
        return False


def test_a_memory_hog_fails_inside(sb: BwrapSandbox) -> None:
    # tail keeps the whole (endless) last line: 600 MiB against a 256 MiB per-process limit.
    r = sb.run("head -c 600M /dev/zero | tail -n 1 >/dev/null; echo rc=$?", timeout=60)
    assert "rc=0" not in r.output
    assert "rc=" in r.output
    assert sb.run("echo alive").output.strip() == "alive"


def test_tmpfs_mounts_fill_up_without_touching_the_host(sb: BwrapSandbox) -> None:
    for d in ("/tmp", "/root", "/dev/shm"):
        r = sb.run(f"dd if=/dev/zero of={d}/fill bs=1M count=200", timeout=30)
        assert r.returncode != 0, d
        assert "No space left" in r.output, d


def test_an_endless_loop_times_out_and_output_is_capped(sb: BwrapSandbox) -> None:
    r = sb.run("while :; do :; done", timeout=1)
    assert r.timed_out
    assert r.seconds < 3
    r = sb.run("yes", timeout=10, output_cap=4096)
    assert r.truncated
    assert len(r.output) <= 4096


def test_killing_everything_inside_does_not_kill_the_sandbox(sb: BwrapSandbox) -> None:
    sb.run("kill -9 -1; kill -9 1; kill -TERM 1")
    assert sb.run("echo alive").output.strip() == "alive"


def test_daemons_die_with_the_sandbox(bwrap) -> None:
    tag = str(700000 + secrets.randbelow(99999))
    with BwrapSandbox() as sb:
        sb.run(f"setsid nohup sleep {tag} >/dev/null 2>&1 & (sleep {tag} &) ; echo started")
        assert len(processes_matching(f"sleep {tag}")) == 2
    time.sleep(0.2)
    assert processes_matching(f"sleep {tag}") == []


def test_fifty_cycles_leave_nothing_behind(bwrap) -> None:
    mounts = mountpoints()
    links = host("ip -o link show | cut -d: -f2")
    inits = []
    for _ in range(50):
        with BwrapSandbox(hostname="cycle") as sb:
            sb.run("ip netns add x; ip link add v0 type veth peer name v1; sleep 1000 &")
            inits.append(sb.init)
    time.sleep(0.2)
    assert mountpoints() == mounts
    assert host("ip -o link show | cut -d: -f2") == links
    assert not any(_alive(p) for p in inits if p is not None)
    assert host("ps -eo comm,args | grep -c '^sleep *sleep 1000$'").strip() in ("0", "")
