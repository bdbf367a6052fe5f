"""Markdown typed by coordinators (agendas, minutes), rendered and then sanitised."""

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "h2", "h3", "h4", "a", "blockquote", "code",
         "pre", "table", "thead", "tbody", "tr", "th", "td", "hr"}
_CLASSES = {"p": "govuk-body", "ul": "govuk-list govuk-list--bullet", "ol": "govuk-list govuk-list--number",
            "h2": "govuk-heading-m", "h3": "govuk-heading-s", "h4": "govuk-heading-s", "a": "govuk-link",
            "table": "govuk-table", "th": "govuk-table__header", "td": "govuk-table__cell",
            "tr": "govuk-table__row"}


def render_markdown(source: str | None) -> Markup:
    """Safe HTML with GOV.UK classes: raw HTML in the source is never passed through."""
    return _rendered(source or "")


@lru_cache(maxsize=2048)
def _rendered(source: str) -> Markup:
    """The same text always gives the same HTML, so a long thread's messages are rendered once
    per worker, not once per request."""
    html = _markdown.render(source)
    # Headings typed as "#" would compete with the page's own h1: move every level down.
    for level in (4, 3, 2, 1):
        html = html.replace(f"<h{level}>", f"<h{min(level + 1, 4)}>").replace(
            f"</h{level}>", f"</h{min(level + 1, 4)}>")
    clean = nh3.clean(html, tags=_TAGS, attributes={"a": {"href"}}, url_schemes={"http", "https", "mailto"},
                      link_rel="noopener noreferrer nofollow")
    for tag, classes in _CLASSES.items():
        clean = clean.replace(f"<{tag}>", f'<{tag} class="{classes}">').replace(
            f"<{tag} href=", f'<{tag} class="{classes}" href=')
    return Markup(clean)
