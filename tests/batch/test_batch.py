"""`loan401k batch` (PRODUCT F13, CONTRACT "batch"): the vectorized METHOD §1 rule against the
one-person rule (`loan401k.limit`, Decimal, pydantic) row by row; bad rows reported on their
own row; CSV and Parquet round trips; streaming in bounded batches; the summary; exit codes;
and the Dask engine giving the local engine's output.
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import loan401k
from loan401k import batch, cli
from loan401k.models import InputError

LAW, _ = batch.law_on()
COLUMNS = (
    "participant_id",
    "vested_balance",
    "outstanding_loan_balance",
    "highest_loan_balance_12m",
    "existing_loans",
    "allow_10k_floor",
    "min_loan",
    "max_loans",
    "disaster_loan",
    "amount",
)

# Balances where a branch changes: the $1,000 minimum, the $10,000 floor (V = $20,000), the
# $50,000 cap (V = $100,000), odd cents that half rounds down, the disaster $100,000 cap.
EDGES = [
    0,
    1,
    99_999,
    100_000,
    100_001,
    199_999,
    200_000,
    200_001,
    999_999,
    1_000_000,
    1_000_001,
    1_999_999,
    2_000_000,
    2_000_001,
    5_000_000,
    8_000_001,
    9_999_999,
    10_000_000,
    10_000_001,
    10_000_002,
    20_000_000,
    20_000_001,
]


def dollars(cents: int, rng: random.Random) -> str:
    """Cents as a cell a person might type: "80000", "80000.5", "80000.50", "$80,000.50"."""
    whole, part = divmod(cents, 100)
    style = rng.random()
    if part == 0 and style < 0.5:
        return str(whole)
    if style < 0.1:
        return f"${whole:,}.{part:02d}"
    if part % 10 == 0 and style < 0.3:
        return f"{whole}.{part // 10}"
    return f"{whole}.{part:02d}"


def valid_row(rng: random.Random, index: int) -> dict[str, str | None]:
    pick = rng.random()
    if pick < 0.35:
        vested = rng.choice(EDGES)
    elif pick < 0.7:
        vested = rng.randint(0, 3_000_000)
    else:
        vested = rng.randint(0, 30_000_000)
    outstanding = (
        0
        if rng.random() < 0.4
        else rng.choice([vested, rng.randint(0, vested), rng.randint(0, min(vested, 6_000_000))])
    )
    highest = None
    if rng.random() < 0.6:
        highest = outstanding + rng.choice(
            [0, 1, 500_000, 1_000_000, rng.randint(0, 6_000_000), rng.randint(0, 12_000_000)]
        )
    row: dict[str, str | None] = {name: None for name in COLUMNS}
    row["participant_id"] = f"P{index:05d}"
    row["vested_balance"] = dollars(vested, rng)
    if outstanding or rng.random() < 0.5:
        row["outstanding_loan_balance"] = dollars(outstanding, rng)
    if highest is not None:
        row["highest_loan_balance_12m"] = dollars(highest, rng)
    if rng.random() < 0.5:
        row["existing_loans"] = str(rng.randint(0, 4))
    if rng.random() < 0.35:
        row["max_loans"] = str(rng.randint(1, 4))
    if rng.random() < 0.4:
        row["allow_10k_floor"] = rng.choice(["true", "false", "yes", "no", "1", "0", "TRUE"])
    if rng.random() < 0.2:
        row["disaster_loan"] = rng.choice(["true", "false", "1"])
    if rng.random() < 0.4:
        row["min_loan"] = dollars(rng.choice([0, 1, 50_000, 100_000, rng.randint(0, 100_000)]), rng)
    if rng.random() < 0.5:
        asked = rng.choice([1, 100_000, 1_000_000, 5_000_000, rng.randint(1, 15_000_000)])
        row["amount"] = dollars(asked, rng)
    return row


BAD_CELLS = {
    "vested_balance": ["-5", "abc", "80000.005", "100000000.01", "1,5", "nan", "12..5"],
    "outstanding_loan_balance": ["-0.01", "ten"],
    "highest_loan_balance_12m": ["-1", "1e400"],
    "existing_loans": ["-1", "2.5", "51", "two"],
    "max_loans": ["0", "x", "51"],
    "min_loan": ["10000.01", "-1"],
    "amount": ["0", "-10", "1.001"],
    "allow_10k_floor": ["maybe", "2"],
    "disaster_loan": ["sometimes"],
}


def bad_row(rng: random.Random, index: int) -> dict[str, str | None]:
    row = valid_row(rng, index)
    kind = rng.random()
    if kind < 0.6:
        name = rng.choice(sorted(BAD_CELLS))
        row[name] = rng.choice(BAD_CELLS[name])
    elif kind < 0.75:  # H < O
        row["vested_balance"], row["outstanding_loan_balance"] = "80000", "20000"
        row["highest_loan_balance_12m"] = "19999.99"
    elif kind < 0.9:  # O > V
        row["vested_balance"], row["outstanding_loan_balance"] = "1000", "1000.01"
        row["highest_loan_balance_12m"] = None
    else:  # no vested balance in this row
        row["vested_balance"] = None
    return row


def frame_of(rows: list[dict[str, str | None]]) -> pl.DataFrame:
    """The rows as `scan_csv(infer_schema=False)` reads them: every cell text or null."""
    return pl.DataFrame(rows, schema={name: pl.String for name in COLUMNS})


def expected(row: dict[str, str | None]) -> dict[str, object]:
    """The independent answer: the same cells through the input model and the Decimal rule."""
    fields = {name: value for name, value in row.items() if name != "participant_id" and value is not None}
    try:
        result = loan401k.limit(fields)
    except InputError as exc:
        return {"error_fields": sorted({p.field for p in exc.problems})}
    return {
        "max_loan": result.max_loan,
        "eligible": result.eligible,
        "binding_rule": result.binding_rule,
        "excess": result.excess,
    }


def error_fields(text: str) -> list[str]:
    named = set(re.findall(r"(?:^|; )([a-z0-9_]+): ", text))
    return sorted(named & set(COLUMNS))  # not "allowed: more than 0 ..." inside a message


def got(out_row: dict[str, object]) -> dict[str, object]:
    if out_row["error"] is not None:
        return {"error_fields": error_fields(str(out_row["error"]))}
    return {name: out_row[name] for name in ("max_loan", "eligible", "binding_rule", "excess")}


def assert_rows_match(rows: list[dict[str, str | None]]) -> None:
    out = batch.compute(frame_of(rows), LAW)
    assert out.height == len(rows)
    for row, out_row in zip(rows, out.iter_rows(named=True), strict=True):
        assert out_row["participant_id"] == row["participant_id"]
        assert got(out_row) == expected(row), row


# --------------------------------------------------------------------------- the rule, row by row


def test_vectorized_rule_equals_loan401k_limit_on_thousands_of_rows():
    rng = random.Random(401)
    rows = [bad_row(rng, i) if rng.random() < 0.15 else valid_row(rng, i) for i in range(3000)]
    assert_rows_match(rows)
    out = batch.compute(frame_of(rows), LAW)
    # the sample reaches every binding rule and both kinds of outcome
    assert set(out["binding_rule"].drop_nulls()) == set(batch.BINDING_RULES)
    assert out["error"].null_count() < len(rows) - 200
    assert (out["excess"].drop_nulls() > 0).sum() > 100


HAND_CASES = [
    # vested, outstanding, highest, options, max_loan, binding  (METHOD §1 by hand)
    ("80000", "18000", "27000", {}, "22000.00", "half_vested"),  # min(41,000, 40,000) - 18,000
    ("80000", "18000", "40000", {}, "10000.00", "dollar_cap"),  # min(28,000, 40,000) - 18,000
    ("100000", None, None, {}, "50000.00", "dollar_cap"),  # tie: the dollar cap binds
    ("100000.01", None, None, {}, "50000.00", "dollar_cap"),  # half rounds down to 50,000.00: a tie
    ("80000.01", None, None, {}, "40000.00", "half_vested"),  # half of 80,000.01 is 40,000.005 -> down
    ("15000", None, None, {"allow_10k_floor": "true"}, "10000.00", "ten_thousand_floor"),
    ("8000", None, None, {"allow_10k_floor": "true"}, "8000.00", "vested_balance"),
    ("20000", None, None, {"allow_10k_floor": "true"}, "10000.00", "half_vested"),  # floor = half
    ("1999.99", None, None, {}, "0.00", "plan_minimum"),  # 999.99 < 1,000
    ("1999.99", None, None, {"min_loan": "500"}, "999.99", "half_vested"),
    ("150000", None, None, {"disaster_loan": "true"}, "100000.00", "dollar_cap"),
    ("60000", "10000", None, {"disaster_loan": "yes"}, "50000.00", "half_vested"),  # all of V, less O
    ("200000", "0", "60000", {}, "0.00", "plan_minimum"),  # look-back empties the cap
    ("80000", "5000", None, {"existing_loans": "1", "max_loans": "1"}, "0.00", "loan_count"),
]


@pytest.mark.parametrize(("vested", "outstanding", "highest", "options", "max_loan", "binding"), HAND_CASES)
def test_hand_computed_limits(vested, outstanding, highest, options, max_loan, binding):
    row = (
        {name: None for name in COLUMNS}
        | {
            "participant_id": "x",
            "vested_balance": vested,
            "outstanding_loan_balance": outstanding,
            "highest_loan_balance_12m": highest,
        }
        | options
    )
    out = batch.compute(frame_of([row]), LAW).row(0, named=True)
    assert (str(out["max_loan"]), out["binding_rule"]) == (max_loan, binding)
    assert got(out) == expected(row)


money_cells = st.one_of(st.sampled_from(EDGES), st.integers(0, 30_000_000)).map(
    lambda cents: f"{cents // 100}.{cents % 100:02d}"
)


@st.composite
def rows_strategy(draw):
    vested = draw(money_cells)
    v = int(Decimal(vested) * 100)
    o = draw(st.one_of(st.just(0), st.integers(0, v)))
    h = draw(st.one_of(st.none(), st.integers(o, o + 7_000_000)))
    cell = lambda cents: None if cents is None else f"{cents // 100}.{cents % 100:02d}"  # noqa: E731
    return {
        "participant_id": "h",
        "vested_balance": vested,
        "outstanding_loan_balance": cell(o),
        "highest_loan_balance_12m": cell(h),
        "existing_loans": draw(st.one_of(st.none(), st.integers(0, 5).map(str))),
        "allow_10k_floor": draw(st.sampled_from([None, "true", "false"])),
        "min_loan": draw(st.one_of(st.none(), st.integers(0, 100_000).map(cell))),
        "max_loans": draw(st.one_of(st.none(), st.integers(1, 5).map(str))),
        "disaster_loan": draw(st.sampled_from([None, "true", "false"])),
        "amount": draw(st.one_of(st.none(), st.integers(1, 20_000_000).map(cell))),
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(rows_strategy(), min_size=1, max_size=25))
def test_property_vectorized_equals_limit(rows):
    assert_rows_match(rows)


def test_typed_parquet_columns_give_the_same_answers_as_text():
    rng = random.Random(7)
    rows = [valid_row(rng, i) for i in range(400)]
    text = batch.compute(frame_of(rows), LAW)

    def money(cell):
        return None if cell is None else float(cell.replace("$", "").replace(",", ""))

    def flag(cell):
        return None if cell is None else cell.lower() in ("true", "yes", "1")

    typed = pl.DataFrame(
        {
            "participant_id": [r["participant_id"] for r in rows],
            **{name: [money(r[name]) for r in rows] for name in batch.MONEY_COLUMNS},
            **{
                name: [None if r[name] is None else int(r[name]) for r in rows]
                for name in batch.COUNT_COLUMNS
            },
            **{name: [flag(r[name]) for r in rows] for name in batch.FLAG_COLUMNS},
        },
        schema_overrides={name: pl.Boolean for name in batch.FLAG_COLUMNS},
    )
    out = batch.compute(typed, LAW)
    for name in batch.OUTPUT_COLUMNS:
        assert out[name].to_list() == text[name].to_list(), name
    # a float with more than cents is a bad row, not a silently rounded one
    fractional = batch.compute(pl.DataFrame({"vested_balance": [80000.005, 80000.01]}), LAW)
    message = fractional["error"][0]
    assert message.startswith("vested_balance: ") and "more decimal places than allowed" in message
    assert fractional["max_loan"][1] == Decimal("40000.00")


# --------------------------------------------------------------------------- bad rows


def test_bad_rows_name_the_field_and_range_and_the_others_still_compute():
    rows = [
        {name: None for name in COLUMNS} | cells
        for cells in (
            {"vested_balance": "80000"},
            {"vested_balance": "-5"},
            {
                "vested_balance": "80000",
                "outstanding_loan_balance": "20000",
                "highest_loan_balance_12m": "10000",
            },
            {"vested_balance": "1000", "outstanding_loan_balance": "2000"},
            {"vested_balance": "eighty"},
            {"vested_balance": "80000", "allow_10k_floor": "maybe"},
            {"vested_balance": "80000", "max_loans": "0", "existing_loans": "2.5"},
            {"vested_balance": "50000"},
        )
    ]
    out = batch.compute(frame_of(rows), LAW)
    errors = out["error"].to_list()
    assert errors[0] is None and errors[-1] is None
    assert out["max_loan"].to_list()[0] == Decimal("40000.00")
    assert out["max_loan"].to_list()[-1] == Decimal("25000.00")
    assert errors[1] == "vested_balance: -5 is out of range; allowed range: 0 to 100,000,000"
    assert errors[2].startswith("highest_loan_balance_12m: 10000 is below outstanding_loan_balance (20000)")
    assert errors[3].startswith("outstanding_loan_balance: 2000 is above vested_balance (1000)")
    assert errors[4] == ("vested_balance: 'eighty' is not a number; allowed range: 0 to 100,000,000")
    assert errors[5].startswith("allow_10k_floor: 'maybe' is not allowed")
    assert error_fields(errors[6]) == ["existing_loans", "max_loans"]
    assert "allowed range: 1 to 50" in errors[6] and "allowed range: 0 to 50" in errors[6]
    for index in range(1, 7):  # a bad row has no figures, never a guess
        assert out.row(index, named=True)["max_loan"] is None
        assert out.row(index, named=True)["eligible"] is None


def test_cell_errors_use_the_apis_words():
    for cells in (
        {"vested_balance": "-5"},
        {"vested_balance": "80000.005"},
        {"vested_balance": "5", "amount": "0"},
        {"vested_balance": "5", "max_loans": "0"},
        {"vested_balance": "5", "min_loan": "10000.01"},
    ):
        row = {name: None for name in COLUMNS} | cells
        with pytest.raises(InputError) as caught:
            loan401k.limit({k: v for k, v in cells.items()})
        api = "; ".join(f"{p.field}: {p.message}" for p in caught.value.problems)
        assert batch.compute(frame_of([row]), LAW)["error"][0] == api


# --------------------------------------------------------------------------- files, summary, CLI


PARTICIPANTS = textwrap.dedent("""\
    participant_id,vested_balance,outstanding_loan_balance,highest_loan_balance_12m,existing_loans,amount
    A1,80000,18000,27000,1,30000
    A2,"$15,000",0,,0,
    A3,-5,0,,0,
    A4,250000,0,,0,50000
    A5,1500,0,,0,
    """)


def invoke(*args: str):
    return CliRunner().invoke(cli.main, list(args), catch_exceptions=False)


@pytest.fixture
def participants(tmp_path: Path) -> Path:
    path = tmp_path / "participants.csv"
    path.write_text(PARTICIPANTS)
    return path


def independent_summary(path: Path) -> dict[str, object]:
    rows = pl.read_csv(path, infer_schema=False).to_dicts()
    results = [expected(row) for row in rows]
    ok = [r for r in results if "error_fields" not in r]
    return {
        "rows": len(rows),
        "eligible": sum(r["eligible"] for r in ok),
        "total_capacity": float(sum(r["max_loan"] for r in ok if r["eligible"])),
        "rows_with_errors": len(rows) - len(ok),
    }


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_round_trip_and_summary(participants: Path, tmp_path: Path, suffix: str):
    out_path = tmp_path / f"limits{suffix}"
    result = invoke("batch", str(participants), "-o", str(out_path), "--json")
    assert result.exit_code == 2, result.output  # every row written; one of them is bad input (A3)
    summary = json.loads(result.stdout)
    assert {
        k: summary[k] for k in ("rows", "eligible", "total_capacity", "rows_with_errors")
    } == independent_summary(participants)
    assert summary == summary | {
        "rows": 5,
        "eligible": 3,
        "rows_with_errors": 1,
        "total_capacity": 22_000 + 7_500 + 50_000,
    }
    back = pl.read_csv(out_path, infer_schema=False) if suffix == ".csv" else pl.read_parquet(out_path)
    assert back.columns == [*pl.read_csv(participants).columns, *batch.OUTPUT_COLUMNS]
    assert back["participant_id"].to_list() == ["A1", "A2", "A3", "A4", "A5"]
    assert back["vested_balance"].to_list()[1] == "$15,000"  # the input cells come back unchanged
    assert [str(x) for x in back["max_loan"].to_list()] == ["22000.00", "7500.00", "None", "50000.00", "0.00"]
    assert [str(x) for x in back["excess"].to_list()] == ["8000.00", "0.00", "None", "0.00", "0.00"]
    assert back["binding_rule"].to_list() == [
        "half_vested",
        "half_vested",
        None,
        "dollar_cap",
        "plan_minimum",
    ]
    if suffix == ".parquet":  # Parquet in, Parquet out: same answers
        again = tmp_path / "again.parquet"
        # an output file is not an input file: its result columns are unknown input columns
        assert invoke("batch", str(out_path), "-o", str(again)).exit_code == 2
        pl.read_csv(participants, infer_schema=False).write_parquet(tmp_path / "in.parquet")
        assert invoke("batch", str(tmp_path / "in.parquet"), "-o", str(again)).exit_code == 2
        assert pl.read_parquet(again).equals(back)


def test_rows_on_standard_output_and_summary_on_standard_error(participants: Path):
    result = invoke("batch", str(participants))
    assert result.exit_code == 2  # A3's -5: the status says a row failed
    lines = result.stdout.splitlines()
    assert lines[0].endswith("max_loan,eligible,binding_rule,excess,error") and len(lines) == 6
    assert "5 participants: 3 eligible, total capacity $79,500.00, 1 row(s) with errors" in result.stderr
    whole = json.loads(invoke("batch", str(participants), "--json").stdout)
    assert [row["max_loan"] for row in whole["rows"]] == [22000.0, 7500.0, None, 50000.0, 0.0]
    assert whole["summary"]["rows"] == 5


def test_plan_option_flags_fill_empty_cells_only(tmp_path: Path):
    path = tmp_path / "p.csv"
    path.write_text("participant_id,vested_balance,allow_10k_floor\nA,15000,\nB,15000,false\n")
    out = invoke("batch", str(path), "--allow-10k-floor").stdout.splitlines()
    assert out[1].startswith("A,15000,,10000.00,true,ten_thousand_floor")
    assert out[2].startswith("B,15000,false,7500.00,true,half_vested")


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (
            "participant_id,vested,age\nA,1,2\n",
            [],
            "column 'vested': unknown column; did you mean 'vested_balance'?",
        ),
        ("participant_id,outstanding_loan_balance\nA,1\n", [], "column 'vested_balance': required"),
        (
            PARTICIPANTS,
            ["--min-loan", "50000"],
            "min_loan: Smallest loan the plan makes: 50000 is out of range; allowed range: $0 to $10,000",
        ),
        (PARTICIPANTS, ["-o", "out.xlsx"], "output: out.xlsx: unknown file type '.xlsx'"),
        (None, [], "no such file"),
        ("", [], "cannot read"),
    ],
)
def test_bad_files_and_flags_exit_2_with_one_line_each(tmp_path: Path, content, args, message):
    path = tmp_path / "in.csv"
    if content is not None:
        path.write_text(content)
    result = invoke("batch", str(path), *args)
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert all(line.startswith("error: ") for line in result.stderr.splitlines())


def test_a_failed_run_leaves_no_partial_output(tmp_path: Path):
    path = tmp_path / "in.csv"
    path.write_text("participant_id,vested\nA,1\n")
    out = tmp_path / "out.parquet"
    assert invoke("batch", str(path), "-o", str(out)).exit_code == 2
    assert list(tmp_path.iterdir()) == [path]


# --------------------------------------------------------------------------- streaming


def write_participants(path: Path, rows: int, seed: int = 1) -> None:
    import numpy as np

    rng = np.random.default_rng(seed)
    vested = rng.integers(0, 30_000_000, rows)
    outstanding = (vested * rng.random(rows) * 0.5).astype(np.int64) * (rng.random(rows) < 0.3)
    pl.DataFrame(
        {
            "participant_id": pl.int_range(rows, eager=True).cast(pl.String),
            "vested_balance": vested / 100,
            "outstanding_loan_balance": outstanding / 100,
            "existing_loans": (outstanding > 0).astype(np.int64),
        }
    ).write_csv(path)


STREAM_SCRIPT = """
import resource, sys
from loan401k import batch
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
calls = []
with batch.open_output(sys.argv[2], "parquet") as writer:
    summary = batch.run(sys.argv[1], writer, batch_rows=int(sys.argv[3]),
                        progress=lambda done, total: calls.append((done, total)))
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(summary.rows, len(calls), calls[-1][1], (after - before) // 1024)
"""


def test_a_large_file_streams_in_bounded_batches(tmp_path: Path):
    source, out = tmp_path / "big.csv", tmp_path / "big.parquet"
    write_participants(source, 200_000)
    done = subprocess.run(
        [sys.executable, "-c", STREAM_SCRIPT, str(source), str(out), "20000"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    rows, batches, total, growth_mib = map(int, done.stdout.split())
    assert (rows, total) == (200_000, 200_000)
    assert batches == 10  # read, computed and written 20,000 rows at a time
    assert growth_mib < 250, f"peak RSS grew {growth_mib} MiB for a 200,000-row file"
    written = pl.scan_parquet(out).select(pl.len(), pl.col("error").null_count()).collect().row(0)
    assert written == (200_000, 200_000)


# --------------------------------------------------------------------------- Dask


@pytest.fixture(scope="module")
def dask_scheduler():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address="127.0.0.1:0",
        env={"POLARS_MAX_THREADS": "1"},
    ) as cluster:
        yield cluster.scheduler_address


def test_dask_engine_gives_the_local_engines_output(dask_scheduler: str, tmp_path: Path):
    rng = random.Random(11)
    rows = [bad_row(rng, i) if rng.random() < 0.1 else valid_row(rng, i) for i in range(5000)]
    source = tmp_path / "mixed.csv"
    frame_of(rows).write_csv(source)
    local, remote = tmp_path / "local.parquet", tmp_path / "dask.parquet"
    first = invoke("batch", str(source), "-o", str(local), "--batch-rows", "1000", "--json")
    second = invoke(
        "batch",
        str(source),
        "-o",
        str(remote),
        "--batch-rows",
        "1000",
        "--json",
        "--engine",
        "dask",
        "--scheduler",
        dask_scheduler,
    )
    assert first.exit_code == second.exit_code == 2, second.output  # the bad rows: exit 2 for both
    assert json.loads(first.stdout) == json.loads(second.stdout)
    assert pl.read_parquet(local).equals(pl.read_parquet(remote))
    assert pl.read_parquet(remote)["participant_id"].to_list() == [r["participant_id"] for r in rows]


def test_unreachable_scheduler_is_exit_2(participants: Path):
    import dask

    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        result = invoke("batch", str(participants), "--scheduler", "tcp://127.0.0.1:9")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: scheduler: cannot reach tcp://127.0.0.1:9")


def test_the_law_date_follows_the_service():
    from loan401k.service import core

    assert batch.EARLIEST_START == core.EARLIEST_START
    assert batch.law_on()[0].day == core.law_for(core.parse_input({})).day
