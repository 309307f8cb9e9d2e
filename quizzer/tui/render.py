"""Text helpers for the screens: bars drawn with block characters, clickable choice lines."""

from __future__ import annotations

from rich.markup import escape


def bar(value: float, width: int = 20) -> str:
    """A horizontal bar for a share in [0, 1], in eighths of a cell."""
    eighths = round(max(0.0, min(1.0, value)) * width * 8)
    full, part = divmod(eighths, 8)
    return ("█" * full + (" ▏▎▍▌▋▊▉"[part] if part else "")).ljust(width)


def clickable(text: str, action: str) -> str:
    """Content markup for ``text`` (shown literally) that runs ``action`` when clicked."""
    return f"[@click={action}]{escape(text)}[/]"


def choice_lines(
    choices: tuple[str, ...], chosen: set[int], cursor: int | None, letters: str
) -> str:
    """Markup for a choice list: ``[x]`` marks, the keyboard cursor in reverse video, and
    every line clickable (``screen.choose(i)``)."""
    lines = []
    for i, text in enumerate(choices):
        line = clickable(
            f"{'[x]' if i in chosen else '[ ]'} {letters[i]}) {text}", f"screen.choose({i})"
        )
        lines.append(f"[reverse]{line}[/reverse]" if i == cursor else line)
    return "\n".join(lines)


def moved_cursor(cursor: int | None, step: int, n: int) -> int:
    """A choice cursor moved by ``step`` over ``n`` choices, wrapping; from none, down lands
    on the first choice and up on the last."""
    if cursor is None:
        return 0 if step > 0 else n - 1
    return (cursor + step) % n
