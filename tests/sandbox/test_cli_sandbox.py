"""``quizzer check`` and ``quizzer sandbox doctor`` as a learner runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def quizzer(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "quizzer", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_passes_fails_and_errors(rootfs: Path) -> None:
    good = quizzer("check", "352.1-handson-netns-create", stdin="ip netns add blue\n")
    assert good.returncode == 0, good.stderr
    verdict = json.loads(good.stdout)
    assert verdict["passed"] is True
    assert verdict["score"] == 1.0
    assert verdict["checks"][0]["passed"] is True
    assert set(verdict["timings_ms"]) >= {"create", "commands", "checks", "teardown"}
    bad = quizzer("check", "352.1-handson-netns-create", stdin="ip netns add red\n")
    assert bad.returncode == 1
    failed = json.loads(bad.stdout)["checks"][0]
    assert failed["passed"] is False
    assert "blue" in failed["message"]
    unknown = quizzer("check", "352.1-no-such-question", stdin="true\n")
    assert unknown.returncode == 2
    assert "no question" in unknown.stderr
    knowledge = quizzer("check", "352.1-lsns-pid-type", stdin="true\n")
    assert knowledge.returncode == 2
    assert "not a hands-on" in knowledge.stderr


def test_check_reads_a_commands_file(rootfs: Path, tmp_path: Path) -> None:
    script = tmp_path / "answer.sh"
    script.write_text("unshare --pid --fork sleep 1000 &\n")
    r = quizzer("check", "352.1-handson-pid-ns", "--commands", str(script))
    assert r.returncode == 0, r.stdout + r.stderr


def test_doctor_reports_every_precondition(rootfs: Path) -> None:
    r = quizzer("sandbox", "doctor", "--format", "json")
    findings = {f["name"]: f for f in json.loads(r.stdout)}
    assert {
        "root",
        "user namespaces",
        "overlayfs",
        "cgroup limits",
        "rootfs",
        "live sandbox",
    } <= set(findings)
    assert findings["live sandbox"]["ok"], findings["live sandbox"]["detail"]
    assert r.returncode == 0


def test_doctor_explains_a_missing_rootfs_instead_of_crashing(tmp_path: Path) -> None:
    r = subprocess.run(
        [sys.executable, "-m", "quizzer", "sandbox", "doctor"],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
            "QUIZZER_ROOTFS": str(tmp_path / "none"),
            "QUIZZER_HOME": str(tmp_path),
        },
    )
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    assert "NO  rootfs" in r.stdout
    assert "quizzer sandbox prepare" in r.stdout
