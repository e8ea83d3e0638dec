"""The JSON API face: POST the input fields, get the service's result model as JSON.

Each body is exactly what `loan401k <command> --json` prints for the same input. No
arithmetic here. Calculation endpoints are plain `def` so FastAPI runs them in its thread
pool and a long Monte Carlo never blocks the event loop. The request body is validated by
the same `LoanInput` model as the CLI's, and errors are rendered by the app's handlers
(app.py) with the CLI's messages: `{"detail": [{"field", "message", "loc"}]}`.
"""

from __future__ import annotations

import threading
import time
import typing
from collections import deque
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from . import service
from .models import LoanInput, Problem
from .store import ScenarioStore

SAVES_PER_MINUTE = 30  # per client address, per server process


# --------------------------------------------------------------------------- error shape


class ErrorItem(BaseModel):
    field: str
    message: str
    loc: list[str | int]


class ErrorBody(BaseModel):
    """Every API error: one item per problem, naming the field and what is allowed."""

    detail: list[ErrorItem]


def error_items(problems: list[Problem]) -> list[dict[str, Any]]:
    return [
        {"field": p.field, "message": p.message,
         "loc": [int(part) if part.isdigit() else part for part in p.field.split(".")]}
        for p in problems
    ]


def http_error(status: int, field: str, message: str, headers: dict[str, str] | None = None) -> HTTPException:
    """An HTTPException whose detail is already in the API's error shape."""
    return HTTPException(status, detail=error_items([Problem(field=field, message=message)]),
                         headers=headers)


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorBody, "description": "Bad input: one item per field, naming the allowed range"},
    413: {"model": ErrorBody, "description": "Request body over 64 KiB"},
}


# --------------------------------------------------------------------------- rate limit


class RateLimiter:
    """At most `limit` events per `window` seconds per key (in memory, per process)."""

    MAX_KEYS = 10_000

    def __init__(self, limit: int = SAVES_PER_MINUTE, window: float = 60.0,
                 clock: Callable[[], float] = time.monotonic):
        self.limit, self.window, self.clock = limit, window, clock
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, key: str) -> int | None:
        """Record an event for `key`; None if allowed, else seconds until one is."""
        now = self.clock()
        with self._lock:
            if len(self._events) >= self.MAX_KEYS:
                self._forget_idle(now)
            events = self._events.setdefault(key, deque())
            while events and events[0] <= now - self.window:
                events.popleft()
            if len(events) >= self.limit:
                return max(1, int(events[0] + self.window - now + 0.999))
            events.append(now)
            return None

    def _forget_idle(self, now: float) -> None:
        for key in [k for k, e in self._events.items() if not e or e[-1] <= now - self.window]:
            del self._events[key]
        if len(self._events) >= self.MAX_KEYS:  # a flood of distinct addresses: start over
            self._events.clear()


# --------------------------------------------------------------------------- calculations

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)

InputBody = Annotated[LoanInput, Body(description="The input fields (docs/api.md, CONTRACT.md)")]

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


def _calculation(function_name: str) -> Callable[[LoanInput], JSONResponse]:
    def endpoint(inputs: InputBody) -> JSONResponse:
        function = getattr(service, function_name, None)
        if function is None:
            raise http_error(501, "request", f"{function_name} is not available in this version")
        return JSONResponse(function(inputs).model_dump(mode="json"))

    endpoint.__name__ = f"{function_name}_endpoint"
    return endpoint


for _path, _function_name, _summary in CALCULATIONS:
    router.add_api_route(
        f"/{_path}", _calculation(_function_name), methods=["POST"], summary=_summary,
        response_model=_result_model(_function_name), operation_id=_path, tags=["calculations"],
    )


# --------------------------------------------------------------------------- scenarios


class ScenarioId(BaseModel):
    id: str


def get_store(request: Request) -> ScenarioStore:
    """The app's scenario store (also for the web pages' /s/{id})."""
    return request.app.state.store


def _client_key(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("/scenarios", status_code=201, response_model=ScenarioId, tags=["scenarios"],
             summary="Save a scenario's input fields; returns its id",
             responses={429: {"model": ErrorBody, "description": "Too many saves from this client"}})
def save_scenario(inputs: InputBody, request: Request) -> JSONResponse:
    wait = request.app.state.save_limiter.retry_after(_client_key(request))
    if wait is not None:
        raise http_error(429, "request", f"too many saves; at most {request.app.state.save_limiter.limit} "
                         f"a minute; retry in {wait} s", headers={"Retry-After": str(wait)})
    # Only the fields as sent (validated and normalised): defaults stay defaults.
    scenario_id = get_store(request).save(inputs.model_dump(mode="json", exclude_unset=True))
    return JSONResponse({"id": scenario_id}, status_code=201,
                        headers={"Location": f"/api/v1/scenarios/{scenario_id}"})


@router.get("/scenarios/{scenario_id}", response_model=LoanInput, tags=["scenarios"],
            summary="A saved scenario's input fields",
            responses={404: {"model": ErrorBody, "description": "No scenario with this id"}})
def load_scenario(scenario_id: str, request: Request) -> JSONResponse:
    saved = get_store(request).load(scenario_id)
    if saved is None:
        raise http_error(404, "id", "no saved scenario with this id")
    return JSONResponse(saved)
