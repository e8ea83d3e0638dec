"""The `loan401k` command: parse flags and input files, call the service, render.

No arithmetic here. Heavy modules (pydantic models, the engine, rich) are imported
inside the commands so `loan401k --help` answers at once.
"""

from __future__ import annotations

import errno
import json
import os
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
    "state",
    "years_of_service",
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
    "plan_type",
    "plan",
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
EXIT_ENVIRONMENT = 1


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
        raw = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise BadInput([f"input: cannot read {path}: {exc.strerror}"]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        byte = raw[exc.start : exc.start + 1].hex()
        where = f"byte 0x{byte} at byte {exc.start + 1}"
        raise BadInput([f"input: {path} is not UTF-8 ({where}); save it as UTF-8"]) from None
    is_toml = path.endswith(".toml")
    kind = "TOML" if is_toml else "JSON"
    try:
        if is_toml:
            import tomllib

            data = tomllib.loads(text)
        else:
            data = json.loads(text)
    except ValueError as exc:
        raise BadInput([f"input: {path} is not valid {kind}: {str(exc)[:200]}"]) from None
    except RecursionError:
        raise BadInput([f"input: {path} is not valid {kind}: nested too deeply"]) from None
    if not isinstance(data, dict):
        raise BadInput([f"input: {path} must hold an object of input fields"])
    return data


def gather(input_file: str | None, flags: dict[str, Any]) -> dict[str, Any]:
    data = _read_input_file(input_file)
    data.update({name: value for name, value in flags.items() if value is not None})
    plan = data.get("plan")
    if isinstance(plan, str) and (plan.endswith((".yaml", ".yml")) or "/" in plan):
        data["plan"] = _plan_file(plan)  # --plan FILE: the profile's id, registered for the run
    return data


def _plan_file(path: str) -> str:
    from .service.plans import PlanError, register

    try:
        return register(Path(path)).id
    except PlanError as exc:
        raise BadInput([f"plan: {exc}"]) from None


def _run(call: Callable[[dict[str, Any]], Any], data: dict[str, Any]) -> Any:
    from .models import InputError

    try:
        return call(data)
    except InputError as exc:
        raise BadInput(_lines(exc.problems)) from None


def _lines(problems: list[Any]) -> list[str]:
    """One `field: message` line per problem, the message in the field's label and units."""
    from .models import in_words

    return [f"{p.field}: {in_words(p)}" for p in problems]


def _emit_json(result: Any) -> None:
    click.echo(result.model_dump_json(indent=2))


class Loan401kGroup(click.Group):
    """Never a traceback: bad input is exit 2 with one line per problem; a failure of the
    machine (a full disk, an output that cannot be written) is exit 1 with one line; a
    reader that goes away (`loan401k batch big.csv | head`) ends the command quietly, exit 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            result = super().invoke(ctx)
            sys.stdout.flush()  # a full disk shows here, not in the interpreter's exit
            return result
        except BadInput as exc:
            for line in exc.lines:
                click.echo(f"error: {line}", err=True)
            ctx.exit(EXIT_BAD_INPUT)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:
            ctx.exit(130)
        except Exception as exc:
            lines = getattr(exc, "lines", None) if getattr(exc, "environment", False) else None  # OutputError
            if _broken_pipe(exc):
                _silence_stdout()
                ctx.exit(EXIT_ENVIRONMENT)
            if lines is None and isinstance(exc, OSError):
                lines = [f"output: cannot write: {exc.strerror or str(exc).split(' (os error')[0]}"]
                _silence_stdout()
            if lines is None:  # a bug: still one line, and the way to report it
                lines = [f"internal error ({type(exc).__name__}): {str(exc)[:200]}; please report it"]
            for line in lines:
                click.echo(f"error: {line}", err=True)
            ctx.exit(EXIT_ENVIRONMENT)


def _broken_pipe(exc: BaseException) -> bool:
    """The reader of standard output went away (polars says so in its own words)."""
    return isinstance(exc, BrokenPipeError) or (
        isinstance(exc, OSError) and (exc.errno == errno.EPIPE or "os error 32" in str(exc))
    )


def _silence_stdout() -> None:
    """Standard output cannot take more: point it at /dev/null, so the interpreter's last
    flush at exit does not print an "Exception ignored" of its own."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


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
    _add_listed(data, "alternatives", [_alternative(text) for text in alternatives])
    result = _run(service.compare, data)
    if as_json:
        _emit_json(result)
    elif as_csv:
        render.rows_csv(
            ["kind", "label", "cost", "payment", "interest", "fees", "taxes", "penalties"], result.options
        )
    else:
        render.comparison(result)


def _add_listed(data: dict[str, Any], name: str, entries: list[dict[str, str]]) -> None:
    """Entries given as flags (--alternative, --event) after those of --input."""
    listed = data.get(name) or []
    if entries and isinstance(listed, list):
        data[name] = listed + entries


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
    _add_listed(data, "events", [_event(text) for text in events])
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
@click.option(
    "--plan",
    "plan",
    default=None,
    metavar="FILE|ID",
    help="A plan profile (docs/plans.md): its minimum loan, loans at a time and $10,000 floor "
    "for rows whose own cell is empty; a flag still wins.",
)
@click.option(
    "--servicing",
    is_flag=True,
    help="Servicing instead of limits: one loan a row (payments made) -> status, cure deadline, "
    "deemed amount and Form 1099-R code (docs/cli.md).",
)
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    metavar="YYYY-MM-DD",
    help="With --servicing: the day for rows whose as_of cell is empty (default today).",
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
    servicing: bool,
    as_of: Any,
    **options: Any,
) -> None:
    """Limits for a whole plan: every participant of a CSV or Parquet file, streamed.

    Columns: participant_id, vested_balance (required), outstanding_loan_balance,
    highest_loan_balance_12m, existing_loans, amount, allow_10k_floor, min_loan, max_loans,
    disaster_loan. Out: the same rows with max_loan, eligible, binding_rule, excess and error
    (a bad cell fails only its own row). A summary follows on standard error.

    With --servicing: one loan a row (loan_id, amount, annual_rate_pct, term_months,
    frequency, start_date, as_of, payments_made, ...) -> status, cure deadline, balance,
    deemed amount and Form 1099-R code (docs/cli.md).
    """
    from . import batch as plan_batch
    from . import render

    path = participants or input_file
    if path is None or (participants and input_file):
        raise BadInput(["participants: give one participants file (the argument or --input)"])
    if servicing:
        _servicing_batch(path, output, as_json, as_csv, engine, scheduler, batch_rows, as_of, options)
        return
    if as_of is not None:
        raise BadInput(["--as-of: only with --servicing (a limit uses the law in force today)"])
    defaults = _plan_defaults(options)
    kind = _output_kind(output, as_json, as_csv)
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
    if summary.rows_with_errors:  # every row is written; the status says some were bad input
        sys.stdout.flush()
        raise SystemExit(EXIT_BAD_INPUT)


def _output_kind(output: str | None, as_json: bool, as_csv: bool) -> str:
    from .batch import BatchError, file_kind

    kind = "json" if as_json and output is None else "csv"
    if output is not None and not as_csv:
        try:
            kind = file_kind(output)
        except BatchError as exc:
            raise BadInput([f"output: {line}" for line in exc.lines]) from None
    return kind


def _servicing_batch(
    path: str,
    output: str | None,
    as_json: bool,
    as_csv: bool,
    engine: str,
    scheduler: str | None,
    batch_rows: int,
    as_of: Any,
    options: dict[str, Any],
) -> None:
    """`batch --servicing`: the loans file through loan401k.batch.servicing, streamed."""
    from . import render
    from .batch import BatchError, open_output
    from .batch import servicing as loans_batch

    problems = [
        f"--{name.replace('_', '-')}: a plan option of the limits, not used with --servicing"
        for name, value in options.items()
        if value is not None
    ]
    if engine != "local" or scheduler:
        problems.append("--engine: --servicing runs on the local engine (a million loans take seconds)")
    if problems:
        raise BadInput(problems)
    kind = _output_kind(output, as_json, as_csv)
    rows_on_terminal = output is None and sys.stdout.isatty()
    try:
        with (
            open_output(output, kind) as writer,
            render.progress("Servicing", enabled=not rows_on_terminal, stderr=True) as report,
        ):
            summary = loans_batch.run(
                path, writer, day=as_of.date() if as_of else None, batch_rows=batch_rows, progress=report
            )
    except BatchError as exc:
        raise BadInput(exc.lines) from None
    figures = summary.as_dict()
    if as_json:
        text = json.dumps(figures, default=float, indent=None if output is None else 2)
        click.echo(f', "summary": {text}}}' if output is None else text)
    else:
        render.servicing_summary(figures, output or "standard output")
    if summary.rows_with_errors:  # as the limits batch: every row written, the status says some failed
        sys.stdout.flush()
        raise SystemExit(EXIT_BAD_INPUT)


def _plan_defaults(options: dict[str, Any]) -> Any:
    """The plan-wide flags, validated by the one input model (exit 2 naming the flag)."""
    from .batch import PlanDefaults
    from .models import InputError, parse_input

    given = {name: value for name, value in options.items() if value is not None}
    if given.get("plan") is not None:
        from .service.plans import profile_for

        reference = given.pop("plan")
        try:
            is_file = reference.endswith((".yaml", ".yml"))
            profile = profile_for(_plan_file(reference) if is_file else reference)
        except InputError as exc:
            raise BadInput(_lines(exc.problems)) from None
        for rule in ("min_loan", "max_loans", "allow_10k_floor"):
            if rule in profile.rules and rule not in given:
                given[rule] = profile.rules[rule].value
    try:
        plan = parse_input({**given})
    except InputError as exc:
        raise BadInput(_lines(exc.problems)) from None
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
@click.option(
    "--header-timeout",
    type=click.FloatRange(0.1, 3600),
    default=None,
    metavar="SECONDS",
    help="Close a connection whose request headers are not complete by then (default 10).",
)
@click.option(
    "--body-timeout",
    type=click.FloatRange(0.1, 3600),
    default=None,
    metavar="SECONDS",
    help="Close a connection whose request body is not complete by then (default 10).",
)
@click.option(
    "--keep-alive-timeout",
    type=click.IntRange(1, 3600),
    default=None,
    metavar="SECONDS",
    help="Close an idle kept-alive connection after this long (default 5).",
)
def serve(
    host: str,
    port: int,
    workers: int,
    access_log: bool,
    header_timeout: float | None,
    body_timeout: float | None,
    keep_alive_timeout: int | None,
) -> None:
    """Serve the web calculator and the JSON API (saved scenarios: LOAN401K_DATABASE_URL).

    Behind a reverse proxy, see docs/deploy.md (LOAN401K_TRUSTED_PROXIES, LOAN401K_PUBLIC_URL).
    """
    import os

    import uvicorn

    from . import server

    # Each worker runs its calculations in threads of its own (api.Workload): numpy's BLAS
    # threads on top would fight them for the same cores (the Monte Carlo's matrix products).
    # One BLAS thread a worker unless the deployment says otherwise; the workers inherit it.
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        os.environ.setdefault(name, "1")
    # the worker processes read the timeouts from the environment they inherit
    for name, value in ((server.HEADER_TIMEOUT_ENV, header_timeout), (server.BODY_TIMEOUT_ENV, body_timeout)):
        if value is not None:
            os.environ[name] = str(value)
    try:
        server.seconds(server.HEADER_TIMEOUT_ENV, server.HEADER_TIMEOUT_S)
        server.seconds(server.BODY_TIMEOUT_ENV, server.BODY_TIMEOUT_S)
        from .settings import from_environment

        from_environment()  # a bad knob stops here, in one line, not in every worker
    except ValueError as exc:
        raise BadInput([str(exc)]) from None
    # An import string with factory=True: each worker process builds its own app and engine.
    uvicorn.run(
        "loan401k.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=access_log,
        http=server.TimedHttpToolsProtocol,  # header and body deadlines (loan401k.server)
        timeout_keep_alive=keep_alive_timeout or server.KEEP_ALIVE_S,
        # The app decides who the client is (LOAN401K_TRUSTED_PROXIES, loan401k.throttle):
        # uvicorn's own proxy headers would believe any X-Forwarded-For from 127.0.0.1.
        proxy_headers=False,
        server_header=False,
    )


if __name__ == "__main__":  # pragma: no cover
    main()
