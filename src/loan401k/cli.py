"""The `loan401k` command: parse flags and input files, call the service, render.

No arithmetic here. Heavy modules (pydantic models, the engine, rich) are imported
inside the commands so `loan401k --help` answers at once.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

# Flags are the input fields with dashes. Kept as a plain table so --help needs no pydantic;
# tests check that it matches LoanInput's fields exactly.
BOOL_FIELDS = (
    "public_safety_employee", "separated_from_service", "allow_10k_floor", "disaster_loan",
)
VALUE_FIELDS = (
    "age", "retirement_age", "filing_status", "taxable_income", "marginal_rate_pct",
    "state_rate_pct", "retirement_tax_rate_pct", "tax_year", "separation_year_age",
    "vested_balance", "outstanding_loan_balance", "highest_loan_balance_12m", "existing_loans",
    "source", "min_loan", "max_loans", "origination_fee", "annual_fee", "amount", "net",
    "annual_rate_pct", "term_months", "frequency", "purpose", "rate_convention", "start_date",
    "extra_payment", "payoff_month", "payment", "salary", "contribution_monthly",
    "contribution_pct", "contribution_during_loan_monthly", "contribution_during_loan_pct",
    "match_rate_pct", "match_limit_pct", "salary_growth_pct", "annual_return_pct",
    "return_convention", "inflation_pct", "outside_tax_drag_pct", "job_loss_annual_pct", "cash_on_separation",
    "stock_pct", "paths", "seed", "model", "mean_pct", "vol_pct",
)
STRUCTURED_FIELDS = ("alternatives", "criteria")  # from --input only (JSON or TOML)

EXIT_BAD_INPUT = 2


class BadInput(Exception):
    def __init__(self, lines: list[str]):
        self.lines = lines


def _input_options(command: Callable[..., Any]) -> Callable[..., Any]:
    for name in reversed(BOOL_FIELDS):
        flag = name.replace("_", "-")
        command = click.option(f"--{flag}/--no-{flag}", name, default=None,
                               help=f"Input field {name}.")(command)
    for name in reversed(VALUE_FIELDS):
        command = click.option(f"--{name.replace('_', '-')}", name, default=None,
                               metavar="VALUE", help=f"Input field {name}.")(command)
    command = click.option("--input", "-i", "input_file", default=None, metavar="FILE",
                           help="Input fields as JSON or TOML ('-' reads standard input); "
                                "flags override the file.")(command)
    return command


def _read_input_file(path: str | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise BadInput([f"input: cannot read {path}: {exc.strerror}"]) from None
    is_toml = path.endswith(".toml")
    try:
        if is_toml:
            import tomllib

            data = tomllib.loads(text)
        else:
            data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        kind = "TOML" if is_toml else "JSON"
        raise BadInput([f"input: {path} is not valid {kind}: {exc}"]) from None
    if not isinstance(data, dict):
        raise BadInput([f"input: {path} must hold an object of input fields"])
    return data


def gather(input_file: str | None, flags: dict[str, Any]) -> dict[str, Any]:
    data = _read_input_file(input_file)
    data.update({name: value for name, value in flags.items() if value is not None})
    return data


def _run(call: Callable[[dict[str, Any]], Any], data: dict[str, Any]) -> Any:
    from .models import InputError

    try:
        return call(data)
    except InputError as exc:
        raise BadInput([f"{p.field}: {p.message}" for p in exc.problems]) from None


def _emit_json(result: Any) -> None:
    click.echo(result.model_dump_json(indent=2))


class Loan401kGroup(click.Group):
    """Turns bad input into exit 2 with one line per problem, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BadInput as exc:
            for line in exc.lines:
                click.echo(f"error: {line}", err=True)
            ctx.exit(EXIT_BAD_INPUT)


@click.group(cls=Loan401kGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="loan401k")
def main() -> None:
    """The true cost of borrowing from your 401(k): limits, schedules, taxes, and more.

    Every command takes the same input fields, from --input FILE (JSON or TOML) and/or
    flags (--vested-balance 80000). Education, not advice.
    """


@main.command()
@_input_options
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON body.")
def limit(input_file: str | None, as_json: bool, **flags: Any) -> None:
    """How much can I borrow? The IRC §72(p) limit, step by step."""
    from . import render, service

    result = _run(service.limit, gather(input_file, flags))
    _emit_json(result) if as_json else render.limit(result)


@main.command()
@_input_options
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON body.")
@click.option("--csv", "as_csv", is_flag=True, help="Print the rows as CSV.")
def schedule(input_file: str | None, as_json: bool, as_csv: bool, **flags: Any) -> None:
    """What will I pay? The repayment schedule (or, with --payment, the amount it buys)."""
    from . import render, service

    result = _run(service.schedule, gather(input_file, flags))
    if as_json:
        _emit_json(result)
    elif as_csv:
        render.schedule_csv(result)
    else:
        render.schedule(result)


@main.command()
@_input_options
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON body.")
def distribution(input_file: str | None, as_json: bool, **flags: Any) -> None:
    """Tax and the 10% on a distribution (--amount), or the gross that nets --net."""
    from . import render, service

    result = _run(service.distribution, gather(input_file, flags))
    _emit_json(result) if as_json else render.distribution(result)


@main.command()
@_input_options
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON body.")
@click.option("--explain", is_flag=True, help="Also print every step with its citation.")
def analyze(input_file: str | None, as_json: bool, explain: bool, **flags: Any) -> None:
    """What does it really cost me? The true cost, decomposed, with job-loss risk and a verdict."""
    from . import render, service

    result = _run(service.analyze, gather(input_file, flags))
    _emit_json(result) if as_json else render.analysis(result, explain=explain)


@main.command()
@_input_options
@click.option("--alternative", "alternatives", multiple=True, metavar="KIND:APR[:TERM[:FEE_PCT]]",
              help="An alternative to compare (repeatable), e.g. credit_card:24 or "
                   "personal_loan:12:36:5; added to those from --input.")
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON body.")
def compare(input_file: str | None, alternatives: tuple[str, ...], as_json: bool, **flags: Any) -> None:
    """Is a 401(k) loan my best option? The alternatives ranked on one scale."""
    from . import render, service

    data = gather(input_file, flags)
    if alternatives:
        listed = data.get("alternatives") or []
        if isinstance(listed, list):
            data["alternatives"] = listed + [_alternative(text) for text in alternatives]
    result = _run(service.compare, data)
    _emit_json(result) if as_json else render.comparison(result)


def _alternative(text: str) -> dict[str, str]:
    """KIND:APR[:TERM[:FEE_PCT]] as an alternatives entry (the model validates the values)."""
    parts = text.split(":")
    if not parts[0] or len(parts) > 4:
        raise BadInput([f"alternative: {text!r} is not KIND:APR[:TERM[:FEE_PCT]] "
                        "(e.g. credit_card:24 or personal_loan:12:36:5)"])
    entry = dict(zip(("kind", "apr_pct", "term_months", "fee_pct"), parts, strict=False))
    return {name: value for name, value in entry.items() if value != ""}


@main.command()
@_input_options
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON body.")
def backtest(input_file: str | None, as_json: bool, **flags: Any) -> None:
    """What if I had taken this loan in 1929, 1973, 2000...? The cost for every start year."""
    from . import render, service

    data = gather(input_file, flags)
    with render.progress("Backtest", enabled=not as_json) as report:
        result = _run(lambda d: service.backtest(d, progress=report), data)
    _emit_json(result) if as_json else render.backtest(result)


@main.command()
@_input_options
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON body.")
def montecarlo(input_file: str | None, as_json: bool, **flags: Any) -> None:
    """How uncertain is the cost? Percentiles over seeded random markets (--paths, --seed)."""
    from . import render, service

    data = gather(input_file, flags)
    with render.progress("Monte Carlo", enabled=not as_json) as report:
        result = _run(lambda d: service.montecarlo(d, progress=report), data)
    _emit_json(result) if as_json else render.montecarlo(result)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), envvar="LOAN401K_PORT", default=8401,
              show_default=True, help="Port to listen on (env LOAN401K_PORT).")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes (each opens its own database connections).")
def serve(host: str, port: int, workers: int) -> None:
    """Serve the web calculator and the JSON API (saved scenarios: LOAN401K_DATABASE_URL)."""
    import uvicorn

    # An import string with factory=True: each worker process builds its own app and engine.
    uvicorn.run("loan401k.app:create_app", factory=True, host=host, port=port, workers=workers)


if __name__ == "__main__":  # pragma: no cover
    main()
