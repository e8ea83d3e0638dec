"""`loan401k batch --servicing` (issue 12): every row against the dated engine run on the same
loan (a loan that stopped paying after k installments is a `missed_payments` event with
`resume: false` from installment k+1), the level payment against
`amortization.level_payment` to the cent, the cure deadlines of RULES.md §16.3, the 1099-R
age codes by hand, bad rows failing alone with their reason, CSV and Parquet, streaming in
batches, and the exit status.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
from decimal import Decimal
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from click.testing import CliRunner

import loan401k
from loan401k import cli
from loan401k.batch import servicing
from loan401k.dates import add_months, quarter_end
from loan401k.engine import servicing_dates
from loan401k.engine.amortization import level_payment, payment_dates, periods_in_term
from loan401k.engine.events import LoanEvent, Policy, service
from loan401k.engine.loan import LoanTerms
from loan401k.money import cents, pct
from loan401k.params import parameters
from loan401k.rules.loan_events import cure_deadline

TODAY = dt.date(2027, 1, 1)  # the day for rows without their own as_of
FREQUENCIES = servicing_dates.FREQUENCIES
EPOCH = dt.date(1970, 1, 1)


def run_rows(rows: list[dict[str, str | None]], day: dt.date = TODAY) -> list[dict]:
    frame = pl.DataFrame(rows, schema={name: pl.String for name in rows[0]})
    return servicing.compute(frame, day).to_dicts()


def invoke(*args: str):
    return CliRunner().invoke(cli.main, list(args), catch_exceptions=False)


# --------------------------------------------------------------------------- the engine's view


def expected(row: dict[str, str | None]) -> dict:
    """The row's loan through the dated engine (engine.events.service), read on as_of (due
    dates on as_of are served before a payoff that day, a cure deadline before it is not
    waited on, so the payoff only ends the run); past a
    deemed distribution (where the engine stops) the balance goes on by hand: each missed
    installment's interest round_cents(b x r) capitalized, the installment added to the arrears."""
    start = dt.date.fromisoformat(row["start_date"])
    as_of = dt.date.fromisoformat(row["as_of"] or TODAY.isoformat())
    frequency = row.get("frequency") or "monthly"
    convention = row.get("rate_convention") or "nominal"
    terms = LoanTerms(
        amount=Decimal(row["amount"]),
        annual_rate=pct(Decimal(row["annual_rate_pct"])),
        term_months=int(row["term_months"]),
        frequency=frequency,
        convention=convention,
        start_date=start,
    )
    payment = level_payment(terms.amount, terms.period_rate, terms.periods)
    dates = payment_dates(start, frequency, terms.periods)
    paid = int(row["payments_made"])
    cure = row.get("cure_period_days")
    events = [LoanEvent("missed_payments", dates[paid], resume=False)] if paid < len(dates) else []
    if as_of > start:  # the engine need not run past as_of: a payoff that day ends it there
        events = sorted([*events, LoanEvent("payoff", as_of)], key=lambda e: e.date)
    law = parameters().in_force(max(start, parameters().first_date))
    path = service(terms, payment, events, Policy(cure_days=int(cure) if cure else None), "general", law)
    deemed = next((d for d in path.distributions if d.kind == "deemed" and d.date < as_of), None)
    seen = [r for r in path.rows if r.date <= as_of]
    balance = seen[-1].balance if seen else terms.amount
    missed = [r for r in seen if r.status == "missed"]
    arrears = sum((r.due for r in missed), Decimal(0))
    due = len(seen)
    if deemed is not None:  # the engine stops on the deadline; the loan still accrues
        rate = terms.period_rate
        for i, day in enumerate(dates, start=1):
            if deemed.date < day <= as_of:
                balance += cents(balance * rate)
                arrears += balance if (i == len(dates) or balance <= payment) else payment
                due += 1
    oldest = dates[paid] if missed else None
    status = "deemed" if deemed else "delinquent" if missed else "paid_off" if balance == 0 else "current"
    return {
        "payment": payment,
        "status": status,
        "balance": balance,
        "arrears": min(arrears, balance) if missed else Decimal(0),
        "oldest_missed_due": oldest,
        "cure_deadline": cure_deadline(oldest, int(cure) if cure else None) if oldest else None,
        "deemed_date": deemed.date if deemed else None,
        "deemed_amount": deemed.amount if deemed else None,
        "installments_due": due,
    }


def money_text(cents_: int, rng: random.Random) -> str:
    whole, part = divmod(cents_, 100)
    if part == 0 and rng.random() < 0.5:
        return str(whole)
    return f"${whole:,}.{part:02d}" if rng.random() < 0.2 else f"{whole}.{part:02d}"


RATES = ["8.75", "7", "9", "6.5", "4", "7.125", "0", "8.333", "12.3456789", "0.5", "29.99"]


def random_loan(rng: random.Random, index: int, long_terms: bool = True) -> dict[str, str | None]:
    frequency = rng.choice(FREQUENCIES)
    term = rng.choice([1, 3, 12, 36, 60, 60, 60] + ([120, 240, 360] if long_terms else []))
    start = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 1000))
    n = periods_in_term(term, frequency, start)
    if n == 0:
        frequency = "monthly"
        n = term
    as_of = start + dt.timedelta(days=rng.randint(0, min(term, 80) * 31 + 250))
    due = sum(1 for day in payment_dates(start, frequency, n) if day <= as_of)
    paid = rng.choice([due, due, due, rng.randint(0, due), max(0, due - 1), max(0, due - 3), 0])
    rate = rng.choice(RATES + [f"{rng.uniform(0, 30):.{rng.randint(0, 4)}f}"])
    return {
        "loan_id": f"L{index:05d}",
        "amount": money_text(rng.choice([rng.randint(100_000, 5_000_000), rng.randint(1, 10_000_000)]), rng),
        "annual_rate_pct": rate,
        "term_months": str(term),
        "frequency": None if frequency == "monthly" and rng.random() < 0.5 else frequency,
        "start_date": start.isoformat(),
        "as_of": as_of.isoformat(),
        "payments_made": str(paid),
        "rate_convention": rng.choice([None, None, "nominal", "effective"]),
        "cure_period_days": rng.choice([None, None, "0", "30", "90", "184"]),
        "source": rng.choice([None, "pretax", "roth"]),
        "birth_date": rng.choice([None, "1970-03-15", "1960-10-31"]),
    }


def normalized(row: dict[str, str | None]) -> dict[str, str | None]:
    """The cells as the engine takes them: plain dollars; an empty frequency is monthly."""
    out = dict(row)
    out["amount"] = str(row["amount"]).replace("$", "").replace(",", "")
    out["frequency"] = row["frequency"] or "monthly"
    return out


FIELDS = ("payment", "status", "arrears", "oldest_missed_due", "cure_deadline", "balance", "deemed_date")


def test_every_row_is_the_dated_engine_on_the_same_loan():
    rng = random.Random(12)
    rows = [random_loan(rng, i) for i in range(250)]  # the engine takes ~40 ms a loan
    got = run_rows(rows)
    statuses = set()
    for row, out in zip(rows, got, strict=True):
        want = expected(normalized(row))
        assert out["error"] is None, (row, out["error"])
        assert {k: out[k] for k in (*FIELDS, "deemed_amount", "installments_due")} == want, row
        statuses.add(out["status"])
    assert statuses == {"current", "delinquent", "deemed", "paid_off"}


def test_rows_match_loan401k_events():
    """The library face: `loan401k.events` with the missed_payments event, 1099-R code included."""
    rng = random.Random(7)
    checked = 0
    while checked < 25:
        row = random_loan(rng, checked, long_terms=False)
        row["birth_date"] = None
        amount = Decimal(normalized(row)["amount"])
        if not Decimal(1000) <= amount <= Decimal(50_000):
            continue
        start = dt.date.fromisoformat(row["start_date"])
        age = rng.choice([30, 45, 62])  # far from 59½, where ages by months and by days agree
        row["birth_date"] = add_months(start, -12 * age).isoformat()
        frequency = normalized(row)["frequency"]
        dates = payment_dates(start, frequency, periods_in_term(int(row["term_months"]), frequency, start))
        paid = int(row["payments_made"])
        missed = (
            [{"kind": "missed_payments", "date": str(dates[paid]), "resume": False}]
            if paid < len(dates)
            else []
        )
        data = {
            "age": age,
            "vested_balance": str(3 * amount),
            "amount": str(amount),
            "annual_rate_pct": row["annual_rate_pct"],
            "term_months": int(row["term_months"]),
            "frequency": normalized(row)["frequency"],
            "rate_convention": row["rate_convention"] or "nominal",
            "start_date": row["start_date"],
            "source": row["source"] or "pretax",
            "cure_period_days": int(row["cure_period_days"]) if row["cure_period_days"] else None,
            "events": missed,
        }
        result = loan401k.events(data)
        (out,) = run_rows([row])
        as_of = dt.date.fromisoformat(row["as_of"])
        seen = [r for r in result.timeline if r.date <= as_of]
        assert out["payment"] == result.loan.payment
        if out["status"] != "deemed":  # past a deemed date the engine stops; the batch goes on
            assert out["balance"] == (seen[-1].balance if seen else amount)
        deemed = result.deemed_distribution
        if deemed is not None and deemed.date < as_of:
            assert (out["status"], out["deemed_date"], out["deemed_amount"], out["form_1099r_code"]) == (
                "deemed",
                deemed.date,
                deemed.amount,
                deemed.form_1099r_code,
            )
        else:
            late = any(r.status == "missed" for r in seen)
            owed = seen[-1].balance if seen else amount
            status = "delinquent" if late else ("paid_off" if owed == 0 else "current")
            assert (out["status"], out["form_1099r_code"]) == (status, None)
        checked += 1


def test_the_level_payment_is_the_engines_to_the_cent():
    rng = random.Random(3)
    rows = []
    for i in range(4000):
        row = random_loan(rng, i)
        row["annual_rate_pct"] = rng.choice(
            [f"{rng.uniform(0, 30):.{rng.randint(0, 6)}f}", rng.choice(RATES), "1e-9", "0.0000001"]
        )
        row["payments_made"], row["as_of"] = "0", row["start_date"]
        rows.append(row)
    for row, out in zip(rows, run_rows(rows), strict=True):
        row = normalized(row)
        terms = LoanTerms(
            Decimal(row["amount"]),
            pct(Decimal(row["annual_rate_pct"])),
            int(row["term_months"]),
            row["frequency"],
            row["rate_convention"] or "nominal",
            dt.date.fromisoformat(row["start_date"]),
        )
        assert out["payment"] == level_payment(terms.amount, terms.period_rate, terms.periods), row


def test_a_half_cent_of_interest_rounds_as_the_engines_28_digit_rate():
    """$28.50 at 4 %: r = 0.04 / 12 = 0.003333… (28 digits, just below a third of a percent),
    so b r = 0.094999… cents rounds to $0.09, where the exact rational would give $0.095 → $0.10."""
    row = {
        "loan_id": "H",
        "amount": "28.50",
        "annual_rate_pct": "4",
        "term_months": "1",
        "start_date": "2026-01-15",
        "as_of": "2026-02-15",
        "payments_made": "0",
    }
    (out,) = run_rows([row])
    assert cents(Decimal("28.50") * (Decimal("0.04") / 12)) == Decimal("0.09")
    assert (out["status"], out["balance"], out["arrears"]) == (
        "delinquent",
        Decimal("28.59"),
        Decimal("28.59"),
    )
    assert out["payment"] == Decimal("28.60")  # level_payment's own rounding of 28.595


@pytest.mark.parametrize(
    ("amount", "rate", "what"),
    [
        # P (1 + r) = $12,224.205 exactly; the engine's 28 digits round it down, the double up
        ("12143.25", "8", "payment"),
        # 7 decimals take the double path: b r = 5,000,014.5 cents exactly, the double says .4999…
        ("60000000", "1.0000029", "balance"),
    ],
)
def test_values_a_double_cannot_decide_are_the_engines(amount: str, rate: str, what: str):
    row = {
        "loan_id": "D",
        "amount": amount,
        "annual_rate_pct": rate,
        "term_months": "1" if what == "payment" else "12",
        "frequency": "monthly",
        "start_date": "2026-01-15",
        "as_of": "2026-02-15",
        "payments_made": "0",
    }
    (out,) = run_rows([row])
    want = expected(row)
    assert (out["payment"], out["balance"]) == (want["payment"], want["balance"])
    if what == "payment":
        assert want["payment"] == Decimal("12224.20")
    else:
        assert want["balance"] == Decimal("60050000.15")


# --------------------------------------------------------------------------- the law's dates


@pytest.mark.parametrize(
    ("due", "deadline"),
    [  # RULES.md §16.3
        ("2026-02-02", "2026-06-30"),
        ("2026-07-01", "2026-12-31"),
        ("2026-06-30", "2026-09-30"),
        ("2026-03-31", "2026-06-30"),
        ("2026-10-01", "2027-03-31"),
        ("2026-12-31", "2027-03-31"),
    ],
)
def test_cure_deadlines_of_rules_16_3(due: str, deadline: str):
    """A weekly loan whose first installment, due on `due`, is missed: delinquent up to and
    on the deadline, deemed the day after, on the deadline, for the balance with interest."""
    start = dt.date.fromisoformat(due) - dt.timedelta(days=7)
    last = dt.date.fromisoformat(deadline)
    base = {
        "loan_id": "C",
        "amount": "10000",
        "annual_rate_pct": "0",
        "term_months": "12",
        "frequency": "weekly",
        "start_date": start.isoformat(),
        "payments_made": "0",
    }
    days = [due, deadline, (last + dt.timedelta(days=1)).isoformat()]
    on_due, on_deadline, after = run_rows([base | {"as_of": day} for day in days])
    for out in (on_due, on_deadline):
        assert (out["status"], str(out["oldest_missed_due"]), str(out["cure_deadline"])) == (
            "delinquent",
            due,
            deadline,
        )
    assert (after["status"], str(after["deemed_date"]), after["deemed_amount"]) == (
        "deemed",
        deadline,
        Decimal("10000.00"),  # at 0 % the balance is the amount
    )


def test_a_plan_cure_period_shorter_than_the_regulations():
    base = {
        "loan_id": "P",
        "amount": "12000",
        "annual_rate_pct": "0",
        "term_months": "12",
        "start_date": "2026-01-02",
        "payments_made": "0",
        "cure_period_days": "30",
    }
    on_day, late = run_rows([base | {"as_of": "2026-03-04"}, base | {"as_of": "2026-03-05"}])
    assert (on_day["status"], str(on_day["cure_deadline"])) == ("delinquent", "2026-03-04")  # Feb 2 + 30
    # deemed on the deadline: 2 installments missed by then ($1,000 each), balance $12,000
    assert (late["status"], str(late["deemed_date"]), late["arrears"]) == ("deemed", "2026-03-04", 2000)


def test_the_1099r_code_by_age_and_source():
    """Born 1967-01-01: 59½ on 2026-07-01. Deemed 2026-06-30 (due Feb 2, not made up): 1L;
    deemed 2026-09-30 (due Apr 2): 7L; Roth: BL; no birth date: L, and the row says why."""
    base = {
        "loan_id": "A",
        "amount": "6000",
        "annual_rate_pct": "0",
        "term_months": "12",
        "start_date": "2026-01-02",
        "as_of": "2026-12-01",
        "source": "pretax",
        "birth_date": "1967-01-01",
    }
    rows = run_rows(
        [
            base | {"payments_made": "0"},
            base | {"payments_made": "2"},
            base | {"payments_made": "2", "source": "roth"},
            base | {"payments_made": "2", "birth_date": None},
        ]
    )
    assert [(str(r["deemed_date"]), r["form_1099r_code"]) for r in rows] == [
        ("2026-06-30", "1L"),
        ("2026-09-30", "7L"),
        ("2026-09-30", "BL"),
        ("2026-09-30", "L"),
    ]
    assert [r["note"] is not None for r in rows] == [False, False, False, True]
    assert "birth_date" in rows[3]["note"]


def test_the_calendar_over_columns_is_the_one_date_calendar():
    rng = random.Random(5)
    starts = [dt.date(1990, 1, 1) + dt.timedelta(days=rng.randint(0, 20_000)) for _ in range(1500)]
    frequency = [rng.randrange(5) for _ in starts]
    number = [rng.randint(1, 400) for _ in starts]
    day = np.array([(s - EPOCH).days for s in starts])
    schedules = servicing_dates.Schedules(day, np.array(frequency))
    due = schedules.due_date(np.array(number))
    later = day + np.array([rng.randint(-40, 12_000) for _ in starts])
    through = schedules.dates_through(later)
    ends = servicing_dates.quarter_end(later, 1)
    for i, start in enumerate(starts):
        dates = payment_dates(start, FREQUENCIES[frequency[i]], 2200)
        on = EPOCH + dt.timedelta(days=int(later[i]))
        assert EPOCH + dt.timedelta(days=int(due[i])) == dates[number[i] - 1]
        assert through[i] == sum(1 for d in dates if d <= on)
        assert EPOCH + dt.timedelta(days=int(ends[i])) == quarter_end(on, 1)
    terms = np.array([rng.randint(1, 480) for _ in starts])
    periods = schedules.periods_in_term(terms)
    assert [int(p) for p in periods] == [
        periods_in_term(int(t), FREQUENCIES[f], s) for t, f, s in zip(terms, frequency, starts, strict=True)
    ]


# --------------------------------------------------------------------------- bad rows


GOOD = "L1,25000,8.75,60,monthly,2026-01-15,2027-03-01,13,,,,1980-05-01"
HEADER = ",".join(servicing.INPUT_COLUMNS)
FILE = (
    HEADER
    + """
{good}
L2,-5,8.75,60,monthly,2026-01-15,2027-03-01,13,,,,
L3,25000,x,60,monthly,2026-01-15,2027-03-01,13,,,,
L4,25000,8.75,600,monthly,2026-01-15,2027-03-01,13,,,,
L5,25000,8.75,60,fortnightly,2026-01-15,2027-03-01,13,,,,
L6,25000,8.75,60,monthly,2026-13-01,2027-03-01,13,,,,
L7,25000,8.75,60,monthly,2026-01-15,2027-03-01,14,,,,
L8,25000,8.75,60,monthly,2026-01-15,2025-03-01,0,,,,
L9,25000,8.75,2,quarterly,2026-01-15,2027-03-01,0,,,,
L10,25000,8.75,60,monthly,2026-01-15,2027-03-01,,,,,
L11,25000,8.75,60,monthly,2026-01-15,2027-03-01,12,sideways,999,after-tax,
L12,25000,8.75,60,monthly,2026-01-15,2027-03-01,12,,,,2027-01-01
{good2}
L14,25000,8.75,60,monthly,2026-01-15,2027-03-01,12,,,,1980-05-01,"an extra cell"
"""
)
REASONS = {  # line of the file -> what its error says
    3: "amount: -5 is out of range; allowed: more than 0 and up to 100,000,000",
    4: "annual_rate_pct: 'x' is not a number; allowed range: 0 to 30",
    5: "term_months: 600 is out of range; allowed range: 1 to 480",
    6: "frequency: 'fortnightly' is not one of the choices; allowed: 'weekly', 'biweekly', 'semimonthly', "
    "'monthly' or 'quarterly'",
    7: "start_date: '2026-13-01' is not a date; allowed: a date written YYYY-MM-DD",
    8: "payments_made: 14 is more than the 13 installments due by as_of 2027-03-01",
    9: "as_of: 2025-03-01 is before start_date 2026-01-15",
    10: "term_months: 2 is shorter than one quarterly payment period; "
    'allowed: at least 3 with frequency "quarterly"',
    11: "payments_made: required",
    12: "rate_convention: 'sideways' is not one of the choices; allowed: 'nominal' or 'effective'; "
    "cure_period_days: 999 is out of range; allowed range: 0 to 184; source: 'after-tax' is not one",
    13: "birth_date: 2027-01-01 is not before start_date 2026-01-15",
    15: "line 15: 13 cells, the header has 12",
}


@pytest.mark.parametrize(
    ("name", "cell"),
    [
        ("amount", "-5"),
        ("amount", "abc"),
        ("annual_rate_pct", "x"),
        ("annual_rate_pct", "40"),
        ("annual_rate_pct", "8." + "1" * 21),
        ("term_months", "600"),
        ("term_months", "12.5"),
        ("term_months", "abc"),
        ("frequency", "fortnightly"),
        ("rate_convention", "sideways"),
        ("cure_period_days", "-1"),
        ("source", "after-tax"),
        ("start_date", "2026-02-30"),
    ],
)
def test_a_bad_cell_is_said_in_the_apis_words(name: str, cell: str):
    from loan401k.models import InputError, parse_input

    with pytest.raises(InputError) as caught:
        parse_input({name: cell})
    (problem,) = caught.value.problems
    row = dict(zip(servicing.INPUT_COLUMNS, GOOD.split(","), strict=True)) | {name: cell}
    assert run_rows([row])[0]["error"] == f"{problem.field}: {problem.message}"


@pytest.fixture
def loans(tmp_path: Path) -> Path:
    path = tmp_path / "loans.csv"
    path.write_text(FILE.format(good=GOOD, good2=GOOD.replace("L1,", "L13,").replace(",13,", ",12,")))
    return path


def test_a_bad_row_fails_alone_with_its_reason(loans: Path):
    result = invoke("batch", "--servicing", str(loans), "--as-of", "2027-01-01")
    assert result.exit_code == 2, result.output  # every row written; the status says some failed
    lines = result.stdout.splitlines()
    out = pl.read_csv(io.StringIO(result.stdout), infer_schema=False)
    assert len(lines) == 15 and lines[0].endswith(",".join(servicing.OUTPUT_COLUMNS))
    for line, row in enumerate(out.iter_rows(named=True), start=2):
        if line in REASONS:
            assert REASONS[line] in row["error"], (line, row["error"])
            assert row["status"] is None and row["balance"] is None
            assert lines[line - 1].startswith((row["loan_id"] or "") + ",")  # a bad line: no cells
        else:
            assert row["error"] is None, (line, row["error"])
    # the good rows are what they are alone
    first, last = out.row(0, named=True), out.row(-2, named=True)
    alone = run_rows([dict(zip(servicing.INPUT_COLUMNS, GOOD.split(","), strict=True))])[0]
    assert (first["status"], first["balance"]) == ("current", str(alone["balance"]))
    assert last["status"] == "delinquent"
    assert "14 loans: 1 current, 1 delinquent" in result.stderr and "12 row(s) with errors" in result.stderr


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_csv_and_parquet_in_and_out(loans: Path, tmp_path: Path, suffix: str):
    clean = tmp_path / "clean.csv"  # without the line that cannot be read, for polars' reader
    clean.write_text("\n".join(loans.read_text().splitlines()[:-1]) + "\n")
    loans, out_path = clean, tmp_path / f"out{suffix}"
    result = invoke(
        "batch", "--servicing", str(loans), "-o", str(out_path), "--json", "--as-of", "2027-01-01"
    )
    assert result.exit_code == 2, result.output  # rows with errors, all written
    summary = json.loads(result.stdout)
    assert {
        k: summary[k] for k in ("rows", "current", "delinquent", "deemed", "paid_off", "rows_with_errors")
    } == {
        "rows": 13,
        "current": 1,
        "delinquent": 1,
        "deemed": 0,
        "paid_off": 0,
        "rows_with_errors": 11,
    }
    back = pl.read_csv(out_path, infer_schema=False) if suffix == ".csv" else pl.read_parquet(out_path)
    source = pl.read_csv(loans, infer_schema=False)
    assert back.columns == [*source.columns, *servicing.OUTPUT_COLUMNS]
    assert back.select(source.columns).equals(source)  # the input cells come back unchanged
    # Parquet in (typed: dates, integers, floats) gives the same results
    typed = tmp_path / "typed.parquet"
    source.with_columns(
        pl.col("amount", "annual_rate_pct").cast(pl.Float64, strict=False),
        pl.col("term_months", "payments_made").cast(pl.Int64, strict=False),
        pl.col("start_date", "as_of").str.to_date(strict=False),
    ).filter(pl.col("loan_id").is_in(["L1", "L13"])).write_parquet(typed)
    again = tmp_path / f"again{suffix}"
    assert (
        invoke("batch", "--servicing", str(typed), "-o", str(again), "--as-of", "2027-01-01").exit_code == 0
    )
    second = pl.read_csv(again, infer_schema=False) if suffix == ".csv" else pl.read_parquet(again)
    assert second.select(servicing.OUTPUT_COLUMNS).equals(
        back.filter(pl.col("loan_id").is_in(["L1", "L13"])).select(servicing.OUTPUT_COLUMNS)
    )


def test_json_rows_on_standard_output(loans: Path):
    whole = json.loads(invoke("batch", "--servicing", str(loans), "--json", "--as-of", "2027-01-01").stdout)
    assert [row["status"] for row in whole["rows"]][:2] == ["current", None]
    assert whole["rows"][0]["payment"] == 515.93 and whole["summary"]["rows"] == 14


def test_rows_without_as_of_take_the_day_given(tmp_path: Path):
    path = tmp_path / "l.csv"
    path.write_text(
        "loan_id,amount,annual_rate_pct,term_months,start_date,payments_made\nA,12000,0,12,2026-01-02,1\n"
    )
    first, second = (
        invoke("batch", "--servicing", str(path), "--as-of", d) for d in ("2026-02-15", "2026-08-01")
    )
    assert first.exit_code == second.exit_code == 0  # every row computed
    early, late = first.stdout.splitlines()[1], second.stdout.splitlines()[1]
    assert ",current,1,0.00,,,11000.00," in early
    assert ",deemed,6,5000.00,2026-03-02,2026-06-30,11000.00,2026-06-30,11000.00,L," in late


def test_a_large_file_streams_in_batches(tmp_path: Path):
    rng = random.Random(9)
    rows = [random_loan(rng, i) for i in range(5000)]
    source = tmp_path / "many.csv"
    pl.DataFrame(rows, schema={name: pl.String for name in rows[0]}).write_csv(source)
    calls: list[tuple[int, int]] = []
    with servicing_output(tmp_path / "small.parquet") as writer:
        summary = servicing.run(
            str(source), writer, day=TODAY, batch_rows=1000, progress=lambda *a: calls.append(a)
        )
    with servicing_output(tmp_path / "one.parquet") as writer:
        servicing.run(str(source), writer, day=TODAY, batch_rows=10_000)
    assert calls == [(1000 * i, 5000) for i in range(1, 6)]
    assert pl.read_parquet(tmp_path / "small.parquet").equals(pl.read_parquet(tmp_path / "one.parquet"))
    assert summary.rows == 5000 and summary.rows_with_errors == 0
    assert summary.current + summary.delinquent + summary.deemed + summary.paid_off == 5000


def servicing_output(path: Path):
    from loan401k.batch import open_output

    return open_output(str(path), "parquet")


# --------------------------------------------------------------------------- exit status


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (
            "loan_id,amount,rate,term_month\nA,1,2,3\n",
            [],
            "column 'term_month': unknown column; did you mean 'term_months'?",
        ),
        ("loan_id,amount\nA,1\n", [], "column 'payments_made': required"),
        (FILE, ["--min-loan", "5000"], "--min-loan: a plan option of the limits, not used with --servicing"),
        (FILE, ["--engine", "dask"], "--engine: --servicing runs on the local engine"),
        (FILE, ["-o", "out.xlsx"], "output: out.xlsx: unknown file type '.xlsx'"),
        (None, [], "no such file"),
    ],
)
def test_bad_files_and_flags_exit_2(tmp_path: Path, content, args, message):
    path = tmp_path / "in.csv"
    if content is not None:
        path.write_text(content.format(good=GOOD, good2=GOOD))
    result = invoke("batch", "--servicing", str(path), *args)
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_as_of_without_servicing_is_exit_2(loans: Path):
    result = invoke("batch", str(loans), "--as-of", "2027-01-01")
    assert result.exit_code == 2 and "--as-of: only with --servicing" in result.stderr
