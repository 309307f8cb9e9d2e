"""Text charts drawn with block characters (no chart library needed at start-up)."""

from __future__ import annotations


def bar(value: float, width: int = 20) -> str:
    """A horizontal bar for a share in [0, 1], in eighths of a cell."""
    eighths = round(max(0.0, min(1.0, value)) * width * 8)
    full, part = divmod(eighths, 8)
    return ("█" * full + (" ▏▎▍▌▋▊▉"[part] if part else "")).ljust(width)
