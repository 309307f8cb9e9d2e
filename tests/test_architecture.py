"""The layering of DESIGN.md section 2, enforced: import contracts, and headless imports.

The contracts live in pyproject.toml ([tool.importlinter]). One test runs them on the real
package; another copies the package, plants a forbidden import and proves the contracts catch it.
"""

from __future__ import annotations

import os
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import quizzer

REPO = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def run_lint_imports(cwd: Path, pythonpath: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_import_contracts_are_kept() -> None:
    r = run_lint_imports(REPO, REPO)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Contracts: 4 kept, 0 broken." in r.stdout


@pytest.mark.parametrize(
    ("module", "planted", "contract"),
    [
        ("quizzer/bank/planted.py", "import textual\n", "Nothing below the TUI imports Textual"),
        ("quizzer/bank/planted.py", "import quizzer.services\n", "Arrows point down"),
        (
            "quizzer/tui/planted.py",
            "import quizzer.bank.loader\n",
            "UIs (TUI, plain mode, CLI) reach the domain only through services",
        ),
        (
            "quizzer/learning/planted.py",
            "import sqlalchemy\n",
            "The learning model is pure: no database, no YAML, no processes",
        ),
        ("quizzer/learning/planted.py", "import quizzer.storage\n", "Arrows point down"),
        (
            "quizzer/plain_planted.py",
            "import quizzer.storage.repository\n",
            "UIs (TUI, plain mode, CLI) reach the domain only through services",
        ),
        ("quizzer/services/planted.py", "import quizzer.cli\n", "Arrows point down"),
    ],
)
def test_contracts_fail_when_a_forbidden_import_is_added(
    tmp_path: Path, module: str, planted: str, contract: str
) -> None:
    shutil.copytree(
        REPO / "quizzer", tmp_path / "quizzer", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / module
    if module.endswith("_planted.py"):  # a planted import inside an existing module
        target = tmp_path / module.replace("_planted", "")
        target.write_text(target.read_text() + "\n" + planted)
    else:
        target.write_text(planted)
    r = run_lint_imports(tmp_path, tmp_path)
    assert r.returncode != 0, r.stdout
    assert contract in r.stdout.split("Broken contracts")[-1]


def headless_modules() -> list[str]:
    names = ["quizzer"]
    for info in pkgutil.walk_packages(quizzer.__path__, "quizzer."):
        if not info.name.startswith("quizzer.tui"):
            names.append(info.name)
    return names


def loaded_after(imports: list[str], prefixes: tuple[str, ...]) -> list[str]:
    """The modules starting with ``prefixes`` that a fresh interpreter holds after ``imports``."""
    code = (
        "import importlib, sys\n"
        f"for name in {imports!r}:\n"
        "    importlib.import_module(name)\n"
        f"print('\\n'.join(sorted(m for m in sys.modules if m.startswith({prefixes!r}))))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout.split()


def test_headless_modules_never_load_textual() -> None:
    mods = headless_modules()
    assert {"quizzer.services", "quizzer.cli", "quizzer.bank.loader"} <= set(mods)
    bad = [
        m for m in loaded_after(mods, ("textual", "rich")) if m.split(".")[0] in ("textual", "rich")
    ]
    assert bad == [], f"headless import pulled in: {bad}"


def test_importing_the_package_does_no_work() -> None:
    """No bank load, no database, no Textual when `import quizzer` runs (elia's mistake)."""
    assert loaded_after(["quizzer"], ("quizzer.", "yaml", "sqlalchemy", "textual")) == []


def test_the_first_screen_needs_no_schema_database_or_sandbox() -> None:
    """The TUI draws its home screen before pydantic, SQLAlchemy, YAML or the sandbox load.

    Those cost about 0.25 s of start-up together; the home screen loads them in a worker
    after the first frame (benchmarks/tui_start.py measures the effect).
    """
    heavy = ("pydantic", "sqlalchemy", "sqlmodel", "yaml", "quizzer.sandbox", "quizzer.reports")
    heavy += ("quizzer.bank.models",)
    loaded = loaded_after(["quizzer.services", "quizzer.tui.app"], heavy)
    assert loaded == [], f"start-up imports: {loaded}"


def test_lazy_bank_names_resolve() -> None:
    """Every name the bank package exports lazily exists (a typo would only show at use)."""
    import quizzer.bank as bank
    import quizzer.services as services

    for name in bank.__all__:
        assert getattr(bank, name) is not None, name
    for name in services.__all__:
        assert getattr(services, name) is not None, name
