"""Text that stays text in a Markdown file, whatever Markdown viewer opens it.

Used for the conversation export: questions come from users and answers quote reports, and either may
hold ``<script>``, ``<img onerror=…>``, ``![](https://tracker/…)`` or ``[x](javascript:…)``. HTML
special characters become entities and link/image brackets are backslash-escaped (CommonMark), so no
viewer finds a tag, an image, a link or a link definition in them; the reader still sees the same text.
"""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"[\\&<>\[\]`]")
_REPLACEMENTS = {"\\": "\\\\", "&": "&amp;", "<": "&lt;", ">": "&gt;", "[": "\\[", "]": "\\]", "`": "\\`"}


def literal(text: str) -> str:
    """``text`` escaped for Markdown: rendered, it reads the same and contains no markup.

    Example:
        >>> literal('See [the plan](javascript:alert(1)) <img src=x onerror="x()">')
        'See \\\\[the plan\\\\](javascript:alert(1)) &lt;img src=x onerror="x()"&gt;'
    """
    return _SPECIAL.sub(lambda m: _REPLACEMENTS[m.group(0)], str(text))
