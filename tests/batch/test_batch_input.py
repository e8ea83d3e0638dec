"""A batch that survives its input (issue 17): a malformed line is one error row with its line
number and reason while the rest compute; blank lines are skipped; cells a spreadsheet would
run as formulas are neutralized in the CSV output; the exit status says whether any row
failed; a Parquet column of lists or bytes is one line, exit 2."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

import loan401k
from loan401k import batch, cli
from loan401k.batch.lines import MAX_LINE_BYTES

HEADER = b"participant_id,vested_balance,outstanding_loan_balance,amount\n"


def invoke(*args: str):
    return CliRunner().invoke(cli.main, list(args), catch_exceptions=False)


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


MALFORMED = (
    HEADER
    + b"A1,80000,0,10000\n"  # line 2
    + b"A2,15,000,0,\n"  # 3: an unquoted comma
    + b'A3,"80000,0,\n'  # 4: a quote that never closes
    + b"A4,8\xff000,0,\n"  # 5: not UTF-8
    + b"\n"  # 6: blank
    + b'A5,"$15,000",0,\n'  # 7: a quoted comma: fine
    + b'A6,9"000,0,\n'  # 8: a quote inside an unquoted cell
    + b"A7,80000\n"  # 9: too few cells
    + b"   \r\n"  # 10: blank (spaces, CRLF)
    + b"A8,60000,0,5000\r\n"  # 11: CRLF
    + b'"A9","40000","",""\n'  # 12: every cell quoted
    + b"A10,"
    + b"9" * (MAX_LINE_BYTES + 10)
    + b",0,\n"  # 13: too long to read
    + b"A11,20000,0,\n"  # 14: still read after it
)


@pytest.fixture
def malformed(tmp_path: Path) -> Path:
    path = tmp_path / "participants.csv"
    path.write_bytes(MALFORMED)
    return path


def test_each_malformed_line_is_one_error_row_and_the_rest_compute(malformed: Path):
    result = invoke("batch", str(malformed))
    assert result.exit_code == 2, result.output  # rows failed: the status says so
    assert "Traceback" not in result.output
    rows = rows_of(result.stdout)
    assert len(rows) == 11  # 13 data lines, 2 of them blank (the one too long is a row too)
    by_id = {row["participant_id"]: row for row in rows if row["participant_id"]}
    assert by_id["A1"]["max_loan"] == "40000.00"
    assert by_id["A5"]["max_loan"] == "7500.00"  # "$15,000" quoted: the comma is the cell's
    assert by_id["A8"]["max_loan"] == "30000.00"  # CRLF
    assert by_id["A9"]["max_loan"] == "20000.00"  # quoted cells
    assert by_id["A11"]["max_loan"] == "10000.00"  # after the long line
    errors = [row["error"] for row in rows if not row["participant_id"]]
    assert [error.split(":")[0] for error in errors] == [
        "line 3",
        "line 4",
        "line 5",
        "line 8",
        "line 9",
        "line 13",
    ]
    assert "5 cells, the header has 4" in errors[0] and "unquoted comma" in errors[0]
    assert "unclosed double quote" in errors[1]
    assert "not UTF-8 (byte 0xff" in errors[2]
    assert "stray or unclosed double quote" in errors[3]
    assert "2 cells, the header has 4" in errors[4]
    assert f"longer than {MAX_LINE_BYTES:,} bytes" in errors[5]
    for row in rows:  # a bad line has no figures, never a guess
        if not row["participant_id"]:
            assert row["max_loan"] == row["eligible"] == ""
    assert "11 participants" in result.stderr and "6 row(s) with errors" in result.stderr


def test_a_clean_file_exits_0(tmp_path: Path):
    path = tmp_path / "clean.csv"
    path.write_bytes(HEADER + b"A1,80000,0,10000\n\nA2,50000,0,\n")
    result = invoke("batch", str(path))
    assert result.exit_code == 0, result.output
    assert [row["participant_id"] for row in rows_of(result.stdout)] == ["A1", "A2"]  # the blank: skipped


def test_a_bom_and_a_header_only_file(tmp_path: Path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + HEADER + b"A1,80000,0,\n")
    result = invoke("batch", str(path))
    assert result.exit_code == 0 and rows_of(result.stdout)[0]["max_loan"] == "40000.00"
    path.write_bytes(HEADER)
    result = invoke("batch", str(path))
    assert result.exit_code == 0 and result.stdout.strip().split(",")[-1] == "error"


@pytest.mark.parametrize(
    "header, message",
    [
        (b'participant_id,"vested_balance\n', "cannot read the header: a stray or unclosed double quote"),
        (b"participant_id,vested_balance,vested_balance\n", "column 'vested_balance' appears twice"),
        (b"participant_id,vested_\xffbalance\n", "cannot read the header: not UTF-8"),
        (b"", "cannot read: the file is empty"),
    ],
)
def test_a_header_that_cannot_be_read_is_exit_2_in_one_line(tmp_path: Path, header: bytes, message: str):
    path = tmp_path / "in.csv"
    path.write_bytes(header + b"A1,80000\n" if header else b"")
    result = invoke("batch", str(path))
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


FORMULAS = {
    '=HYPERLINK("http://x")': '\'=HYPERLINK("http://x")',
    "+cmd|' /C calc'!A0": "'+cmd|' /C calc'!A0",
    "-2+3": "'-2+3",
    "@SUM(A1)": "'@SUM(A1)",
    "\tA": "'\tA",
    "-5": "-5",  # a negative number stays a number
    "+1.5": "+1.5",
    "-$15,000": "-$15,000",
    "-1e3": "-1e3",
    "A-1": "A-1",
}


def test_formula_cells_are_neutralized_and_numbers_are_not(tmp_path: Path):
    path = tmp_path / "formulas.csv"
    lines = ["participant_id,vested_balance"]
    for cell in FORMULAS:
        quoted = '"' + cell.replace('"', '""') + '"'
        lines.append(f"{quoted},{quoted}")
    path.write_text("\n".join(lines) + "\n")
    result = invoke("batch", str(path))
    rows = rows_of(result.stdout)
    assert [row["participant_id"] for row in rows] == list(FORMULAS.values())
    assert [row["vested_balance"] for row in rows] == list(FORMULAS.values())
    # the cells are read as written (neutralizing is for the output only): -5 is a bad row,
    # -$15,000 too, =... is not a number
    assert rows[5]["error"].startswith("vested_balance: -5 is out of range")
    assert not any(row["error"].startswith(("=", "+", "-", "@")) for row in rows)


def test_parquet_output_keeps_the_cells_as_they_are(tmp_path: Path):
    path, out = tmp_path / "f.csv", tmp_path / "out.parquet"
    path.write_text('participant_id,vested_balance\n"=1+1",80000\n')
    invoke("batch", str(path), "-o", str(out))
    assert pl.read_parquet(out)["participant_id"].to_list() == ["=1+1"]  # typed output: no spreadsheet


@pytest.mark.parametrize(
    "column, message",
    [
        (pl.Series("vested_balance", [[1, 2], [3]]), "column 'vested_balance': a List(Int64) column"),
        (pl.Series("participant_id", [b"a", b"b"]), "column 'participant_id': a Binary column"),
        (pl.Series("vested_balance", [{"x": 1}, {"x": 2}]), "column 'vested_balance': a Struct"),
    ],
)
def test_parquet_columns_of_lists_or_bytes_are_exit_2(tmp_path: Path, column: pl.Series, message: str):
    path = tmp_path / "in.parquet"
    frame = pl.DataFrame({"participant_id": ["a", "b"], "vested_balance": [1000, 2000]})
    frame.with_columns(column).write_parquet(path)
    result = invoke("batch", str(path))
    assert result.exit_code == 2
    assert message in result.stderr and "allowed: text, numbers or true/false" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_local_and_the_per_partition_paths_agree_on_a_bad_line():
    frame = pl.DataFrame(
        {
            "participant_id": [None, "B"],
            "vested_balance": [None, "80000"],
            batch.LINE_PROBLEM: ["line 2: x", None],
        }
    )
    out = batch.compute(frame, batch.law_on()[0])
    assert out.columns == ["participant_id", "vested_balance", *batch.OUTPUT_COLUMNS]
    assert out["error"].to_list() == ["line 2: x", None]
    assert out["max_loan"].to_list() == [None, Decimal("40000.00")]


BIG_SCRIPT = """
import sys
from loan401k import batch
with batch.open_output(sys.argv[2], "csv") as writer:
    summary = batch.run(sys.argv[1], writer, batch_rows=50_000)
print(summary.rows, summary.rows_with_errors)
"""


def test_a_large_file_with_bad_lines_everywhere(tmp_path: Path):
    """200,000 rows with a bad line, a bad byte, a blank line and a formula every 1,000: each
    good row computed (the same as loan401k.limit), each bad one reported at its line."""
    source, out = tmp_path / "big.csv", tmp_path / "out.csv"
    lines = [HEADER]
    bad: dict[int, str] = {}
    for n in range(200_000):
        number = len(lines) + 1
        if n % 1000 == 17:
            lines.append(f"P{n},{n},000,0,\n".encode())
            bad[number] = "5 cells, the header has 4"
        elif n % 1000 == 500:
            lines.append(f"P{n},1\xe9000,0,\n".encode("latin-1"))
            bad[number] = "not UTF-8"
        elif n % 1000 == 900:
            lines.append(b"\n")
        elif n % 1000 == 999:
            lines.append(f"=cmd{n},{1000 + n},0,\n".encode())
        else:
            lines.append(f"P{n},{1000 + n},0,\n".encode())
    source.write_bytes(b"".join(lines))
    done = subprocess.run(
        [sys.executable, "-c", BIG_SCRIPT, str(source), str(out)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    rows, with_errors = map(int, done.stdout.split())
    assert rows == 200_000 - 200  # the blank lines
    assert with_errors == len(bad) == 400  # the formula ids' rows compute: only their ids are odd
    frame = pl.read_csv(out, infer_schema=False)
    problems = frame.filter(pl.col("error").str.starts_with("line "))
    assert problems.height == len(bad)
    for error in problems["error"].to_list():
        number = int(error.split(":")[0].removeprefix("line "))
        assert bad[number] in error
    formulas = frame.filter(pl.col("participant_id").str.starts_with("'="))
    assert formulas.height == 200
    good = frame.filter(pl.col("error").is_null())
    sample = good.sample(200, seed=1)
    for row in sample.iter_rows(named=True):
        expected = loan401k.limit({"vested_balance": row["vested_balance"]})
        assert Decimal(row["max_loan"]) == expected.max_loan
