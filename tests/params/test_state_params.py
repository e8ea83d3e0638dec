"""The state files (params/states): lint every file, and check the strict loader refuses a
bad one with the file and the key in the message."""

from __future__ import annotations

import datetime as dt
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from loan401k.params import FILING_STATUSES, ParameterError
from loan401k.params.states import STATES_DIR, Exclusion, continuous_tax, load_state, load_states

STATE_FILES = sorted(STATES_DIR.glob("*.yaml"))


@pytest.mark.parametrize("path", STATE_FILES, ids=lambda p: p.stem)
def test_every_state_file_follows_the_schema(path: Path):
    state = load_state(path)
    assert state.code == path.stem and len(state.code) == 2 and state.name
    assert "income_tax" in state
    for name, quantity in state.quantities.items():
        assert quantity.citation.strip(), name
        assert quantity.reference.startswith("https://"), name
        assert dt.date(2024, 1, 1) <= quantity.verified_on <= dt.date.today(), name
        assert quantity.values[0][0] <= dt.date(2025, 1, 1), name  # covers every computation
        for _, value in quantity.values:
            if quantity.unit == "fraction":
                assert Decimal(0) <= value <= 1
            elif quantity.unit == "tax_schedule":
                assert set(value) == set(FILING_STATUSES)
            else:
                assert isinstance(value, Exclusion)


def test_the_fifteen_states_and_which_schedules_are_indexed():
    found = load_states()
    assert set(found) >= {
        "CA",
        "TX",
        "FL",
        "NY",
        "PA",
        "IL",
        "OH",
        "GA",
        "NC",
        "MI",
        "NJ",
        "VA",
        "WA",
        "AZ",
        "MA",
    }
    # inflation-indexed each year (Rev. & Tax. Code §17041(h); M.G.L. c. 62 §4(d)): a later
    # tax year than the file's last warns
    assert {code for code, state in found.items() if state.indexed} == {"CA", "MA"}


GOOD = textwrap.dedent("""\
    state: ZZ
    name: Testland
    income_tax:
      description: A test schedule.
      unit: tax_schedule
      citation: Test Code §1
      reference: https://example.org/
      verified_on: 2026-12-01
      values:
        2025-01-01:
          single: &rows {rows}
          married_joint: *rows
          married_separate: *rows
          head_of_household: *rows
    """)


def write(tmp_path: Path, text: str, code: str = "ZZ") -> Path:
    path = tmp_path / f"{code}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_file_loads_and_its_stated_tax_jumps(tmp_path):
    state = load_state(write(tmp_path, GOOD.format(rows="[[0, 0], [1000, 0.1, 50], [2000, 0.2]]")))
    rows = state["income_tax"].at(dt.date(2025, 6, 1))["single"]
    assert continuous_tax(Decimal(1000), rows) == 0  # "not over $1,000": nothing
    assert continuous_tax(Decimal(1500), rows) == 100  # 50 + 500 x 10 %
    assert continuous_tax(Decimal(2500), rows) == 250  # 50 + 100 + 500 x 20 %


@pytest.mark.parametrize(
    "text, message",
    [
        (GOOD.format(rows="[[0, 0.1]]") + "rate: 5\n", "states/ZZ.yaml: unknown key"),
        (GOOD.format(rows="[[0, 0.1]]").replace("state: ZZ", "state: QQ"), "two-letter code"),
        (GOOD.format(rows="[[0, 0.1]]").replace("  citation: Test Code §1\n", ""), "income_tax: missing key"),
        (
            GOOD.format(rows="[[0, 0.1]]").replace(
                "  unit: tax_schedule\n", "  unit: tax_schedule\n  rates: 1\n"
            ),
            "income_tax: unknown key",
        ),
        (GOOD.format(rows="[[0, 0.1]]").replace("unit: tax_schedule", "unit: brackets"), "unknown unit"),
        (GOOD.format(rows="[[0, 0.1], [1000, 0.05]]"), "rates must not fall"),
        (GOOD.format(rows="[[0, 0.1], [1000, 0.2, 10]]"), "below the tax of the brackets under it"),
        (GOOD.format(rows="[[100, 0.1]]"), "first bracket starts at 0"),
        (GOOD.format(rows="[[0, 1.5]]"), "fractions between 0 and 1"),
        (GOOD.format(rows="[[0, 0.1]]").replace("2025-01-01", "2026-01-01"), "must cover 2025"),
        (GOOD.format(rows="[[0, 0.1]]").replace("name: Testland\n", ""), "missing key(s) ['name']"),
        (
            GOOD.format(rows="[[0, 0.1]]")
            + textwrap.dedent("""\
            distribution_exclusion:
              description: x
              unit: exclusion
              citation: y
              reference: https://example.org/
              verified_on: 2026-12-01
              values:
                2025-01-01: {age: 59.5}
            """),
            "exactly the keys",
        ),
    ],
)
def test_the_loader_refuses_a_bad_state_file(tmp_path, text, message):
    with pytest.raises(ParameterError) as caught:
        load_state(write(tmp_path, text))
    assert message in str(caught.value)
    assert "ZZ.yaml" in str(caught.value)


def test_a_repeated_date_is_an_error(tmp_path):
    text = GOOD.format(rows="[[0, 0.1]]") + "    2025-01-01:\n      single: [[0, 0.2]]\n"
    with pytest.raises(ParameterError) as caught:
        load_state(write(tmp_path, text))
    assert "ZZ.yaml" in str(caught.value) and "duplicate key 2025-01-01" in str(caught.value)
