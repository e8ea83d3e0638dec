"""Issue 15's guard for the templates: every word a person can read is marked for the
catalogue. The Jinja lexer gives each template's raw text; outside `{% trans %}` blocks,
the text between tags and the attributes people read (title, aria-label, alt, placeholder)
must hold no words, only markup, numbers and signs. A planted English sentence fails it."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from loan401k.web.templating import templates

TEMPLATES = Path(templates.env.loader.searchpath[0])  # type: ignore[attr-defined]
READ_ATTRIBUTES = re.compile(r'\b(?:title|aria-label|alt|placeholder)="([^"{]*)"')
#: Names that read the same in every language.
NAMES = {"loan401k", "401(k)", "403(b)", "457(b)", "English", "Español", "PDF", "CSV", "APR", "IRA"}


def unmarked(source: str) -> list[str]:
    """The readable words of a template that sit outside {% trans %} and _(): the template's
    text with every expression made a neutral "0" and every tag and trans block dropped."""
    skeleton: list[str] = []
    depth = 0  # inside {% trans %} … {% endtrans %}
    expect_name = False
    for _, kind, value in templates.env.lex(source):
        if kind == "whitespace":
            continue
        if kind == "block_begin":
            expect_name = True
            skeleton.append(" ")
            continue
        if kind == "name" and expect_name:
            depth += {"trans": 1, "endtrans": -1}.get(value, 0)
        expect_name = False
        if kind == "variable_begin" and not depth:
            skeleton.append("0")
        elif kind == "data" and not depth:
            skeleton.append(value)
    text = "".join(skeleton)
    texts = READ_ATTRIBUTES.findall(text)
    body = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", text)
    body = re.sub(r"(?s)<!--.*?-->", " ", body)
    texts.append(re.sub(r"(?s)<[^>]*>", " ", body))
    found: list[str] = []
    for part in texts:
        for word in html.unescape(part).split():
            letters = re.sub(r"[^A-Za-zÀ-ÿ]", "", word)
            if len(letters) >= 2 and word.strip(".,;:()…") not in NAMES:
                found.append(word)
    return found


@pytest.mark.parametrize("name", sorted(p.name for p in TEMPLATES.glob("*.html")))
def test_every_readable_word_of_the_template_is_marked(name):
    assert unmarked((TEMPLATES / name).read_text(encoding="utf-8")) == []


def test_the_guard_finds_a_planted_sentence():
    planted = '<p class="x" title="Close it">{{ _("Marked") }} Your loan is due</p>'
    assert unmarked(planted) == ["Close", "it", "Your", "loan", "is", "due"]
    assert unmarked("<p>{% trans %}Your loan is due{% endtrans %} $1,000 – 5%</p>") == []
