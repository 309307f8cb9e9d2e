"""Command-palette commands (``ctrl+p``): every study activity by name."""

from __future__ import annotations

from collections.abc import Callable

from textual.command import DiscoveryHit, Hit, Hits, Provider

from quizzer.tui.screens.home import HomeScreen

COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("Daily review", "review", "Due questions first, then new ones chosen for you"),
    ("Practise weak areas", "weak", "Questions from your weakest objectives"),
    ("Mock exam", "exam", "Start or resume a timed exam in the LPI format"),
    ("Hands-on labs", "handson", "Tasks graded in a throwaway sandbox"),
    ("Weak-area report", "weak_areas", "Where you stand per objective and knowledge area"),
    ("Report and exports", "report", "Markdown, HTML, JSON, CSV, Anki"),
    ("Browse the bank", "browse", "Search every question"),
    ("Settings", "settings", "Exam date, new questions per day, pass cut"),
)


class StudyCommands(Provider):
    """quizzer's activities in the command palette."""

    def _home(self) -> HomeScreen | None:
        for screen in self.app.screen_stack:
            if isinstance(screen, HomeScreen):
                return screen
        return None

    def _runner(self, action: str) -> Callable[[], None]:
        def run() -> None:
            home = self._home()
            if home is not None:
                getattr(home, f"action_{action}")()

        return run

    async def discover(self) -> Hits:
        for name, action, help_text in COMMANDS:
            yield DiscoveryHit(name, self._runner(action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, action, help_text in COMMANDS:
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), self._runner(action), help=help_text)
