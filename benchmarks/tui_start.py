"""Start-up to first screen: quizzer's app against a minimal Textual app started the same way.

Each side is a fresh Python process that builds its app, runs it headless and reports the
moment its first screen is ready (``on_ready``); the time is measured from just before the
process is spawned, so interpreter start-up and imports count. quizzer's first screen is the
home screen with its layout; the bank then loads in a worker, after the first frame. The
figure is the ratio of the medians; the last line is JSON.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RUNS = 15
GOAL = 1.5

MINIMAL = """
from textual.app import App
from textual.widgets import Footer, Header, Static
class Minimal(App[None]):
    def compose(self):
        yield Header()
        yield Static("hello")
        yield Footer()
    def on_ready(self) -> None:
        import os, time
        print(time.time(), flush=True)
        os._exit(0)
Minimal().run(headless=True)
"""

QUIZZER = """
from quizzer.services import Services
from quizzer.tui.app import QuizzerApp
class Timed(QuizzerApp):
    def on_ready(self) -> None:
        import os, time
        print(time.time(), flush=True)
        os._exit(0)  # the first screen is up; do not wait for the bank-loading worker
Timed(Services()).run(headless=True)
"""


def median_seconds(code: str, env: dict[str, str]) -> float:
    samples = []
    for _ in range(RUNS):
        start = time.time()
        out = subprocess.run(
            [sys.executable, "-c", code],
            check=True,
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
        ).stdout
        samples.append(float(out.strip().splitlines()[-1]) - start)
    return statistics.median(samples)


def main() -> None:
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "QUIZZER_HOME": home, "PYTHONPATH": str(REPO)}
        median_seconds(MINIMAL, env)  # warm the file cache for both
        median_seconds(QUIZZER, env)
        base = median_seconds(MINIMAL, env)
        ours = median_seconds(QUIZZER, env)
    ratio = ours / base
    print(f"minimal Textual app to first screen: {base * 1000:6.0f} ms (median of {RUNS})")
    print(f"quizzer to first screen:             {ours * 1000:6.0f} ms")
    print(
        json.dumps(
            {
                "name": "tui_start",
                "ratio": round(ratio, 3),
                "goal": GOAL,
                "ok": ratio <= GOAL,
                "minimal_ms": round(base * 1000, 1),
                "quizzer_ms": round(ours * 1000, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
