"""The service layer: the only place that strings rules and engine together.

Every face (library, CLI, API, web, batch) calls these functions with the one input
model (or a dict of its fields) and renders the result model they return.
"""

from .analysis import analyze
from .compare import compare
from .core import distribution, limit, schedule, with_defaults
from .markets import backtest, montecarlo

__all__ = [
    "limit",
    "schedule",
    "distribution",
    "analyze",
    "compare",
    "with_defaults",
    "backtest",
    "montecarlo",
]
