"""The CLI never prints a traceback (issue 17): every failure is one line on standard error,
exit 2 for bad input, 1 for the machine (a full disk); a reader that goes away ends the
command quietly. One test per class of failure the adversarial run found."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from loan401k import cli

LOAN401K = [sys.executable, "-m", "loan401k.cli"]
FULL = Path("/dev/full")


def run(*args: str, **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*LOAN401K, *args], capture_output=True, text=True, timeout=120, **kwargs)


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ") and "Traceback" not in stderr, stderr
    return lines[0]


@pytest.mark.parametrize("suffix", [".json", ".toml"])
def test_an_input_file_that_is_not_utf8(tmp_path: Path, suffix: str):
    path = tmp_path / f"in{suffix}"
    path.write_bytes('{"vested_balance": 80000, "x": "é"}'.encode("latin-1"))
    done = run("limit", "--input", str(path))
    assert done.returncode == 2
    assert "is not UTF-8 (byte 0xe9" in one_line(done.stderr)


def test_an_input_file_in_utf16(tmp_path: Path):
    path = tmp_path / "in.json"
    path.write_bytes('{"vested_balance": 80000}'.encode("utf-16"))
    done = run("limit", "--input", str(path))
    assert done.returncode == 2 and "not UTF-8" in one_line(done.stderr)


@pytest.mark.parametrize(
    "name, text",
    [("deep.json", "[" * 100_000 + "]" * 100_000), ("deep.toml", "a = " + "[" * 100_000 + "]" * 100_000)],
)
def test_deeply_nested_input(tmp_path: Path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    done = run("limit", "--input", str(path))
    assert done.returncode == 2
    assert "nested too deeply" in one_line(done.stderr)


def test_input_on_standard_input_that_is_not_utf8():
    proc = subprocess.run(
        [*LOAN401K, "limit", "--input", "-"], input=b"\xff\xfe{}", capture_output=True, timeout=120
    )
    assert proc.returncode == 2
    assert "not UTF-8" in one_line(proc.stderr.decode())


def test_a_batch_piped_into_head_ends_quietly(tmp_path: Path):
    source = tmp_path / "big.csv"
    rows = "".join(f"P{n},{1000 + n}\n" for n in range(300_000))
    source.write_text("participant_id,vested_balance\n" + rows)
    batch = subprocess.Popen(
        [*LOAN401K, "batch", str(source)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    head = batch.stdout.readline() + batch.stdout.readline()
    batch.stdout.close()  # `head -2` has what it wanted and goes away
    stderr = batch.stderr.read().decode()
    status = batch.wait(timeout=120)
    assert head.startswith(b"participant_id,vested_balance,max_loan")
    assert status == 1  # the output did not all get out: not a success
    assert stderr == "", stderr  # quietly: no traceback, no "Exception ignored"


def test_other_commands_piped_into_head_end_quietly():
    command = [
        *LOAN401K,
        "schedule",
        "--amount",
        "100000000",  # long figures: 1,560 rows of ≈ 70 bytes, more than a pipe holds (64 KiB)
        "--term-months",
        "360",
        "--purpose",
        "residence",
        "--frequency",
        "weekly",
        "--csv",
    ]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.readline()
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 1
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr


needs_dev_full = pytest.mark.skipif(not FULL.exists(), reason="no /dev/full on this system")


@needs_dev_full
@pytest.mark.parametrize(
    "args",
    [
        ["limit", "--vested-balance", "80000", "--json"],
        ["schedule", "--amount", "10000", "--csv"],
        ["batch", "PARTICIPANTS"],
    ],
)
def test_a_full_disk_on_standard_output_is_exit_1(tmp_path: Path, args: list[str]):
    source = tmp_path / "p.csv"
    source.write_text("participant_id,vested_balance\nA,80000\n")
    args = [str(source) if a == "PARTICIPANTS" else a for a in args]
    with FULL.open("w") as full:
        done = subprocess.run([*LOAN401K, *args], stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert done.returncode == 1
    assert "No space left on device" in one_line(done.stderr)


@needs_dev_full
def test_a_full_disk_as_the_batch_output_is_exit_1_and_leaves_the_device(tmp_path: Path):
    source = tmp_path / "p.csv"
    source.write_text("participant_id,vested_balance\nA,80000\n")
    done = run("batch", str(source), "-o", str(FULL), "--csv")
    assert done.returncode == 1
    assert "output: cannot write /dev/full: No space left on device" in one_line(done.stderr)
    assert FULL.is_char_device()  # written to, not renamed over


def test_a_batch_to_dev_null_keeps_dev_null(tmp_path: Path):
    source = tmp_path / "p.csv"
    source.write_text("participant_id,vested_balance\nA,80000\n")
    done = run("batch", str(source), "-o", os.devnull, "--csv")
    assert done.returncode == 0, done.stderr
    assert Path(os.devnull).is_char_device()


def test_an_unexpected_error_is_one_line_exit_1(monkeypatch):
    from loan401k import service

    def broken(_data):
        raise RuntimeError("secret internals " + "x" * 500)

    monkeypatch.setattr(service, "limit", broken)
    result = CliRunner().invoke(cli.main, ["limit", "--vested-balance", "80000"])
    assert result.exit_code == 1
    line = one_line(result.stderr)
    assert line.startswith("error: internal error (RuntimeError)") and "please report it" in line
    assert len(line) < 300
