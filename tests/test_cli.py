"""The `loan401k` command (CONTRACT.md "CLI"): flags, --input files (JSON, TOML, stdin),
--json equal to the library's body, --csv, and bad input as exit 2 with one line per
problem and never a traceback.

Most cases use click's CliRunner on `loan401k.cli.main` for speed; a few run the real
console script in a subprocess.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

import loan401k
from loan401k import cli
from loan401k.models import LoanInput

SCRIPT = Path(sys.executable).with_name("loan401k")

LIMIT_INPUT = {
    "vested_balance": 80_000,
    "outstanding_loan_balance": 18_000,
    "highest_loan_balance_12m": 27_000,
    "start_date": "2026-01-15",
}
SCHEDULE_INPUT = {
    "amount": 25_000,
    "annual_rate_pct": 6.5,
    "term_months": 60,
    "frequency": "monthly",
    "start_date": "2026-01-15",
}
DISTRIBUTION_INPUT = {
    "age": 40,
    "amount": 20_000,
    "taxable_income": 53_900,
    "tax_year": 2026,
    "start_date": "2026-01-15",
}


def run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(cli.main, list(args), input=stdin, catch_exceptions=False)


def run_script(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(SCRIPT), *args], input=stdin, capture_output=True, text=True, timeout=60, check=False
    )


def as_flags(fields: dict) -> list[str]:
    return [part for name, value in fields.items() for part in (f"--{name.replace('_', '-')}", str(value))]


def to_toml(fields: dict) -> str:
    lines = []
    for name, value in fields.items():
        text = f'"{value}"' if isinstance(value, str) and name != "start_date" else str(value)
        lines.append(f"{name} = {text}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- the flag table


def test_flag_table_matches_the_input_model_exactly():
    fields = [*cli.VALUE_FIELDS, *cli.BOOL_FIELDS, *cli.STRUCTURED_FIELDS]
    assert len(fields) == len(set(fields)), "a field is listed twice"
    assert set(fields) == set(LoanInput.model_fields)


def test_bool_fields_are_the_boolean_fields():
    booleans = {name for name, field in LoanInput.model_fields.items() if field.annotation is bool}
    assert set(cli.BOOL_FIELDS) == booleans


# --------------------------------------------------------------------------- --json == library


@pytest.mark.parametrize(
    "command, fields, call",
    [
        ("limit", LIMIT_INPUT, loan401k.limit),
        ("schedule", SCHEDULE_INPUT, loan401k.schedule),
        ("distribution", DISTRIBUTION_INPUT, loan401k.distribution),
    ],
)
def test_flags_json_equals_the_library(command, fields, call):
    result = run(command, *as_flags(fields), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == call(fields).model_dump(mode="json")


@pytest.mark.parametrize(
    "command, fields, call",
    [
        ("limit", LIMIT_INPUT, loan401k.limit),
        ("schedule", SCHEDULE_INPUT, loan401k.schedule),
        ("distribution", DISTRIBUTION_INPUT, loan401k.distribution),
    ],
)
@pytest.mark.parametrize("form", ["json", "toml", "stdin"])
def test_input_files_json_equals_the_library(tmp_path, command, fields, call, form):
    if form == "stdin":
        result = run(command, "--input", "-", "--json", stdin=json.dumps(fields))
    else:
        path = tmp_path / f"input.{form}"
        path.write_text(json.dumps(fields) if form == "json" else to_toml(fields))
        result = run(command, "--input", str(path), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == call(fields).model_dump(mode="json")


def test_known_figures_through_the_cli():
    # EXAMPLES.md: IRS plan-loan FAQ second loan -> 22,000; 25,000 at 6.5 % -> 489.15;
    # the 2026 offset at 40 -> 6,400.00
    assert json.loads(run("limit", *as_flags(LIMIT_INPUT), "--json").stdout)["max_loan"] == 22_000
    schedule = json.loads(run("schedule", *as_flags(SCHEDULE_INPUT), "--json").stdout)
    assert schedule["payment"] == 489.15 and schedule["periods"] == 60
    distribution = json.loads(run("distribution", *as_flags(DISTRIBUTION_INPUT), "--json").stdout)
    assert distribution["total"] == 6400


def test_flags_override_the_file(tmp_path):
    path = tmp_path / "input.json"
    path.write_text(json.dumps(LIMIT_INPUT))
    result = run(
        "limit",
        "--input",
        str(path),
        "--vested-balance",
        "120000",
        "--outstanding-loan-balance",
        "0",
        "--highest-loan-balance-12m",
        "0",
        "--json",
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["max_loan"] == 50_000  # 120,000 vested: the $50k cap


def test_boolean_flags(tmp_path):
    path = tmp_path / "input.json"
    path.write_text(json.dumps({"vested_balance": 15_000, "allow_10k_floor": True}))
    on = json.loads(run("limit", "-i", str(path), "--json").stdout)
    off = json.loads(run("limit", "-i", str(path), "--no-allow-10k-floor", "--json").stdout)
    assert (on["max_loan"], off["max_loan"]) == (10_000, 7_500)  # EXAMPLES.md floor rows
    disaster = json.loads(run("limit", "--vested-balance", "150000", "--disaster-loan", "--json").stdout)
    assert disaster["max_loan"] == 100_000


def test_structured_fields_come_from_the_file(tmp_path):
    path = tmp_path / "input.toml"
    path.write_text("vested_balance = 80000\n[criteria]\nstable_job = true\n")
    result = run("limit", "-i", str(path), "--json")
    assert result.exit_code == 0, result.output


# --------------------------------------------------------------------------- text and CSV


def test_schedule_csv_has_a_header_and_one_row_per_period():
    result = run("schedule", *as_flags(SCHEDULE_INPUT), "--csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["n", "date", "payment", "interest", "principal", "balance"]
    assert len(rows) == 60
    assert [int(r["n"]) for r in rows] == list(range(1, 61))
    total_paid = loan401k.schedule(SCHEDULE_INPUT).total_paid
    assert sum(Decimal(r["payment"]) for r in rows) == total_paid == Decimal("29349.20")
    assert sum(Decimal(r["principal"]) for r in rows) == 25_000
    assert rows[-1]["balance"] == "0.00"  # every money column in cents
    assert rows[0]["date"] == "2026-02-15"


@pytest.mark.parametrize(
    "command, fields, expected",
    [
        ("limit", LIMIT_INPUT, "$22,000"),
        ("schedule", SCHEDULE_INPUT, "$489.15"),
        ("distribution", DISTRIBUTION_INPUT, "$6,400.00"),
    ],
)
def test_text_output(command, fields, expected):
    result = run(command, *as_flags(fields))
    assert result.exit_code == 0, result.output
    assert expected in result.stdout


# --------------------------------------------------------------------------- bad input


def test_bad_values_exit_2_with_one_line_per_problem_naming_field_and_range():
    result = run("limit", "--vested-balance", "-5", "--age", "200")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2
    by_field = {line.split(":")[1].strip(): line for line in lines}
    assert set(by_field) == {"vested_balance", "age"}
    assert "$0 to $100,000,000" in by_field["vested_balance"]  # in the field's unit
    assert "16 to 100 years" in by_field["age"]
    assert "Traceback" not in result.output
    assert result.stdout == ""


@pytest.mark.parametrize(
    "args, field",
    [
        (["limit"], "vested_balance"),  # required
        (
            ["limit", "--vested-balance", "80000", "--outstanding-loan-balance", "90000"],
            "outstanding_loan_balance",
        ),
        (["schedule", "--amount", "1000", "--frequency", "daily"], "frequency"),
        (["schedule", "--amount", "1000", "--term-months", "72"], "term_months"),
        (["schedule", "--amount", "10.001"], "amount"),
        (["schedule", "--amount", "1000", "--start-date", "someday"], "start_date"),
        (["distribution", "--age", "40"], "amount"),
        (["distribution", "--amount", "100"], "age"),
    ],
)
def test_bad_input_names_the_field(args, field):
    result = run(*args)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert f" {field}:" in lines[0]
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "name, text, message",
    [
        ("bad.json", '{"vested_balance": 80000,', "not valid JSON"),
        ("bad.toml", "vested_balance = = 1\n", "not valid TOML"),
        ("list.json", "[1, 2]", "object of input fields"),
    ],
)
def test_malformed_files_exit_2(tmp_path, name, text, message):
    path = tmp_path / name
    path.write_text(text)
    result = run("limit", "--input", str(path))
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_missing_file_exits_2(tmp_path):
    result = run("limit", "--input", str(tmp_path / "nowhere.json"))
    assert result.exit_code == 2
    assert "cannot read" in result.stderr


def test_unknown_field_in_a_file_suggests_the_right_one(tmp_path):
    path = tmp_path / "input.json"
    path.write_text(json.dumps({"vested_balanse": 80_000}))
    result = run("limit", "--input", str(path))
    assert result.exit_code == 2
    assert "vested_balanse" in result.stderr
    assert "did you mean “Vested balance”" in result.stderr


# --------------------------------------------------------------------------- the real script


def test_script_help():
    done = run_script("--help")
    assert done.returncode == 0
    assert "limit" in done.stdout and "schedule" in done.stdout


def test_script_limit_json_equals_the_library():
    done = run_script("limit", *as_flags(LIMIT_INPUT), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == loan401k.limit(LIMIT_INPUT).model_dump(mode="json")


def test_script_schedule_from_stdin_csv():
    done = run_script("schedule", "--input", "-", "--csv", stdin=json.dumps(SCHEDULE_INPUT))
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert len(rows) == 60
    assert sum(Decimal(r["payment"]) for r in rows) == Decimal("29349.20")


def test_script_distribution_toml(tmp_path):
    path = tmp_path / "offset.toml"
    path.write_text(to_toml(DISTRIBUTION_INPUT))
    done = run_script("distribution", "--input", str(path), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == loan401k.distribution(DISTRIBUTION_INPUT).model_dump(mode="json")


@pytest.mark.parametrize(
    "args, stdin",
    [
        pytest.param(["limit", "--vested-balance", "-5", "--age", "200"], None, id="bad-values"),
        pytest.param(["limit", "--input", "-"], "{not json", id="malformed-stdin"),
    ],
)
def test_script_bad_input_exits_2_without_traceback(args, stdin):
    done = run_script(*args, stdin=stdin)
    assert done.returncode == 2
    assert done.stderr.strip()
    assert all(line.startswith("error: ") for line in done.stderr.strip().splitlines())
    assert "Traceback" not in done.stderr + done.stdout
