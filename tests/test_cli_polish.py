"""CLI polish (PRODUCT F12): shell completion, --csv wherever a result has rows, --explain with
citations, and no progress bar (nor any terminal escape) when the output is piped."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import loan401k
from loan401k import cli

SCRIPT = Path(sys.executable).with_name("loan401k")
PLAN = {
    "age": 35,
    "vested_balance": 80_000,
    "amount": 20_000,
    "start_date": "2026-01-15",
    "contribution_monthly": 500,
}


def flags(fields: dict) -> list[str]:
    return [part for name, value in fields.items() for part in (f"--{name.replace('_', '-')}", str(value))]


def run(*args: str):
    return CliRunner().invoke(cli.main, list(args), catch_exceptions=False)


def run_script(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(SCRIPT), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, **(env or {})},
    )


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# --------------------------------------------------------------------------- completion


@pytest.mark.parametrize(
    ("shell", "marker"),
    [
        ("bash", "complete -o nosort -F"),
        ("zsh", "compdef"),
        ("fish", "complete --no-files --command loan401k"),
    ],
)
def test_completion_prints_the_script_for_each_shell(shell, marker):
    result = run("completion", shell)
    assert result.exit_code == 0
    assert "_LOAN401K_COMPLETE" in result.stdout and marker in result.stdout


def test_completion_rejects_an_unknown_shell():
    assert run("completion", "powershell").exit_code == 2


def test_the_completion_script_completes_commands_and_flags():
    env = {"_LOAN401K_COMPLETE": "bash_complete", "COMP_WORDS": "loan401k ba", "COMP_CWORD": "1"}
    done = run_script(env=env)
    assert done.returncode == 0 and "plain,batch" in done.stdout and "plain,backtest" in done.stdout
    env = {"_LOAN401K_COMPLETE": "bash_complete", "COMP_WORDS": "loan401k limit --vested", "COMP_CWORD": "2"}
    assert "plain,--vested-balance" in run_script(env=env).stdout


# --------------------------------------------------------------------------- --csv


def test_analyze_csv_is_the_balances_by_year():
    rows = read_csv(run("analyze", *flags(PLAN), "--csv").stdout)
    by_year = loan401k.analyze(PLAN).balances.by_year
    assert [list(r) for r in rows[:1]] == [["age", "no_loan", "with_loan"]]
    assert [(int(r["age"]), r["no_loan"], r["with_loan"]) for r in rows] == [
        (y.age, str(y.no_loan), str(y.with_loan)) for y in by_year
    ]


def test_backtest_csv_is_the_cost_by_start_year():
    result = run("backtest", *flags(PLAN), "--csv")
    assert result.exit_code == 0
    rows = read_csv(result.stdout)
    expected = loan401k.backtest(PLAN).by_start_year
    assert len(rows) == len(expected) > 20
    assert list(rows[0]) == [
        "start_year",
        "total",
        "price_of_credit",
        "plan_difference",
        "contributions",
        "fees",
        "job_loss",
        "excess",
    ]
    assert [(int(r["start_year"]), r["total"]) for r in rows] == [
        (e.start_year, str(e.total)) for e in expected
    ]


def test_montecarlo_and_compare_csv():
    fields = {**PLAN, "paths": 200}
    fan = read_csv(run("montecarlo", *flags(fields), "--csv").stdout)
    assert [(int(r["age"]), r["p50"]) for r in fan] == [
        (p.age, str(p.p50)) for p in loan401k.montecarlo(fields).fan
    ]
    options = read_csv(run("compare", *flags(PLAN), "--alternative", "credit_card:24", "--csv").stdout)
    costs = [float(r["cost"]) for r in options]
    assert costs == sorted(costs) and {"401k_loan", "credit_card"} <= {r["kind"] for r in options}


# --------------------------------------------------------------------------- explain, piping


def test_analyze_explain_prints_the_steps_with_citations():
    plain = run("analyze", *flags(PLAN)).stdout
    explained = run("analyze", *flags(PLAN), "--explain").stdout
    assert "IRC §72(p)(2)(A)" in explained and "IRC §72(p)(2)(A)" not in plain
    assert "Dollar cap $50,000" in explained


@pytest.mark.parametrize("command", ["backtest", "montecarlo"])
def test_no_progress_bar_when_piped(command):
    done = run_script(command, *flags({**PLAN, "paths": 500}))
    assert done.returncode == 0
    assert done.stderr == ""
    assert "\x1b[" not in done.stdout and "\r" not in done.stdout
    assert "True cost of the loan" in done.stdout


def test_batch_piped_has_rows_on_stdout_and_only_the_summary_on_stderr(tmp_path: Path):
    source = tmp_path / "p.csv"
    source.write_text("participant_id,vested_balance\nA,80000\nB,-1\n")
    done = run_script("batch", str(source))
    assert done.returncode == 2  # B's -1: the status says a row failed (issue 17)
    assert done.stdout.splitlines()[1] == "A,80000,40000.00,true,half_vested,0.00,"
    assert done.stderr.startswith(
        "2 participants: 1 eligible, total capacity $40,000.00, 1 row(s) with errors"
    )
    assert "\x1b[" not in done.stderr and "\r" not in done.stderr


def test_batch_draws_its_progress_bar_on_a_terminal(tmp_path: Path):
    import pty

    source = tmp_path / "p.csv"
    source.write_text("participant_id,vested_balance\nA,80000\n")
    leader, follower = pty.openpty()
    done = subprocess.run(
        [str(SCRIPT), "batch", str(source), "-o", str(tmp_path / "out.csv")],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        timeout=60,
        check=False,
    )
    os.close(follower)
    seen = b""
    try:
        while chunk := os.read(leader, 65536):
            seen += chunk
    except OSError:  # the terminal closed
        pass
    os.close(leader)
    assert done.returncode == 0
    assert b"Batch" in seen and b"100%" in seen and b"1 participants" in seen
