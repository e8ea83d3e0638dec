"""The service layer: the only place that strings rules and engine together.

Every face (library, CLI, API, web, batch) calls these functions with the one input
model (or a dict of its fields) and renders the result model they return. A face that
shows several results for one input builds the scenario once (`build_scenario`) and reads
every result from it (`analysis_of`, `comparison_of`, `backtest_of`, `montecarlo_of`).
"""

from ..rules.state_tax import state_names
from .analysis import analysis_of, analyze
from .compare import compare, comparison_of
from .core import distribution, limit, schedule, schedule_columns, schedule_of, with_defaults
from .events import events, events_of
from .markets import backtest, backtest_of, montecarlo, montecarlo_of
from .scenario import Scenario, build_scenario
from .typical import Typical, options_of, typical_alternatives

__all__ = [
    "limit",
    "schedule",
    "schedule_columns",
    "schedule_of",
    "distribution",
    "analyze",
    "analysis_of",
    "compare",
    "comparison_of",
    "with_defaults",
    "backtest",
    "backtest_of",
    "montecarlo",
    "montecarlo_of",
    "events",
    "events_of",
    "state_names",
    "Scenario",
    "Typical",
    "options_of",
    "typical_alternatives",
    "build_scenario",
]
