"""The cited sentence in its article: a short excerpt on the card, and the whole article one click away.

A card used to show the whole chunk in a small box with its own scroll bar, so the cited sentence
could sit out of view. Now it shows the sentence with a little of the text around it, and a
`<details>` element holds the whole article, its metadata, and the cited span in `<mark>`; the
page script (`SCROLL_SCRIPT`) scrolls that mark into view when the article is opened. Everything
from the article is escaped.
"""

from __future__ import annotations

import html

from rag.metadata import shown
from rag.store import DocRecord

CONTEXT_CHARS = 160  # excerpt on each side of the cited span, cut at a word
# Opening an article scrolls its cited span into view (`toggle` does not bubble: listen while capturing).
SCROLL_SCRIPT = """<script>
document.addEventListener('toggle', (event) => {
  const opened = event.target;
  if (!(opened instanceof HTMLDetailsElement) || !opened.open || !opened.classList.contains('article')) return;
  const mark = opened.querySelector('mark');
  if (mark) mark.scrollIntoView({block: 'center'});
}, true);
</script>"""


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def marked(text: str, start: int, end: int) -> str:
    """`text` escaped, with [start, end) in `<mark>`."""
    return f"{_esc(text[:start])}<mark>{_esc(text[start:end])}</mark>{_esc(text[end:])}"


def excerpt(text: str, start: int, end: int, context: int = CONTEXT_CHARS) -> str:
    """The cited span with up to `context` characters either side, cut at a space, "…" where cut."""
    left = max(0, start - context)
    if left > 0:
        space = text.find(" ", left, start)
        left = space + 1 if space >= 0 else left
    right = min(len(text), end + context)
    if right < len(text):
        space = text.rfind(" ", end, right)
        right = space if space >= 0 else right
    before = ("…" if left > 0 else "") + text[left:start].lstrip()
    after = text[end:right].rstrip() + ("…" if right < len(text) else "")
    return f"{_esc(before)}<mark>{_esc(text[start:end])}</mark>{_esc(after)}"


def metadata_lines(record: DocRecord) -> str:
    """Title, outlet, byline, date, address and file, each guess marked "(inferred)"."""
    rows = [
        ("Outlet", shown(record.outlet, "outlet", record.inferred, missing="not known")),
        ("Byline", shown(record.byline, "byline", record.inferred, missing="not known")),
        ("Published", shown(record.date, "date", record.inferred, missing="not known")),
        ("File", record.source),
    ]
    if record.url and record.url != record.source:
        rows.append(("Address", record.url))
    return "".join(f"<div><dt>{_esc(k)}</dt><dd>{_esc(v)}</dd></div>" for k, v in rows)


def whole_article(record: DocRecord, start: int, end: int) -> str:
    """The folded whole article: metadata, then the text with the cited span marked."""
    title = shown(record.title, "title", record.inferred, missing=record.source)
    return (
        '<details class="article"><summary>Read the whole article</summary>'
        f'<div class="article-head"><div class="article-title">{_esc(title)}</div>'
        f'<dl class="article-meta">{metadata_lines(record)}</dl></div>'
        f'<div class="article-text">{marked(record.text, start, end)}</div></details>'
    )
