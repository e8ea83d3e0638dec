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
    "public_safety_employee",
    "separated_from_service",
    "allow_10k_floor",
    "disaster_loan",
    "carries_card_balance",
)
VALUE_FIELDS = (
    "age",
    "retirement_age",
    "filing_status",
    "taxable_income",
    "marginal_rate_pct",
    "state_rate_pct",
    "retirement_tax_rate_pct",
    "tax_year",
    "separation_year_age",
    "vested_balance",
    "outstanding_loan_balance",
    "highest_loan_balance_12m",
    "existing_loans",
    "source",
    "min_loan",
    "max_loans",
    "origination_fee",
    "annual_fee",
    "amount",
    "net",
    "annual_rate_pct",
    "term_months",
    "frequency",
    "purpose",
    "rate_convention",
    "start_date",
    "extra_payment",
    "payoff_month",
    "payment",
    "salary",
    "contribution_monthly",
    "contribution_pct",
    "contribution_during_loan_monthly",
    "contribution_during_loan_pct",
    "match_rate_pct",
    "match_limit_pct",
    "salary_growth_pct",
    "annual_return_pct",
    "return_convention",
    "inflation_pct",
    "liquidity_rate_pct",
    "outside_tax_drag_pct",
    "outside_return_pct",
    "roth_earnings_pct",
    "offset_tax_timing",
    "cure_period_days",
    "separation_policy",
    "separation_offset_days",
    "leave_repayment",
    "leave_reamortize_to",
    "deemed_loan_balance",
    "job_loss_annual_pct",
    "cash_on_separation",
    "stock_pct",
    "paths",
    "seed",
    "model",
    "mean_pct",
    "vol_pct",
)
STRUCTURED_FIELDS = ("alternatives", "criteria", "events")  # from --input (JSON or TOML)

EXIT_BAD_INPUT = 2


class BadInput(Exception):
    def __init__(self, lines: list[str]):
        self.lines = lines


def _input_options(command: Callable[..., Any]) -> Callable[..., Any]:
    for name in reversed(BOOL_FIELDS):
        flag = name.replace("_", "-")
        command = click.option(f"--{flag}/--no-{flag}", name, default=None, help=f"Input field {name}.")(
            command
        )
    for name in reversed(VALUE_FIELDS):
        command = click.option(
            f"--{name.replace('_', '-')}", name, default=None, metavar="VALUE", help=f"Input field {name}."
        )(command)
    command = click.option(
        "--input",
        "-i",
        "input_file",
        default=None,
        metavar="FILE",
        help="Input fields as JSON or TOML ('-' reads standard input); flags override the file.",
    )(command)
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
@click.option(
    "--csv", "as_csv", is_flag=True, help="Print the balances by year (age, no_loan, with_loan) as CSV."
)
@click.option("--explain", is_flag=True, help="Also print every step with its citation.")
def analyze(input_file: str | None, as_json: bool, as_csv: bool, explain: bool, **flags: Any) -> None:
    """What does it really cost me? The true cost, decomposed, with job-loss risk and a verdict."""
    from . import render, service

    result = _run(service.analyze, gather(input_file, flags))
    if as_json:
        _emit_json(result)
    elif as_csv:
        render.rows_csv(["age", "no_loan", "with_loan"], result.balances.by_year)
    else:
        render.analysis(result, explain=explain)


@main.command()
@_input_options
@click.option(
    "--alternative",
    "alternatives",
    multiple=True,
    metavar="KIND:APR[:TERM[:FEE_PCT]]",
    help="An alternative to compare (repeatable), e.g. credit_card:24 or "
    "personal_loan:12:36:5; added to those from --input.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON body.")
@click.option("--csv", "as_csv", is_flag=True, help="Print the options, cheapest first, as CSV.")
def compare(
    input_file: str | None, alternatives: tuple[str, ...], as_json: bool, as_csv: bool, **flags: Any
) -> None:
    """Is a 401(k) loan my best option? The alternatives ranked on one scale."""
    from . import render, service

    data = gather(input_file, flags)
    if alternatives:
        listed = data.get("alternatives") or []
        if isinstance(listed, list):
            data["alternatives"] = listed + [_alternative(text) for text in alternatives]
    result = _run(service.compare, data)
    if as_json:
        _emit_json(result)
    elif as_csv:
        render.rows_csv(
            ["kind", "label", "cost", "payment", "interest", "fees", "taxes", "penalties"], result.options
        )
    else:
        render.comparison(result)


def _alternative(text: str) -> dict[str, str]:
    """KIND:APR[:TERM[:FEE_PCT]] as an alternatives entry (the model validates the values)."""
    parts = text.split(":")
    if not parts[0] or len(parts) > 4:
        raise BadInput(
            [
                f"alternative: {text!r} is not KIND:APR[:TERM[:FEE_PCT]] "
                "(e.g. credit_card:24 or personal_loan:12:36:5)"
            ]
        )
    entry = dict(zip(("kind", "apr_pct", "term_months", "fee_pct"), parts, strict=False))
    return {name: value for name, value in entry.items() if value != ""}


@main.command()
@_input_options
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON body.")
@click.option("--csv", "as_csv", is_flag=True, help="Print the cost by start year as CSV.")
def backtest(input_file: str | None, as_json: bool, as_csv: bool, **flags: Any) -> None:
    """What if I had taken this loan in 1929, 1973, 2000...? The cost for every start year."""
    from . import render, service

    data = gather(input_file, flags)
    with render.progress("Backtest", enabled=not (as_json or as_csv)) as report:
        result = _run(lambda d: service.backtest(d, progress=report), data)
    if as_json:
        _emit_json(result)
    elif as_csv:
        render.rows_csv(
            [
                "start_year",
                "total",
                "price_of_credit",
                "plan_difference",
                "contributions",
                "fees",
                "job_loss",
                "excess",
            ],
            result.by_start_year,
        )
    else:
        render.backtest(result)


@main.command()
@_input_options
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON body.")
@click.option(
    "--csv", "as_csv", is_flag=True, help="Print the fan of with-loan balances (age, p10, p50, p90) as CSV."
)
def montecarlo(input_file: str | None, as_json: bool, as_csv: bool, **flags: Any) -> None:
    """How uncertain is the cost? Percentiles over seeded random markets (--paths, --seed)."""
    from . import render, service

    data = gather(input_file, flags)
    with render.progress("Monte Carlo", enabled=not (as_json or as_csv)) as report:
        result = _run(lambda d: service.montecarlo(d, progress=report), data)
    if as_json:
        _emit_json(result)
    elif as_csv:
        render.rows_csv(["age", "p10", "p50", "p90"], result.fan)
    else:
        render.montecarlo(result)


#: --event KIND:... : the positional parts of each kind (the model validates the values).
EVENT_PARTS = {
    "missed_payments": ("date", "count"),
    "leave": ("start", "end"),
    "military": ("start", "end"),
    "separation": ("date",),
    "retirement": ("date",),
    "refinance": ("date", "amount", "term_months", "annual_rate_pct"),
    "extra_payment": ("date", "amount"),
    "payoff": ("date",),
    "frequency_change": ("date", "frequency"),
}


def _event(text: str) -> dict[str, str]:
    """KIND:PART[:PART...] as an events entry, e.g. missed_payments:2027-03-01:2."""
    kind, *parts = text.split(":")
    names = EVENT_PARTS.get(kind)
    if names is None or not parts or len(parts) > len(names):
        known = ", ".join(f"{k}:{':'.join(v).upper()}" for k, v in EVENT_PARTS.items())
        raise BadInput([f"event: {text!r} is not one of {known}"])
    return {"kind": kind, **{name: value for name, value in zip(names, parts, strict=False) if value}}


@main.command()
@_input_options
@click.option(
    "--event",
    "events",
    multiple=True,
    metavar="KIND:DATE[:...]",
    help="A dated event (repeatable), e.g. missed_payments:2027-03-01:2, leave:2027-01-01:2027-09-30, "
    "separation:2027-05-15, refinance:2028-01-01:20000:60; added to those from --input.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON body.")
@click.option("--csv", "as_csv", is_flag=True, help="Print the timeline, installment by installment, as CSV.")
def events(
    input_file: str | None, events: tuple[str, ...], as_json: bool, as_csv: bool, **flags: Any
) -> None:
    """What happens if…? The loan through dated events, what the law makes of them, and the cost."""
    from . import render, service

    data = gather(input_file, flags)
    if events:
        listed = data.get("events") or []
        if isinstance(listed, list):
            data["events"] = listed + [_event(text) for text in events]
    result = _run(service.events, data)
    if as_json:
        _emit_json(result)
    elif as_csv:
        render.rows_csv(["n", "date", "due", "paid", "interest", "balance", "status"], result.timeline)
    else:
        render.events(result)


@main.command()
@click.argument("participants", required=False, metavar="PARTICIPANTS.csv|.parquet")
@click.option(
    "--input",
    "-i",
    "input_file",
    default=None,
    metavar="FILE",
    help="The participants file (instead of the argument).",
)
@click.option(
    "--output",
    "-o",
    default=None,
    metavar="OUT",
    help="Write the rows to OUT: .csv or .parquet (default: CSV on standard output).",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the summary as JSON on standard output (with the rows, without -o).",
)
@click.option("--csv", "as_csv", is_flag=True, help="Write the rows as CSV, whatever OUT's extension.")
@click.option(
    "--engine",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="local: stream on this machine; dask: the same batches on a Dask cluster.",
)
@click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help="Dask scheduler address (tcp://host:8786); implies --engine dask. Without it, "
    "--engine dask starts two local worker processes.",
)
@click.option(
    "--batch-rows",
    type=click.IntRange(1_000, 5_000_000),
    default=100_000,
    show_default=True,
    help="Rows read, computed and written at a time (memory follows this, not the file).",
)
@click.option(
    "--allow-10k-floor/--no-allow-10k-floor",
    "allow_10k_floor",
    default=None,
    help="Plan option for rows whose own cell is empty (default: no floor).",
)
@click.option(
    "--min-loan",
    default=None,
    metavar="VALUE",
    help="Plan minimum loan for rows whose own cell is empty (default 1000).",
)
@click.option(
    "--max-loans",
    default=None,
    metavar="VALUE",
    help="Plan's most loans at a time for rows whose own cell is empty (default: no limit).",
)
@click.option(
    "--disaster-loan/--no-disaster-loan",
    "disaster_loan",
    default=None,
    help="Qualified-disaster limits for rows whose own cell is empty.",
)
def batch(
    participants: str | None,
    input_file: str | None,
    output: str | None,
    as_json: bool,
    as_csv: bool,
    engine: str,
    scheduler: str | None,
    batch_rows: int,
    **options: Any,
) -> None:
    """Limits for a whole plan: every participant of a CSV or Parquet file, streamed.

    Columns: participant_id, vested_balance (required), outstanding_loan_balance,
    highest_loan_balance_12m, existing_loans, amount, allow_10k_floor, min_loan, max_loans,
    disaster_loan. Out: the same rows with max_loan, eligible, binding_rule, excess and error
    (a bad cell fails only its own row). A summary follows on standard error.
    """
    from . import batch as plan_batch
    from . import render

    path = participants or input_file
    if path is None or (participants and input_file):
        raise BadInput(["participants: give one participants file (the argument or --input)"])
    defaults = _plan_defaults(options)
    kind = "json" if as_json and output is None else "csv"
    if output is not None and not as_csv:
        try:
            kind = plan_batch.file_kind(output)
        except plan_batch.BatchError as exc:
            raise BadInput([f"output: {line}" for line in exc.lines]) from None
    rows_on_terminal = output is None and sys.stdout.isatty()  # a bar would tangle with the rows
    try:
        with (
            plan_batch.open_output(output, kind) as writer,
            render.progress("Batch", enabled=not rows_on_terminal, stderr=True) as report,
        ):
            summary = plan_batch.run(
                path,
                writer,
                engine="dask" if scheduler else engine,
                scheduler=scheduler,
                defaults=defaults,
                batch_rows=batch_rows,
                progress=report,
            )
    except plan_batch.BatchError as exc:
        raise BadInput(exc.lines) from None
    figures = summary.as_dict()
    if as_json:
        text = json.dumps(figures, default=float, indent=None if output is None else 2)
        click.echo(f', "summary": {text}}}' if output is None else text)
    else:
        render.batch_summary(figures, output or "standard output")


def _plan_defaults(options: dict[str, Any]) -> Any:
    """The plan-wide flags, validated by the one input model (exit 2 naming the flag)."""
    from .batch import PlanDefaults
    from .models import InputError, parse_input

    given = {name: value for name, value in options.items() if value is not None}
    try:
        plan = parse_input({**given})
    except InputError as exc:
        raise BadInput([f"{p.field}: {p.message}" for p in exc.problems]) from None
    return PlanDefaults(
        allow_10k_floor=plan.allow_10k_floor,
        min_loan_cents=int(plan.min_loan * 100),
        max_loans=plan.max_loans,
        disaster_loan=plan.disaster_loan,
    )


@main.command()
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]), required=False)
def completion(shell: str | None) -> None:
    """Print the shell completion script (default: your $SHELL, else bash).

    \b
    bash:  eval "$(loan401k completion bash)"     (or save it and source it from ~/.bashrc)
    zsh:   eval "$(loan401k completion zsh)"
    fish:  loan401k completion fish > ~/.config/fish/completions/loan401k.fish
    """
    import os

    from click.shell_completion import get_completion_class

    if shell is None:
        guess = Path(os.environ.get("SHELL", "")).name
        shell = guess if guess in ("bash", "zsh", "fish") else "bash"
    complete = get_completion_class(shell)
    assert complete is not None  # click ships all three
    click.echo(complete(main, {}, "loan401k", "_LOAN401K_COMPLETE").source())


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    envvar="LOAN401K_PORT",
    default=8401,
    show_default=True,
    help="Port to listen on (env LOAN401K_PORT).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Worker processes (each opens its own database connections).",
)
@click.option(
    "--access-log/--no-access-log",
    default=False,
    show_default=True,
    help="Log every request with the client's address (off: nothing about visitors is kept).",
)
def serve(host: str, port: int, workers: int, access_log: bool) -> None:
    """Serve the web calculator and the JSON API (saved scenarios: LOAN401K_DATABASE_URL)."""
    import uvicorn

    # An import string with factory=True: each worker process builds its own app and engine.
    uvicorn.run(
        "loan401k.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=access_log,
    )


if __name__ == "__main__":  # pragma: no cover
    main()
