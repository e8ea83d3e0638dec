"""The JSON API face: POST the input fields, get the service's result model as JSON.

Each body is exactly what `loan401k <command> --json` prints for the same input. No
arithmetic here. Each calculation runs in a worker thread (`Workload`: a few at a time per
process), so a long Monte Carlo never blocks the event loop; Monte Carlo requests also have
a work budget (paths × years, 422 naming `paths`) and a few slots per process (503 with
Retry-After when they are all taken). The request body is validated by
the same `LoanInput` model as the CLI's (each endpoint's schema marks what it requires:
openapi.py), and errors are rendered by the app's handlers (app.py) with the CLI's
messages: `{"detail": [{"field", "message", "loc"}]}`. A save must be a scenario the
calculator can price; it is counted by the rate limit in the database (throttle.py) and
runs through a bounded gate, so a locked database answers 503 instead of piling up.
"""

from __future__ import annotations

import asyncio
import math
import typing
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import anyio
import anyio.to_thread
from fastapi import APIRouter, Body, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from . import cache, service, settings, throttle
from .i18n import _
from .models import InputError, LoanInput, Problem, in_words
from .openapi import request_model
from .store import ScenarioStore

SAVES_PER_MINUTE = settings.SAVES_PER_MINUTE  # per client address (loan401k.throttle)


# --------------------------------------------------------------------------- error shape


class ErrorItem(BaseModel):
    field: str
    message: str
    loc: list[str | int]


class ErrorBody(BaseModel):
    """Every API error: one item per problem, naming the field and what is allowed."""

    detail: list[ErrorItem]


def _loc(problem: Problem) -> list[str | int]:
    if problem.loc:
        return list(problem.loc)
    # list indexes are ASCII digits; "²".isdigit() is true too, but it is no index
    return [int(part) if part.isascii() and part.isdigit() else part for part in problem.field.split(".")]


def error_items(problems: list[Problem]) -> list[dict[str, Any]]:
    """The API's error items: `field` and `loc` name the field as sent; the message speaks in
    its label and units ("Loan rate: 500 is out of range; allowed range: 0% to 30%")."""
    return [{"field": p.field, "message": in_words(p), "loc": _loc(p)} for p in problems]


def http_error(status: int, field: str, message: str, headers: dict[str, str] | None = None) -> HTTPException:
    """An HTTPException whose detail is already in the API's error shape."""
    return HTTPException(status, detail=error_items([Problem(field=field, message=message)]), headers=headers)


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {
        "model": ErrorBody,
        "description": "A body that cannot be read as JSON (not UTF-8, nested too "
        "deeply, an integer of thousands of digits)",
    },
    413: {"model": ErrorBody, "description": "Request body over 64 KiB"},
    415: {"model": ErrorBody, "description": "A body that is not UTF-8 (a charset other than utf-8)"},
    422: {"model": ErrorBody, "description": "Bad input: one item per field, naming the allowed range"},
}


# --------------------------------------------------------------------------- calculations

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)

BODY = Body(description="The input fields (docs/api.md, CONTRACT.md)")
InputBody = Annotated[LoanInput, BODY]

# (path, service function, summary). compare/backtest/montecarlo are looked up on each
# request, so the endpoints work as soon as `loan401k.service` exports them.
CALCULATIONS: tuple[tuple[str, str, str], ...] = (
    ("limit", "limit", "How much can I borrow? The IRC §72(p) limit, step by step"),
    ("schedule", "schedule", "What will I pay? The repayment schedule"),
    ("distribution", "distribution", "Tax and the 10% additional tax on a taxable distribution"),
    ("analysis", "analyze", "What does it really cost? The true cost, decomposed"),
    ("comparison", "compare", "Is it my best option? The alternatives on one scale"),
    ("backtest", "backtest", "The cost over every historical start year"),
    ("montecarlo", "montecarlo", "The cost under simulated markets (seeded)"),
    ("events", "events", "What happens if…: the loan through dated events, what the law makes of them"),
)


def _result_model(function_name: str) -> Any:
    """The service function's declared result model, for the OpenAPI schema (None if absent)."""
    function = getattr(service, function_name, None)
    if function is None:
        return None
    try:
        model = typing.get_type_hints(function).get("return")
    except Exception:  # an annotation that cannot be resolved only costs the docs a schema
        return None
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


# --------------------------------------------------------------------------- workload

#: Monte Carlo work allowed in one request, in paths × projection years. At ≈ 80 ns a
#: path-year (2-core Debian box, docs/performance.md) that is ≈ 0.4 s of one core.
MAX_PATH_YEARS = 5_000_000
MAX_PATHS = 100_000  # LoanInput.paths' own upper bound


def paths_allowed(years: int) -> int:
    """The most Monte Carlo paths one request may ask for over a `years`-year horizon."""
    return max(1, min(MAX_PATHS, MAX_PATH_YEARS // max(1, years)))


def check_paths_budget(inputs: LoanInput) -> None:
    """422 naming `paths` when the predicted work (paths × years to retirement) is over the
    budget: the caller learns the allowed range for that horizon; nothing is clamped."""
    if inputs.age is None or inputs.retirement_age <= inputs.age:
        return  # the service names the missing or contradictory ages itself
    years = inputs.retirement_age - inputs.age
    allowed = paths_allowed(years)
    if inputs.paths > allowed:
        raise InputError(
            [
                Problem(
                    field="paths",
                    message=_(
                        "{paths} is out of range for a {years}-year horizon (age {age} to {retirement_age}); "
                        "allowed range: 1 to {allowed} (at most {budget} path-years a request)"
                    ).format(
                        paths=inputs.paths,
                        years=years,
                        age=inputs.age,
                        retirement_age=inputs.retirement_age,
                        allowed=f"{allowed:,}",
                        budget=f"{MAX_PATH_YEARS:,}",
                    ),
                )
            ]
        )


@dataclass
class _LoopState:
    cpu: anyio.CapacityLimiter
    heavy: anyio.Semaphore
    waiting: int = 0


class Workload:
    """How calculations share one server process (one uvicorn worker).

    Every calculation runs in a worker thread, never on the event loop, and at most
    `cpu_threads` of them at once: they are CPU-bound and share one GIL, so more threads
    only interleave them (longer tails, no more throughput) and would take the thread pool
    from saves and pages. Monte Carlo runs are heavy (up to MAX_PATH_YEARS of work): at most
    `heavy_slots` at once; up to `heavy_queue` more wait their turn (first come, first
    served) up to `heavy_wait` seconds; past that, 503 with Retry-After. A burst of default
    simulations (≈ 15 ms each) queues and is answered; only a queue longer than the wait can
    serve is refused, so simulations cannot starve the other callers nor queue without bound.
    """

    def __init__(
        self,
        cpu_threads: int = 2,
        heavy_slots: int = 1,
        heavy_queue: int = settings.SIMULATION_QUEUE,
        heavy_wait: float = settings.SIMULATION_WAIT_S,
    ):
        self.cpu_threads, self.heavy_slots = cpu_threads, heavy_slots
        self.heavy_queue, self.heavy_wait = heavy_queue, heavy_wait
        # anyio primitives belong to one event loop; a test client may start several.
        self._states: weakref.WeakKeyDictionary[Any, _LoopState] = weakref.WeakKeyDictionary()

    def _state(self) -> _LoopState:
        loop = asyncio.get_running_loop()
        state = self._states.get(loop)
        if state is None:
            state = _LoopState(anyio.CapacityLimiter(self.cpu_threads), anyio.Semaphore(self.heavy_slots))
            self._states[loop] = state
        return state

    async def run(self, function: Callable[..., Any], *args: Any) -> Any:
        return await anyio.to_thread.run_sync(function, *args, limiter=self._state().cpu)

    async def run_heavy(self, function: Callable[..., Any], *args: Any) -> Any:
        state = self._state()
        acquired = False
        if state.heavy.value > 0:
            await state.heavy.acquire()
            acquired = True
        elif state.waiting < self.heavy_queue:
            state.waiting += 1
            try:
                with anyio.move_on_after(self.heavy_wait):
                    await state.heavy.acquire()
                    acquired = True
            finally:
                state.waiting -= 1
        if not acquired:
            retry = max(1, math.ceil(self.heavy_wait))
            raise http_error(
                503,
                "request",
                _(
                    "busy: the simulations this server runs at once are all taken; retry in {seconds} s"
                ).format(seconds=retry),
                headers={"Retry-After": str(retry)},
            )
        try:
            return await self.run(function, *args)
        finally:
            state.heavy.release()


BUSY_RESPONSE: dict[int | str, dict[str, Any]] = {
    503: {"model": ErrorBody, "description": "Busy: too many simulations at once; see Retry-After"},
}
HEAVY = {"montecarlo"}


def _calculation(function_name: str, path: str) -> Callable[..., Any]:
    heavy = function_name in HEAVY

    async def endpoint(inputs: LoanInput, request: Request) -> Response:
        function = getattr(service, function_name, None)
        if function is None:
            raise http_error(
                501, "request", _("{name} is not available in this version").format(name=function_name)
            )
        workload: Workload = request.app.state.workload
        answers: cache.Answers = request.app.state.answers
        # the fields as sent, validated: a default left out can answer otherwise than the same
        # value written out (a retirement age given is checked; one left out follows the age)
        key = (function_name, inputs.model_dump_json(exclude_unset=True), *cache.context())
        kept = answers.get(key)
        if kept is not None:
            return Response(kept, media_type="application/json")

        def compute() -> Response:  # in a worker thread: the result and its JSON
            body = function(inputs).model_dump_json().encode()
            answers.put(key, body)
            return Response(body, media_type="application/json")

        response: Response
        if heavy:
            check_paths_budget(inputs)
            response = await workload.run_heavy(compute)
        else:
            response = await workload.run(compute)
        return response

    endpoint.__name__ = f"{function_name}_endpoint"
    # the body's schema says what this endpoint requires (openapi.py); validation is LoanInput's
    endpoint.__annotations__["inputs"] = Annotated[request_model(path), BODY]
    return endpoint


for _path, _function_name, _summary in CALCULATIONS:
    router.add_api_route(
        f"/{_path}",
        _calculation(_function_name, _path),
        methods=["POST"],
        summary=_summary,
        response_model=_result_model(_function_name),
        operation_id=_path,
        tags=["calculations"],
        responses=BUSY_RESPONSE if _function_name in HEAVY else None,
    )


# --------------------------------------------------------------------------- scenarios


STORE_DOWN: dict[int | str, dict[str, Any]] = {
    503: {"model": ErrorBody, "description": "The scenario database is busy or unreachable; see Retry-After"},
}


class ScenarioId(BaseModel):
    id: str


def get_store(request: Request) -> ScenarioStore:
    """The app's scenario store (also for the web pages' /s/{id})."""
    store: ScenarioStore = request.app.state.store
    return store


def _priced(inputs: LoanInput) -> None:
    """Raise InputError unless the calculator can price `inputs` (what /s/{id} will show).
    Past the scenario's build only the alternatives can fail an analysis (a HELOC without a
    rate), so the analysis itself (1.5 ms more) runs only when there are some."""
    scenario = service.build_scenario(inputs)
    if scenario.inputs.alternatives:
        service.analysis_of(scenario)


if TYPE_CHECKING:
    ScenarioBody = LoanInput
else:  # what a save needs: a computable scenario (its own schema, built from LoanInput)
    ScenarioBody = Annotated[request_model("scenario"), BODY]
SAVE_RESPONSES: dict[int | str, dict[str, Any]] = {
    403: {"model": ErrorBody, "description": "A browser's save from another site"},
    429: {"model": ErrorBody, "description": "Too many saves from this client, or from all; see Retry-After"},
    503: {
        "model": ErrorBody,
        "description": "The scenario database is busy or unreachable, or every save slot is taken; "
        "see Retry-After",
    },
}


@router.post(
    "/scenarios",
    status_code=201,
    response_model=ScenarioId,
    tags=["scenarios"],
    summary="Save a scenario's input fields (one the calculator can price); returns its id",
    responses=SAVE_RESPONSES,
)
async def save_scenario(inputs: ScenarioBody, request: Request) -> JSONResponse:
    if throttle.cross_site(request, request.app.state.settings.origin):
        raise http_error(403, "request", _("a save from another site's page is refused"))
    workload: Workload = request.app.state.workload
    await workload.run(_priced, inputs)  # 422 naming the field, as the calculation would
    # Only the fields as sent (validated and normalised): defaults stay defaults.
    data = inputs.model_dump(mode="json", exclude_unset=True)
    scenario_id = await throttle.save_scenario(request, data, get_store(request))
    return JSONResponse(
        {"id": scenario_id}, status_code=201, headers={"Location": f"/api/v1/scenarios/{scenario_id}"}
    )


@router.get(
    "/scenarios/{scenario_id}",
    response_model=LoanInput,
    tags=["scenarios"],
    summary="A saved scenario's input fields",
    responses={404: {"model": ErrorBody, "description": "No scenario with this id"}, **STORE_DOWN},
)
def load_scenario(scenario_id: str, request: Request) -> JSONResponse:
    saved = get_store(request).load(scenario_id)
    if saved is None:
        raise http_error(404, "id", _("no saved scenario with this id"))
    return JSONResponse(saved)
