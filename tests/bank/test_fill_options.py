"""Every command option in an accepted fill answer exists in the real tool's --help.

The tools are the ones CI installs (util-linux, iproute2, libcap2-bin, cgroup-tools, runc, lxc
and the docker client). An answer that is an option alone names its command in the question's
``command`` field (``docker build``). Subcommands are resolved against the tool itself, so
``docker volume create -o`` is checked in ``docker volume create --help``.
"""

from __future__ import annotations

import functools
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from quizzer.bank import FillQuestion, load_bank

BANK = Path(__file__).resolve().parents[2] / "questionbank" / "lpic3-305-300"

PACKAGES = {
    "util-linux": ("lsns", "nsenter", "unshare"),
    "iproute2": ("ip",),
    "libcap2-bin": ("capsh", "getcap", "setcap", "getpcaps"),
    "cgroup-tools": ("cgcreate", "cgexec", "cgclassify", "cgget", "cgset", "lscgroup", "lssubsys"),
    "runc": ("runc",),
    "lxc": [
        "lxc-attach",
        "lxc-cgroup",
        "lxc-checkconfig",
        "lxc-console",
        "lxc-copy",
        "lxc-create",
        "lxc-destroy",
        "lxc-execute",
        "lxc-freeze",
        "lxc-info",
        "lxc-ls",
        "lxc-monitor",
        "lxc-snapshot",
        "lxc-start",
        "lxc-stop",
        "lxc-top",
        "lxc-unfreeze",
        "lxc-wait",
        "lxc-autostart",
        "lxc-config",
        "lxc-usernsexec",
    ],
    "docker": ("docker",),
}
TOOL_PACKAGE = {tool: pkg for pkg, tools in PACKAGES.items() for tool in tools}
WITH_SUBCOMMANDS = {"docker": 3, "runc": 1, "ip": 1}
PLUGINS = {"compose", "buildx"}


@functools.cache
def help_text(*argv: str) -> str | None:
    """What a command prints for --help (``ip OBJECT help``), or None if it is not a command."""
    cmd = [*argv, "help"] if argv[0] == "ip" and len(argv) > 1 else [*argv, "--help"]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = r.stdout + r.stderr
    # An unknown docker subcommand (or a plugin not installed) prints the top-level help.
    usage = r"Usage:\s+docker " + re.escape(" ".join(argv[1:]))
    if argv[0] == "docker" and len(argv) > 1 and (r.returncode or not re.search(usage, text)):
        return None
    if argv[0] == "runc" and len(argv) > 1 and "No help topic" in text:
        return None
    return text


def option_present(option: str, text: str) -> bool:
    """True if ``option`` appears in help text as a whole option (``-t`` but not ``-ti``)."""
    return re.search(r"(?<![\w-])" + re.escape(option) + r"(?![\w-])", text) is not None


def command_path(tokens: list[str]) -> list[str]:
    """The tool plus as many leading subcommand words as it really has."""
    tool = tokens[0]
    path = [tool]
    words = [t for t in tokens[1 : 1 + WITH_SUBCOMMANDS.get(tool, 0)]]
    for word in words:
        if not re.fullmatch(r"[a-z][a-z-]*", word):
            break
        if help_text(*path, word) is None:
            break
        path.append(word)
    return path


def options_of(tokens: list[str]) -> list[str]:
    out = []
    for t in tokens[1:]:
        if t == "--":
            break
        if t.startswith("-") and len(t) > 1 and not re.fullmatch(r"-\d+", t):
            out.append(t.split("=", 1)[0])
    return out


def checks() -> dict[str, list[tuple[str, str, list[str], str]]]:
    """Per package: (question id, accepted form, command path, option) to verify."""
    bank = load_bank(BANK)
    found: dict[str, list[tuple[str, str, list[str], str]]] = {p: [] for p in PACKAGES}
    for q in bank:
        if not isinstance(q, FillQuestion):
            continue
        for form in q.accept:
            try:
                tokens = shlex.split(form)
            except ValueError:
                tokens = form.split()
            if not tokens:
                continue
            if tokens[0].startswith("-"):
                if q.command is None:
                    continue
                tokens = q.command.split() + tokens
            tokens[0] = tokens[0].rsplit("/", 1)[-1]
            package = TOOL_PACKAGE.get(tokens[0])
            if package is None or shutil.which(tokens[0]) is None:
                if package is not None:
                    found[package].append((q.id, form, [tokens[0]], "<missing tool>"))
                continue
            path = command_path(tokens)
            if path == ["docker"] and len(tokens) > 1 and tokens[1] in PLUGINS:
                continue  # docker compose / buildx are plugins, not part of the client CI checks
            for option in options_of(tokens[len(path) - 1 :]):
                found[package].append((q.id, form, path, option))
    return found


@functools.cache
def all_checks() -> dict[str, list[tuple[str, str, list[str], str]]]:
    return checks()


def missing(path: list[str], option: str) -> bool:
    texts = [help_text(*path[:i]) or "" for i in range(len(path), 0, -1)]
    if any(option_present(option, t) for t in texts):
        return False
    # A cluster of short flags (-pH) is fine when each flag exists.
    if re.fullmatch(r"-[A-Za-z]{2,}", option):
        return not all(any(option_present(f"-{c}", t) for t in texts) for c in option[1:])
    return True


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_options_in_fill_answers_exist(package: str) -> None:
    tools = [t for t in PACKAGES[package] if shutil.which(t)]
    if not tools:
        pytest.skip(f"{package} is not installed (CI installs it)")
    rows = all_checks()[package]
    absent = sorted({r[2][0] for r in rows if r[3] == "<missing tool>"})
    assert not absent, f"answers use {absent}, which {package} should provide but is not installed"
    bad = [
        f"{qid}: '{form}': {' '.join(path)} has no option {option}"
        for qid, form, path, option in rows
        if missing(path, option)
    ]
    assert not bad, "\n".join(bad)


def test_the_check_covers_the_answers_that_name_options() -> None:
    rows = all_checks()
    if shutil.which("docker") is None or shutil.which("lxc-info") is None:
        pytest.skip("docker client or lxc not installed (CI installs them)")
    # Every package with option answers in the bank is exercised, with real subcommands.
    assert len(rows["docker"]) >= 15
    assert any(path == ["docker", "volume", "create"] for _q, _f, path, _o in rows["docker"])
    assert any(path == ["runc", "delete"] for _q, _f, path, _o in rows["runc"])
    assert rows["lxc"]
    assert rows["util-linux"]
    assert rows["libcap2-bin"]


def test_a_made_up_option_is_caught() -> None:
    if shutil.which("docker") is None:
        pytest.skip("docker client not installed (CI installs it)")
    assert missing(["docker", "run"], "--definitely-not-an-option")
    assert missing(["docker", "build"], "-Z")
    assert not missing(["docker", "run"], "--rm")
    assert not missing(["docker", "build"], "-t")
    assert missing(["lxc-info"], "-pZ")
    assert not missing(["lxc-info"], "-pH")
