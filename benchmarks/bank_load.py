"""Bank load + validation of 10,000 generated questions, against PyYAML's C loader.

Both sides read the same files in the same run; the figure is the ratio of the best of several
runs of each (quizzer's full load: parse, line-aware conversion, pydantic validation and every
cross-check; the baseline: ``yaml.load(..., CSafeLoader)`` of each file, nothing else).
Then a warm start: the same bank from the cache a cold start leaves (``load_bank_cached``),
as a share of the cold load (goal 0.2). The last line is JSON: {"name": "bank_load",
"ratio": ..., "goal": 1.5, "warm_ratio": ..., "ok": ...}.
"""

from __future__ import annotations

import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from quizzer.bank import load_bank, load_bank_cached  # noqa: E402

N_QUESTIONS = 10_000
N_FILES = 20
RUNS = 5
GOAL = 1.5
GOAL_WARM = 0.2
"""A warm start from the cache, as a share of the cold load (DESIGN section 7)."""


def generate(root: Path) -> None:
    exam_src = REPO / "questionbank" / "lpic3-305-300" / "exam.yaml"
    shutil.copy(exam_src, root / "exam.yaml")
    exam = yaml.safe_load(exam_src.read_text())
    objectives = [o for o in exam["objectives"] if o["topic"] == "352"]
    rng = random.Random(305)
    per_file = N_QUESTIONS // N_FILES
    for f in range(N_FILES):
        obj = objectives[f % len(objectives)]
        questions = []
        for i in range(per_file):
            kind = ("single", "multiple", "fill", "single")[i % 4]
            q = {
                "id": f"{obj['id']}-bench-{f}-{i}",
                "objective": obj["id"],
                "knowledge_area": rng.choice(obj["knowledge_areas"])["id"],
                "type": kind,
                "difficulty": rng.randint(1, 5),
                "stem": f"Benchmark question {i} of file {f}: which option does the job? "
                + "Some context about namespaces and cgroups. " * 3,
                "explanation": "Because the first option is the documented one. " * 4,
                "refs": ["notes: 352.1 Understanding Linux Namespaces", "man: unshare(1)"],
                "tags": ["bench"],
            }
            if kind == "fill":
                q["accept"] = ["unshare", "/usr/bin/unshare"]
                q["hint"] = "Specify the command name only."
                q["rules"] = {"strip_path": True}
            else:
                n_correct = 1 if kind == "single" else 2
                q["choices"] = [
                    {
                        "text": f"option {c} for question {i}",
                        "correct": c < n_correct,
                        "why": "A short reason.",
                    }
                    for c in range(5)
                ]
                if kind == "multiple":
                    q["stem"] += " (Choose TWO correct answers.)"
            questions.append(q)
        doc = {"objective": obj["id"], "weight": obj["weight"], "questions": questions}
        (root / f"{obj['id']}-bench-{f:02}.yaml").write_text(
            yaml.safe_dump(doc, sort_keys=False, width=100)
        )


def baseline(root: Path) -> int:
    n = 0
    for path in sorted(root.glob("*.yaml")):
        data = yaml.load(path.read_bytes().decode("utf-8"), Loader=yaml.CSafeLoader)
        if path.name != "exam.yaml":
            n += len(data["questions"])
    return n


def best(fn, *args):  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(RUNS):
        t0 = time.perf_counter()
        result = fn(*args)
        times.append(time.perf_counter() - t0)
    return min(times), result


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate(root)
        size = sum(p.stat().st_size for p in root.glob("*.yaml"))
        best(baseline, root)  # warm the page cache and imports for both sides
        t_base, n_base = best(baseline, root)
        t_ours, bank = best(load_bank, root)
        cache = root / ".cache"
        load_bank_cached(root, cache)  # a cold start writes the cache
        t_warm, warm = best(load_bank_cached, root, cache)
    assert len(bank) == N_QUESTIONS == n_base == len(warm), (len(bank), n_base)
    ratio = t_ours / t_base
    warm_ratio = t_warm / t_ours
    print(f"files: {N_FILES}, questions: {N_QUESTIONS}, bytes: {size}")
    print(f"PyYAML CSafeLoader: {t_base * 1000:.0f} ms (best of {RUNS})")
    print(f"quizzer load_bank:  {t_ours * 1000:.0f} ms (best of {RUNS})")
    print(f"warm start from the bank cache: {t_warm * 1000:.0f} ms ({warm_ratio:.2f}x of cold)")
    print(
        json.dumps(
            {
                "name": "bank_load",
                "ratio": round(ratio, 3),
                "goal": GOAL,
                "ok": ratio <= GOAL and warm_ratio <= GOAL_WARM,
                "warm_ms": round(t_warm * 1000, 1),
                "warm_ratio": round(warm_ratio, 3),
                "warm_goal": GOAL_WARM,
                "baseline_ms": round(t_base * 1000, 1),
                "quizzer_ms": round(t_ours * 1000, 1),
                "questions": N_QUESTIONS,
            }
        )
    )


if __name__ == "__main__":
    main()
