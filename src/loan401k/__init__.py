"""loan401k: the true cost of borrowing from your 401(k).

The library face: each function takes the one input model (or a dict of its fields)
and returns a result model whose `.model_dump(mode="json")` is the API's body.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = [
    "limit",
    "schedule",
    "distribution",
    "analyze",
    "compare",
    "backtest",
    "montecarlo",
    "events",
    "__version__",
]

if TYPE_CHECKING:  # pragma: no cover
    # the functions, not the modules of the same name (service.compare, service.events)
    from .service import analyze, backtest, distribution, limit, montecarlo, schedule
    from .service.compare import compare
    from .service.events import events


def __getattr__(name: str) -> Any:
    # Imported lazily so `import loan401k` (and `loan401k --help`) stays fast.
    if name in __all__ and name != "__version__":
        from . import service

        function = getattr(service, name)
        globals()[name] = function  # found directly from now on: no lookup per call
        return function
    raise AttributeError(f"module 'loan401k' has no attribute {name!r}")
