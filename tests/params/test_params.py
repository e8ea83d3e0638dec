"""The law as dated data: lint the whole parameter tree, check the strict loader refuses
bad files, and pin the law's figures to their sources (RULES.md §2, §8, §10-§12,
METHOD §1 and §5)."""

from __future__ import annotations

import datetime as dt
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

import loan401k
from loan401k.params import (
    FILING_STATUSES,
    PARAMS_DIR,
    UNITS,
    ParameterError,
    load_directory,
    load_file,
    parameters,
)

PARAM_FILES = sorted(PARAMS_DIR.glob("*.yaml"))


def at(day: str, name: str):
    return parameters()[name].at(dt.date.fromisoformat(day))


# --------------------------------------------------------------------------- lint the tree


def test_the_tree_is_not_empty():
    assert len(PARAM_FILES) >= 20


@pytest.mark.parametrize("path", PARAM_FILES, ids=lambda p: p.stem)
def test_every_file_follows_the_schema(path: Path):
    parameter = load_file(path)  # the strict loader: raises on any schema problem
    assert parameter.name == path.stem
    assert parameter.description
    assert parameter.citation.strip()
    assert parameter.reference.startswith("https://") or parameter.reference.startswith("http://")
    assert isinstance(parameter.verified_on, dt.date)
    assert dt.date(2024, 1, 1) <= parameter.verified_on <= dt.date.today()
    assert parameter.unit in UNITS
    assert parameter.values, "at least one dated value"
    dates = [since for since, _ in parameter.values]
    assert dates == sorted(dates) and len(set(dates)) == len(dates)
    assert all(type(since) is dt.date for since in dates)


@pytest.mark.parametrize("path", PARAM_FILES, ids=lambda p: p.stem)
def test_values_fit_their_unit(path: Path):
    parameter = load_file(path)
    for _, value in parameter.values:
        if parameter.unit == "fraction":
            assert Decimal(0) <= value <= Decimal(1)
        elif parameter.unit in ("usd", "years", "months"):
            assert isinstance(value, Decimal) and value >= 0
        elif parameter.unit == "usd_by_status":
            assert set(value) == set(FILING_STATUSES)
        elif parameter.unit == "brackets":
            assert set(value) == set(FILING_STATUSES)


def test_brackets_start_at_zero_and_rise():
    parameter = parameters()["federal_brackets"]
    for since, table in parameter.values:
        for status, rows in table.items():
            assert rows[0][0] == 0, (since, status)
            bounds = [low for low, _ in rows]
            rates = [rate for _, rate in rows]
            assert bounds == sorted(bounds) and len(set(bounds)) == len(bounds), (since, status)
            assert rates == [Decimal(r) for r in ("0.10", "0.12", "0.22", "0.24", "0.32", "0.35", "0.37")]


def test_directory_loads_as_one_set():
    loaded = load_directory(PARAMS_DIR)
    assert set(loaded.parameters) == {p.stem for p in PARAM_FILES}


# --------------------------------------------------------------------------- negative tests

GOOD = textwrap.dedent("""\
    description: A test quantity.
    unit: usd
    citation: IRC §72(p)(2)(A)(i)
    reference: https://www.law.cornell.edu/uscode/text/26/72
    verified_on: 2026-05-15
    values:
      1987-01-01: 50000
""")

BRACKETS = textwrap.dedent("""\
    description: Brackets.
    unit: brackets
    citation: Rev. Proc. 2025-32
    reference: https://www.irs.gov/
    verified_on: 2026-05-15
    values:
      2026-01-01:
        single: [{single}]
        married_joint: [[0, 0.10], [24800, 0.12]]
        married_separate: [[0, 0.10], [12400, 0.12]]
        head_of_household: [[0, 0.10], [17700, 0.12]]
""")


def write(tmp_path: Path, text: str, name: str = "test_quantity") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_file_loads(tmp_path):
    parameter = load_file(write(tmp_path, GOOD))
    assert parameter.at(dt.date(2026, 1, 1)) == 50_000
    good_brackets = BRACKETS.format(single="[0, 0.10], [12400, 0.12]")
    assert load_file(write(tmp_path, good_brackets)).unit == "brackets"


BAD_FILES = [
    pytest.param(GOOD + "colour: blue\n", "unknown key", id="unknown-key"),
    pytest.param(GOOD.replace("values:", "vaules:"), "unknown key", id="misspelt-values"),
    pytest.param(GOOD.replace("citation: IRC §72(p)(2)(A)(i)\n", ""), "missing key", id="missing-citation"),
    pytest.param(
        GOOD.replace("citation: IRC §72(p)(2)(A)(i)", 'citation: "  "'), "citation", id="blank-citation"
    ),
    pytest.param(
        GOOD.replace("reference: https://www.law.cornell.edu/uscode/text/26/72\n", ""),
        "missing key",
        id="missing-reference",
    ),
    pytest.param(
        GOOD.replace("verified_on: 2026-05-15", "verified_on: 2026-13-01"),
        "month must be in 1..12",
        id="bad-verified-on",
    ),
    pytest.param(
        GOOD.replace("verified_on: 2026-05-15", "verified_on: last spring"),
        "verified_on",
        id="verified-on-not-a-date",
    ),
    pytest.param(
        GOOD.replace("verified_on: 2026-05-15", "verified_on: 2026-05-15 10:00:00"),
        "verified_on",
        id="verified-on-a-datetime",
    ),
    pytest.param(GOOD.replace("  1987-01-01: 50000", "  always: 50000"), "not a date", id="undated-value"),
    pytest.param(
        GOOD.replace("values:\n  1987-01-01: 50000", "values: 50000"), "values", id="value-without-dates"
    ),
    pytest.param(GOOD.replace("values:\n  1987-01-01: 50000", "values: {}"), "values", id="no-values"),
    pytest.param(GOOD.replace("unit: usd", "unit: dollars"), "unknown unit", id="wrong-unit"),
    pytest.param(GOOD.replace("50000", '"50,000"'), "must be a number", id="usd-as-text"),
    pytest.param(GOOD.replace("50000", "true"), "must be a number", id="usd-as-boolean"),
    pytest.param(
        BRACKETS.format(single="[100, 0.10], [12400, 0.12]"), "start at 0", id="brackets-not-starting-at-0"
    ),
    pytest.param(
        BRACKETS.format(single="[0, 0.10], [12400, 0.12], [5000, 0.22]"), "rise", id="brackets-falling-bounds"
    ),
    pytest.param(
        BRACKETS.format(single="[0, 0.22], [12400, 0.12]"), "rates must not fall", id="brackets-falling-rates"
    ),
    pytest.param(
        BRACKETS.format(single="[0, 0.10], [12400, 0.12]").replace(
            "    head_of_household: [[0, 0.10], [17700, 0.12]]\n", ""
        ),
        "filing statuses",
        id="brackets-missing-a-status",
    ),
    pytest.param("- just\n- a list\n", "mapping", id="not-a-mapping"),
    pytest.param("description: [unclosed\n", "YAML", id="not-yaml"),
]


@pytest.mark.parametrize("text, message", BAD_FILES)
def test_bad_files_raise_parameter_error(tmp_path, text, message):
    with pytest.raises(ParameterError, match=message):
        load_file(write(tmp_path, text))


def test_bad_file_in_a_directory_fails_the_whole_load(tmp_path):
    write(tmp_path, GOOD, "good_one")
    write(tmp_path, GOOD + "colour: blue\n", "bad_one")
    with pytest.raises(ParameterError, match="bad_one"):
        load_directory(tmp_path)


def test_empty_directory_is_an_error(tmp_path):
    with pytest.raises(ParameterError):
        load_directory(tmp_path)


def test_no_value_in_force_before_the_first_date(tmp_path):
    parameter = load_file(write(tmp_path, GOOD))
    with pytest.raises(ParameterError, match="no value in force"):
        parameter.at(dt.date(1986, 12, 31))


# --------------------------------------------------------------------------- staleness


def test_a_date_past_the_verified_year_warns():
    verified_year = max(p.verified_on.year for p in parameters().parameters.values())
    fresh = parameters().at(dt.date(verified_year, 6, 1))
    stale = parameters().at(dt.date(verified_year + 1, 1, 1))
    assert fresh.stale_warnings() == []
    (warning,) = stale.stale_warnings()
    assert "loan_dollar_cap" in warning and str(verified_year + 1) in warning


def test_stale_warning_reaches_the_result():
    verified_year = max(p.verified_on.year for p in parameters().parameters.values())
    result = loan401k.limit({"vested_balance": 80_000, "start_date": f"{verified_year + 1}-03-01"})
    assert result.max_loan == 40_000
    assert any("verified" in w for w in result.warnings)
    fresh = loan401k.limit({"vested_balance": 80_000, "start_date": f"{verified_year}-03-01"})
    assert fresh.warnings == []


# --------------------------------------------------------------------------- the law's figures

# (parameter, date, value, source)
LAW_FIGURES = [
    ("loan_dollar_cap", "2026-01-15", 50_000, "IRC §72(p)(2)(A)(i)"),
    ("loan_vested_fraction", "2026-01-15", "0.5", "IRC §72(p)(2)(A)(ii)(I)"),
    ("loan_floor", "2026-01-15", 10_000, "IRC §72(p)(2)(A)(ii)(II)"),
    ("plan_min_loan", "2026-01-15", 1_000, "29 CFR §2550.408b-1(b)(2)"),
    ("loan_max_term_months", "2026-01-15", 60, "IRC §72(p)(2)(B)(i)"),
    ("disaster_loan_cap", "2026-01-15", 100_000, "SECURE 2.0 §331"),
    ("disaster_loan_cap", "2020-04-01", 100_000, "CARES Act §2202(b)(1)"),
    ("disaster_vested_fraction", "2026-01-15", "1.0", "SECURE 2.0 §331"),
    ("additional_tax_rate", "2026-01-15", "0.10", "IRC §72(t)(1)"),
    ("age_penalty_free", "2026-01-15", "59.5", "IRC §72(t)(2)(A)(i)"),
    ("separation_age", "2026-01-15", 55, "IRC §72(t)(2)(A)(v)"),
    ("public_safety_separation_age", "2026-01-15", 50, "IRC §72(t)(10)"),
    ("prime_rate", "2026-01-15", "0.0675", "RULES §8: 6.75 % from 2025-12-11"),
    ("prime_rate", "2025-11-15", "0.0700", "RULES §8: 7.00 % before the 2025-12-10 cut"),
    ("elective_deferral_limit", "2026-06-01", 24_500, "Notice 2025-67"),
    ("elective_deferral_limit", "2025-06-01", 23_500, "Notice 2024-80"),
    ("catch_up_limit", "2026-06-01", 8_000, "Notice 2025-67"),
    ("catch_up_limit", "2025-06-01", 7_500, "Notice 2024-80"),
    ("super_catch_up_limit", "2025-06-01", 11_250, "Notice 2024-80"),
    ("super_catch_up_limit", "2026-06-01", 11_250, "Notice 2025-67"),
]


@pytest.mark.parametrize(
    "name, day, expected, source", LAW_FIGURES, ids=[f"{f[0]}-{f[1]}" for f in LAW_FIGURES]
)
def test_the_laws_figures(name, day, expected, source):
    assert at(day, name) == Decimal(expected), source


# RULES.md §12.2 (2025 as amended by OBBBA; 2026 per Rev. Proc. 2025-32)
STANDARD_DEDUCTION = {
    2025: {
        "single": 15_750,
        "married_joint": 31_500,
        "married_separate": 15_750,
        "head_of_household": 23_625,
    },
    2026: {
        "single": 16_100,
        "married_joint": 32_200,
        "married_separate": 16_100,
        "head_of_household": 24_150,
    },
}


@pytest.mark.parametrize("year", sorted(STANDARD_DEDUCTION))
def test_standard_deduction(year):
    found = at(f"{year}-06-01", "standard_deduction")
    assert {k: int(v) for k, v in found.items()} == STANDARD_DEDUCTION[year]


# RULES.md §12.1: upper bounds of the 10, 12, 22, 24, 32 and 35 % bands
BRACKET_TOPS = {
    (2025, "single"): [11_925, 48_475, 103_350, 197_300, 250_525, 626_350],
    (2025, "married_joint"): [23_850, 96_950, 206_700, 394_600, 501_050, 751_600],
    (2025, "head_of_household"): [17_000, 64_850, 103_350, 197_300, 250_500, 626_350],
    (2025, "married_separate"): [11_925, 48_475, 103_350, 197_300, 250_525, 375_800],
    (2026, "single"): [12_400, 50_400, 105_700, 201_775, 256_225, 640_600],
    (2026, "married_joint"): [24_800, 100_800, 211_400, 403_550, 512_450, 768_700],
    (2026, "head_of_household"): [17_700, 67_450, 105_700, 201_750, 256_200, 640_600],
    (2026, "married_separate"): [12_400, 50_400, 105_700, 201_775, 256_225, 384_350],
}


@pytest.mark.parametrize("year, status", sorted(BRACKET_TOPS), ids=lambda v: str(v))
def test_bracket_thresholds_match_rules_12_1(year, status):
    rows = at(f"{year}-06-01", "federal_brackets")[status]
    assert [int(low) for low, _ in rows[1:]] == BRACKET_TOPS[(year, status)]


# --------------------------------------------------------------------------- duplicate keys


@pytest.mark.parametrize(
    "text, line, first",
    [
        pytest.param(GOOD + "  1987-01-01: 60000\n", 8, 7, id="a-date-twice-under-values"),
        pytest.param(GOOD.replace("unit: usd\n", "unit: usd\nunit: fraction\n"), 3, 2, id="a-key-twice"),
    ],
)
def test_a_duplicated_key_is_an_error_naming_the_file_and_line(tmp_path, text, line, first):
    """PyYAML keeps the last of two equal keys silently: the same date twice under values:
    would change the law without a trace. The loader refuses it, naming the file and lines."""
    path = write(tmp_path, text)
    assert text.splitlines()[line - 1].split(":")[0] == text.splitlines()[first - 1].split(":")[0]
    with pytest.raises(ParameterError) as caught:
        load_file(path)
    assert f"{path.name}, line {line}: duplicate key" in str(caught.value)
    assert f"(first on line {first})" in str(caught.value)


def test_a_duplicated_key_fails_the_whole_tree(tmp_path):
    write(tmp_path, GOOD, "good_one")
    write(tmp_path, GOOD + "  1987-01-01: 60000\n", "twice")
    with pytest.raises(ParameterError, match=r"twice\.yaml, line 8: duplicate key 1987-01-01"):
        load_directory(tmp_path)
