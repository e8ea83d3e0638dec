"""Plain words in every error a person can meet (issue 13): every endpoint of the API, the
CLI and the page, sent a generator of bad inputs, answers in the field's label and units,
never in Python's or pydantic's words ("valid decimal", "Input should", "required for
analyze"), a field's code ("annual_rate_pct") or a rule's code ("half_vested", "METHOD §4").
The API keeps the field's code where it belongs: in `field` and `loc`."""

from __future__ import annotations

import html
import importlib.util
import json
import re
import sys
import typing
import warnings
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from loan401k.app import create_app
from loan401k.cli import main
from loan401k.models import Alternative, Criteria, EventInput, LimitResult, LoanInput

with warnings.catch_warnings():  # Starlette's notice that it prefers httpx2; httpx works
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def _load_generator():
    path = Path(__file__).with_name("hostile_values.py")
    spec = importlib.util.spec_from_file_location("loan401k_hostile_values_words", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


hostile = _load_generator()

ENDPOINTS = [
    "limit",
    "schedule",
    "distribution",
    "analysis",
    "comparison",
    "backtest",
    "montecarlo",
    "events",
    "scenarios",
]
BASE: dict[str, Any] = {
    "age": 30,
    "retirement_age": 65,
    "vested_balance": 100000,
    "amount": 30000,
    "annual_rate_pct": 6.5,
    "term_months": 60,
    "contribution_monthly": 500,
    "start_date": "2026-01-01",
    "paths": 50,
}
#: Words a person must never read: Python's, pydantic's, the spec's section numbers.
PHRASES = (
    "valid decimal",
    "Input should",
    "input should",
    "valid integer",
    "valid dictionary",
    "valid list",
    "Value error",
    "Traceback",
    "NoneType",
    "pydantic",
    "constrained",
    "Decimal input",
    "METHOD",
)
#: "required for analyze", "required for limit": a command's name is no reason
COMMAND = re.compile(r"required (?:for|by) (?:analy[sz]e|limit|schedule|compare|backtest|montecarlo|events)")
#: Every input field's code that a person could mistake for words only a programmer reads
#: (the ones with an underscore: "amount" or "age" are English), at every level of the input.
CODES = sorted(
    {
        name
        for model in (LoanInput, Alternative, Criteria, EventInput)
        for name in model.model_fields
        if "_" in name
    }
)
#: The limit's binding rules: codes for the CLI's and the page's logic, never a sentence.
RULE_CODES = typing.get_args(LimitResult.model_fields["binding_rule"].annotation)


def offending(message: str, echoed: str = "") -> list[str]:
    """What in `message` is not plain words (the bad value quoted back is the person's own)."""
    text = message.replace(echoed, "") if echoed else message
    found = [phrase for phrase in PHRASES if phrase in text]
    found += COMMAND.findall(text)
    found += [code for code in CODES if re.search(rf"(?<![\w']){re.escape(code)}(?![\w'])", text)]
    found += [code for code in RULE_CODES if "_" in code and code in text]
    return found


def test_the_check_catches_the_words_it_is_for():
    """The guard on the old messages (before issue 13) and on plain ones."""
    for old in (
        "'x' Input should be a valid decimal",
        "required for analyze",
        "give either contribution_monthly or contribution_pct, not both",
        "allowed with term_months 1: weekly",
        "binding rule: half_vested",
        "see METHOD §4",
    ):
        assert offending(old), old
    assert not offending("Loan rate: 500 is out of range; allowed range: 0% to 30%")
    assert not offending(
        "Time to repay: 180 is out of range for a general loan; allowed range: 1 to 60 months"
    )


# --------------------------------------------------------------------------- the bad inputs

#: The rules that tie fields together, each broken once (the generator below covers each
#: field's own type and range).
CROSS: list[tuple[str, dict[str, Any]]] = [
    ("nothing at all", {}),
    ("a general loan over five years", {"term_months": 180}),
    ("a home loan over the cap", {"term_months": 400, "purpose": "residence"}),
    ("a term with no payment", {"term_months": 1, "frequency": "quarterly"}),
    ("a plan's frequency", {"plan": "acme-401k", "frequency": "monthly"}),
    ("a plan's home-loan cap", {"plan": "acme-401k", "purpose": "residence", "term_months": 180}),
    ("a plan without home loans", {"plan": "state-457b", "purpose": "residence"}),
    ("a plan without Roth loans", {"plan": "acme-401k", "source": "roth"}),
    ("an unknown plan", {"plan": "no-such-plan"}),
    ("both contributions", {"contribution_pct": 5, "salary": 50000}),
    (
        "both contributions while repaying",
        {"contribution_during_loan_monthly": 100, "contribution_during_loan_pct": 5, "salary": 50000},
    ),
    ("a share of pay without a salary", {"contribution_monthly": None, "contribution_pct": 5}),
    ("a match without a salary", {"match_rate_pct": 50}),
    ("a state and a state rate", {"state": "CA", "state_rate_pct": 5}),
    ("an unknown state", {"state": "ZZ"}),
    (
        "a highest balance under the one owed",
        {"outstanding_loan_balance": 20000, "highest_loan_balance_12m": 10000},
    ),
    ("owing more than is vested", {"outstanding_loan_balance": 200000}),
    ("a payoff after the term", {"payoff_month": 99}),
    ("retiring before today's age", {"age": 70, "retirement_age": 65}),
    ("a separation age after today's", {"separation_year_age": 50, "separated_from_service": True}),
    ("amount and net", {"net": 1000}),
    ("a start before the law", {"start_date": "2020-01-01"}),
    ("a payment that buys too much", {"amount": None, "payment": 90_000_000, "annual_rate_pct": 29}),
    ("too many simulated markets", {"age": 16, "retirement_age": 100, "paths": 100_000}),
    ("an unknown field", {"vested_balanse": 1}),
    ("an unknown nested field", {"criteria": {"stabel_job": True}}),
    ("an alternative without its rate", {"alternatives": [{"kind": "heloc"}]}),
    ("a hardship withdrawal with a rate", {"alternatives": [{"kind": "hardship_withdrawal", "apr_pct": 5}]}),
    ("a promotion on a card", {"alternatives": [{"kind": "credit_card", "apr_pct": 20, "promo_months": 6}]}),
    ("a fee twice", {"alternatives": [{"kind": "personal_loan", "apr_pct": 9, "fee": 100, "fee_pct": 2}]}),
    (
        "an alternative past retirement",
        {"age": 60, "alternatives": [{"kind": "heloc", "apr_pct": 8, "term_months": 300}]},
    ),
    ("an event without its date", {"events": [{"kind": "separation"}]}),
    ("an event before the loan", {"events": [{"kind": "separation", "date": "2025-06-01"}]}),
    ("a leave without its end", {"events": [{"kind": "leave", "start": "2026-06-01"}]}),
    ("a leave over a year", {"events": [{"kind": "leave", "start": "2026-06-01", "end": "2028-06-01"}]}),
    (
        "overlapping windows",
        {
            "events": [
                {"kind": "leave", "start": "2026-06-01", "end": "2026-09-01"},
                {"kind": "military", "start": "2026-08-01", "end": "2027-01-01"},
            ]
        },
    ),
    (
        "a make-up before the miss",
        {"events": [{"kind": "missed_payments", "date": "2026-06-02", "made_up_on": "2026-06-01"}]},
    ),
    ("a frequency change without one", {"events": [{"kind": "frequency_change", "date": "2026-06-02"}]}),
    ("an extra payment without an amount", {"events": [{"kind": "extra_payment", "date": "2026-06-02"}]}),
    ("a refinance without an amount", {"events": [{"kind": "refinance", "date": "2026-06-02"}]}),
    ("an unknown event", {"events": [{"kind": "lottery", "date": "2026-06-02"}]}),
]


def bad_inputs() -> Iterator[tuple[str, dict[str, Any], str]]:
    """(what, body, the bad value as quoted back): the hostile generator's refused values,
    one field at a time, then every cross-field rule broken."""
    for kind, field, case in hostile.field_cases():
        if case.expect == "refused":
            yield f"{kind} {field} {case.note}", hostile.place(BASE, field, case.value), repr(case.value)[:39]
    for what, change in CROSS:
        body = {k: v for k, v in ({**BASE, **change} if change else {}).items() if v is not None}
        yield what, body, ""


@pytest.fixture(scope="module")
def client():
    app = create_app("sqlite:///:memory:")
    app.state.save_limiter.limit = 10**9
    with TestClient(app) as test_client:
        yield test_client


def _check_items(response, what: str, echoed: str) -> list[dict[str, Any]]:
    assert response.status_code < 500, (what, response.text[:300])
    if response.status_code < 400:
        return []
    items = response.json()["detail"]
    for item in items:
        assert not offending(item["message"], echoed), (what, item, offending(item["message"], echoed))
    return items


def test_every_endpoint_answers_bad_input_in_plain_words(client):
    seen = 0
    cases = list(bad_inputs())
    for index, (what, body, echoed) in enumerate(cases):
        # each generated value on one endpoint in turn; every cross-field case on all of them
        endpoints = ENDPOINTS if index >= len(cases) - len(CROSS) else [ENDPOINTS[index % len(ENDPOINTS)]]
        for endpoint in endpoints:
            response = client.post(
                f"/api/v1/{endpoint}",
                content=hostile_json(body),
                headers={"content-type": "application/json"},
            )
            seen += len(_check_items(response, f"{endpoint}: {what}", echoed))
    assert seen > 500  # the generator reached the messages


def hostile_json(body: dict[str, Any]) -> bytes:
    """NaN and Infinity as literals (the server's parser reads them), lone surrogates escaped."""
    return json.dumps(body, ensure_ascii=True, allow_nan=True).encode()


#: Fields and the label and unit their message speaks in (the form's words, written here).
LABELLED = [
    ("annual_rate_pct", 500, "Loan rate: ", "0% to 30%"),
    ("amount", "abc", "Loan amount: ", "$0 and up to $100,000,000"),
    ("vested_balance", -5, "Vested balance: ", "$0 to $100,000,000"),
    ("age", 5, "Your age: ", "16 to 100 years"),
    ("term_months", 999, "Time to repay: ", "1 to 480 months"),
    ("stock_pct", 101, "Stocks in the account: ", "0% to 100%"),
    ("cure_period_days", 999, "Time to make up a missed payment: ", "0 to 184 days"),
    ("alternatives.0.apr_pct", 500, "Alternative 1, APR: ", "0% to 100%"),
]


@pytest.mark.parametrize(("field", "value", "label", "allowed"), LABELLED, ids=[f for f, *_ in LABELLED])
def test_a_message_names_the_field_by_its_label_and_the_range_in_its_unit(
    client, field, value, label, allowed
):
    body = hostile.place({**BASE, "alternatives": [{"kind": "heloc", "apr_pct": 8}]}, field, value)
    response = client.post("/api/v1/analysis", json=body)
    assert response.status_code == 422
    (item,) = response.json()["detail"]
    assert item["field"] == field  # the code stays where a program reads it
    assert item["message"].startswith(label) and allowed in item["message"], item


def test_the_cli_prints_words(tmp_path):
    runner = CliRunner()
    runs = [
        [
            "analyze",
            "--amount",
            "15000",
            "--vested-balance",
            "60000",
            "--age",
            "35",
            "--annual-rate-pct",
            "500",
        ],
        ["limit", "--vested-balance", "abc"],
        ["schedule", "--amount", "15000", "--term-months", "180"],
        [
            "analyze",
            "--amount",
            "15000",
            "--vested-balance",
            "60000",
            "--age",
            "35",
            "--contribution-pct",
            "5",
        ],
        ["limit", "--vested-balance", "80000", "--outstanding-loan-balance", "90000"],
        ["analyze", "--vested-balance", "60000"],
    ]
    for args in runs:
        result = runner.invoke(main, args)
        assert result.exit_code == 2, (args, result.output)
        lines = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
        assert lines, (args, result.stderr)
        for line in lines:
            field, _, message = line.removeprefix("error: ").partition(": ")
            assert field and message and not offending(message), (args, line)
    limit = runner.invoke(main, ["limit", "--vested-balance", "60000"])
    assert limit.exit_code == 0
    assert not [code for code in RULE_CODES if "_" in code and code in limit.stdout], limit.stdout


# --------------------------------------------------------------------------- the page


class _Text(HTMLParser):
    """The text a person sees (no script, style or attribute values)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    return html.unescape(" ".join(" ".join(parser.parts).split()))


PAGE_CASES = [
    {"amount": "abc"},
    {"annual_rate_pct": "500"},
    {"term_months": "180"},
    {"term_months": "400", "purpose": "residence"},
    {"plan": "acme-401k", "purpose": "residence", "term_months": "180"},
    {"contribution_pct": "5"},
    {"outstanding_loan_balance": "90000"},
    {"age": "70", "retirement_age": "65"},
    {"alt_kind_0": "heloc"},
    {"alt_kind_0": "credit_card", "alt_apr_pct_0": "24", "alt_promo_months_0": "6"},
    {"whatif": "leave_job", "whatif_month": "99"},
    {"whatif": "refinance", "whatif_amount": "lots"},
    {"afford_payment": "abc"},
    {"start_date": "2020-01-01"},
]


@pytest.mark.parametrize("change", PAGE_CASES, ids=[",".join(c) for c in PAGE_CASES])
def test_the_page_says_every_problem_in_plain_words(client, change):
    values = {"amount": "15000", "vested_balance": "60000", "age": "35", **change}
    page = client.get("/", params=values)
    assert page.status_code == 200
    text = visible_text(page.text)
    assert not offending(text), offending(text)
    errors = re.findall(r'data-error-for="[^"]+">([^<]+)<', page.text)
    errors += re.findall(r'class="(?:whatif-error|afford-error)"[^>]*>([^<]+)<', page.text)
    assert errors, change  # the problem is on the page, beside its field
    for download in ("/schedule.csv", "/report.pdf"):
        response = client.get(download, params=values)
        if response.status_code == 422:
            body = response.text if "html" in response.headers["content-type"] else response.json()
            said = (
                visible_text(body)
                if isinstance(body, str)
                else " ".join(i["message"] for i in body["detail"])
            )
            assert not offending(said), (download, offending(said))
