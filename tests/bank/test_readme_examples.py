"""The README's example questions are real: they load against the bundled exam definition."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from quizzer.bank import load_bank

REPO = Path(__file__).resolve().parents[2]


def test_readme_examples_are_valid_questions(tmp_path: Path, bundled_bank: Path) -> None:
    readme = (REPO / "README.md").read_text()
    blocks = [b for b in re.findall(r"```yaml\n(.*?)```", readme, re.DOTALL) if "- id:" in b]
    assert len(blocks) == 4
    shutil.copy(bundled_bank / "exam.yaml", tmp_path / "exam.yaml")
    body = "".join(b.replace("id: 352.1-", "id: 352.1-readme-", 1) for b in blocks)
    (tmp_path / "readme.yaml").write_text("questions:\n" + body)
    bank = load_bank(tmp_path)
    assert [q.type for q in bank] == ["single", "multiple", "fill", "handson"]
