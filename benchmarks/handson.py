"""A hands-on attempt, end to end, against bare ``unshare`` and against ``runc run``.

The attempt is ``352.1-handson-netns-create`` graded for real: a fresh sandbox (namespaces,
cgroups, overlay rootfs), the learner's command ``ip netns add blue``, the check, teardown.
Baselines in the same run: ``unshare`` of the same namespaces running ``true`` (the floor of
any namespace sandbox), and ``runc run`` of a bundle on the same rootfs running the same
command. Also the same attempt on the bwrap fallback (host root read-only, no rootfs needed),
and the *warm* attempt the TUI makes: its sandbox is created and set up while the learner
types, so the wait after ctrl+r is the commands and the checks (teardown follows the verdict).
Needs root and a prepared rootfs (``quizzer sandbox prepare``). The last line is JSON.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from quizzer import paths  # noqa: E402
from quizzer.sandbox.engine import UID_BASE  # noqa: E402
from quizzer.sandbox.grading import Check, Session, Task, attempt  # noqa: E402
from quizzer.sandbox.rootfs import status  # noqa: E402

RUNS = 40
GOAL_UNSHARE = 3.0
GOAL_RUNC = 10.0
COMMAND = "ip netns add blue"
TASK = Task(
    "352.1-handson-netns-create",
    "",
    (Check("blue", "blue exists", "ip netns list | grep -qw blue", 1, "no blue"),),
    30,
)


def median_ms(fn, runs: int = RUNS) -> float:
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples)


def main() -> None:
    if os.geteuid() != 0:
        print(json.dumps({"name": "handson", "ok": False, "error": "needs root"}))
        return
    rootfs = paths.rootfs_dir()
    if not status(rootfs, UID_BASE).ready:
        print(json.dumps({"name": "handson", "ok": False, "error": "no rootfs: prepare first"}))
        return
    scratch = paths.sandbox_scratch_dir()

    def ours() -> None:
        result = attempt(TASK, COMMAND, rootfs, scratch, backend="userns")
        assert result.passed, result.to_dict()

    def bwrap() -> None:
        result = attempt(TASK, COMMAND, rootfs, scratch, backend="bwrap")
        assert result.passed, result.to_dict()

    unshare = [
        "unshare",
        "--user",
        "--mount",
        "--uts",
        "--ipc",
        "--net",
        "--pid",
        "--cgroup",
        "--fork",
        "true",
    ]

    def bare() -> None:
        subprocess.run(unshare, check=True)

    # The same namespaces doing the same work: the command and the check (a tmpfs on /run
    # stands in for the sandbox's writable /run). The floor for any sandbox doing this task.
    same_work = [
        *unshare[:1],
        "--map-root-user",
        *unshare[1:-1],
        "sh",
        "-c",
        f"mount -t tmpfs tmpfs /run && {COMMAND} && "
        f"timeout -s KILL 10 sh -c {json.dumps(TASK.checks[0].test)}",
    ]

    def bare_same_work() -> None:
        subprocess.run(same_work, check=True)

    def warm_ms() -> float:
        """The verdict's wait in a sandbox made ahead (its creation and teardown not timed)."""
        samples = []
        for _ in range(RUNS):
            with Session(TASK, rootfs, scratch, backend="userns") as session:
                t = time.perf_counter()
                result = session.grade(COMMAND)
                samples.append((time.perf_counter() - t) * 1000)
                assert result.passed, result.to_dict()
        return statistics.median(samples)

    with tempfile.TemporaryDirectory(dir="/var/tmp") as tmp:
        bundle = Path(tmp)
        (bundle / "rootfs").symlink_to(rootfs)
        subprocess.run(["runc", "spec"], cwd=bundle, check=True)
        config = json.loads((bundle / "config.json").read_text())
        config["process"]["terminal"] = False
        config["process"]["args"] = ["/bin/sh", "-c", COMMAND]
        config["root"] = {"path": str(rootfs), "readonly": True}
        (bundle / "config.json").write_text(json.dumps(config))
        state = bundle / "state"

        def runc() -> None:
            subprocess.run(
                ["runc", "--root", str(state), "run", "bench"],
                cwd=bundle,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=False,
            )

        for fn in (ours, bwrap, bare, bare_same_work, runc):  # warm up every path once
            fn()
        t_bare = median_ms(bare)
        t_same = median_ms(bare_same_work)
        t_runc = median_ms(runc)
        t_ours = median_ms(ours)
        t_bwrap = median_ms(bwrap)
        t_warm = warm_ms()
        sample = attempt(TASK, COMMAND, rootfs, scratch, backend="userns").timings
        sample_bwrap = attempt(TASK, COMMAND, rootfs, scratch, backend="bwrap").timings
        shutil.rmtree(state, ignore_errors=True)

    vs_unshare = t_ours / t_bare
    runc_speedup = t_runc / t_ours
    print(f"bare unshare (same namespaces, true):   {t_bare:7.1f} ms (median of {RUNS})")
    print(f"bare unshare doing the same command and check: {t_same:7.1f} ms")
    print(f"runc run (same rootfs, same command):   {t_runc:7.1f} ms")
    print(f"quizzer attempt (create+command+check+teardown): {t_ours:7.1f} ms")
    print(f"the same attempt on the bwrap fallback: {t_bwrap:7.1f} ms")
    print(f"warm attempt (sandbox made ahead; command+check): {t_warm:7.1f} ms")
    for name, timings in (("userns", sample), ("bwrap", sample_bwrap)):
        phases = ", ".join(f"{k} {v * 1000:.1f}" for k, v in timings.items())
        print(f"one {name} attempt's phases (ms): {phases}")
    print(
        json.dumps(
            {
                "name": "handson",
                "attempt_ms": round(t_ours, 2),
                "unshare_ms": round(t_bare, 2),
                "runc_ms": round(t_runc, 2),
                "bwrap_attempt_ms": round(t_bwrap, 2),
                "bwrap_vs_userns": round(t_bwrap / t_ours, 2),
                "unshare_same_work_ms": round(t_same, 2),
                "ratio_vs_unshare_same_work": round(t_ours / t_same, 2),
                "warm_attempt_ms": round(t_warm, 2),
                "warm_ratio_vs_unshare": round(t_warm / t_bare, 2),
                "warm_speedup_vs_runc": round(t_runc / t_warm, 2),
                "ratio_vs_unshare": round(vs_unshare, 2),
                "speedup_vs_runc": round(runc_speedup, 2),
                "goal": {"ratio_vs_unshare_max": GOAL_UNSHARE, "speedup_vs_runc_min": GOAL_RUNC},
                "ok": vs_unshare <= GOAL_UNSHARE and runc_speedup >= GOAL_RUNC,
            }
        )
    )


if __name__ == "__main__":
    main()
