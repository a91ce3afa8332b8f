"""Card text in Markdown output renders as that text and nothing else, checked by rendering
it with a real CommonMark renderer (markdown-it, with GitHub's tables, strikethrough and
autolinks): in a table cell, a paragraph, a list item and a heading, hostile text makes no
emphasis, code, link, autolink, HTML, list or heading; and the escaping leaves alone what
cannot make markup, so a Markdown report also reads well as plain text."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from cardaudit.reports.escape import markdown, plain

RENDERER = MarkdownIt("commonmark", {"linkify": True}).enable(["table", "strikethrough",
                                                               "linkify"])
RENDERER.linkify.set({"fuzzy_link": False})  # GitHub links www. and scheme:// only

CONTEXTS: dict[str, tuple[Callable[[str], str], list[str]]] = {
    "table cell": (lambda s: f"| h |\n|---|\n| {s} |\n",
                   ["table_open", "thead_open", "tr_open", "th_open", "inline", "th_close",
                    "tr_close", "thead_close", "tbody_open", "tr_open", "td_open", "inline",
                    "td_close", "tr_close", "tbody_close", "table_close"]),
    "paragraph": (lambda s: f"{s}\n", ["paragraph_open", "inline", "paragraph_close"]),
    "list item": (lambda s: f"- {s}\n", ["bullet_list_open", "list_item_open",
                                         "paragraph_open", "inline", "paragraph_close",
                                         "list_item_close", "bullet_list_close"]),
    "heading": (lambda s: f"## {s}\n", ["heading_open", "inline", "heading_close"]),
}

MARKUP = st.sampled_from([
    *"\\`*_{}[]()#+-.!|~<>&:/=@\"' \t1aZé中",
    "http://x.example", "https://a.b/c", "//evil.example", "www.evil.com", "me@mail.example",
    "&amp;", "&#42;",
    "---", "===", "1.", "2)", "[x](y)", "![i](s)", "<b>", "<http://x.y>", "**", "__",
    "~~", "```", "> ", "# ", "\\", "a_b", "_a_", "*a*", "`c`", "<!-- -->", "||"])
CARD_TEXT = st.lists(st.one_of(MARKUP, st.text(st.characters(blacklist_categories=("Cs",)),
                                               max_size=3)), max_size=12).map("".join)


def _rendered(source: str, context: str) -> tuple[list[str], list[Token]]:
    tokens = RENDERER.parse(source)
    inline = [t for t in tokens if t.type == "inline"]
    return [t.type for t in tokens], (inline[-1].children or [])


@settings(max_examples=1500, deadline=None, suppress_health_check=list(HealthCheck))
@given(CARD_TEXT)
@example("//|.===")  # a table cell's "\\|" is a bare "|" to the inline parser: "//|.===" linked
@example("see //evil.example/login")
@example("\x1b +")  # the escape character dropped, a blank was left before a list marker
def test_card_text_renders_as_itself_in_every_markdown_context(text: str) -> None:
    expected = plain(text).strip()
    if not expected:
        return
    for context, (wrap, blocks) in CONTEXTS.items():
        source = wrap(markdown(text))
        kinds, children = _rendered(source, context)
        assert kinds == blocks, (context, source, kinds)
        assert all(child.type == "text" for child in children), (
            context, source, [(c.type, c.content) for c in children])
        assert "".join(c.content for c in children).strip() == expected, (context, source)


def test_escaping_leaves_alone_what_makes_no_markup() -> None:
    for text in ("2026-12-01T02:51:38Z", "non_commercial", "acme/bare-card",
                 "(lines 1–4)", "snake_case_name", "C# and F#", "e.g. 3.5 GB", "a+b=c"):
        assert markdown(text) == text
    assert markdown("see https://evil.example and www.evil.com or me@x.example") == (
        "see https\\://evil.example and www\\.evil.com or me\\@x.example")
    assert markdown("_x_ **y** [z](w) <b> | ~") == (
        "\\_x\\_ \\*\\*y\\*\\* \\[z\\](w) &lt;b&gt; \\| \\~")
    assert markdown("- item") == "\\- item" and markdown("12. x") == "12\\. x"
