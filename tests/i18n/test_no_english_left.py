"""Issue 15's guard: the Spanish page has no English sentence left. Every English msgid of
the catalogue (its literal runs of words between placeholders and markup) is looked for in
the visible text of the Spanish page, rendered for a scenario that opens every section
(alternatives listed, a "What if…" question, the afford box, the history and simulations).
The same check on the English page finds many of them: the test can fail."""

from __future__ import annotations

import html
import re
import warnings

import pytest
from babel.messages.pofile import read_po

from loan401k.app import create_app

with warnings.catch_warnings():  # Starlette's notice that it prefers httpx2; httpx works
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

SCENARIO = {
    "amount": "15000",
    "vested_balance": "60000",
    "age": "35",
    "contribution_monthly": "400",
    "contribution_during_loan_monthly": "400",
    "alt_kind_0": "credit_card",
    "alt_apr_pct_0": "22",
    "alt_kind_1": "personal_loan",
    "alt_apr_pct_1": "12",
    "whatif": "leave_job",
    "whatif_month": "10",
    "afford_payment": "300",
    "history": "1",
}
#: Words that read the same in both languages, or are names: a run made only of them is no
#: English left behind.
SAME = {"401(k)", "403(b)", "457(b)", "IRA", "Roth", "APR", "HELOC", "IRS", "PDF", "CSV", "loan401k"}


def catalogue_path():
    from pathlib import Path

    import loan401k

    return Path(loan401k.__file__).parent / "locale" / "es" / "LC_MESSAGES" / "messages.po"


def english_runs() -> set[str]:
    """Each msgid's runs of at least two words between placeholders and tags, where the
    Spanish differs (a msgstr equal to its msgid is a name, not a sentence); citations of the
    law (IRC §72(p), SECURE 2.0) stay as the law writes them."""
    with open(catalogue_path(), "rb") as handle:
        catalog = read_po(handle)
    runs: set[str] = set()
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for msgid in ids:
            if msgid in strings:
                continue
            text = re.sub(r"<[^>]+>", " ", msgid)
            text = re.sub(r'"[^"]*"', " ", text)  # a work's title is cited as it was published
            for run in re.split(r"\{[^}]*\}|%\([^)]*\)s|%%|[.;:!?()“”\"]", text):
                words = run.split()
                cited = any("§" in word or word in ("SECURE", "IRC") for word in words)
                wordy = [word for word in words if sum(ch.isalpha() for ch in word) >= 2]
                named = all(word[:1].isupper() for word in wordy)  # names: "NYU Stern"
                if len(wordy) >= 2 and not cited and not named and not set(words) <= SAME:
                    runs.add(" ".join(words))
    return runs


def visible_text(page: str) -> str:
    page = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", page)
    page = re.sub(r"(?s)<!--.*?-->", " ", page)
    page = re.sub(r"<[^>]+>", " ", page)
    return " ".join(html.unescape(page).split())


def shown(run: str, text: str) -> bool:
    """The run as whole words in the text ("up to" is not inside "setup took")."""
    return re.search(r"(?<!\w)" + re.escape(run) + r"(?!\w)", text) is not None


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    database = tmp_path_factory.mktemp("db") / "scenarios.db"
    with TestClient(create_app(f"sqlite:///{database}")) as client:
        out = {}
        for lang in ("en", "es"):
            response = client.get("/", params=SCENARIO | {"lang": lang})
            assert response.status_code == 200
            out[lang] = visible_text(response.text)
        yield out


def test_the_check_finds_english_on_the_english_page(pages):
    runs = english_runs()
    found = [run for run in runs if shown(run, pages["en"])]
    assert len(runs) > 200 and len(found) > 100  # the catalogue's sentences are on the page


def test_no_english_sentence_is_left_on_the_spanish_page(pages):
    left = sorted(run for run in english_runs() if shown(run, pages["es"]))
    assert left == []
