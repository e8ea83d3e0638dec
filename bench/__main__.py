"""`python -m bench`: time every case and print the table. Always exits 0."""

from __future__ import annotations

import platform
import sys

from . import REPEATS, discover, table, time_case


def main() -> int:
    cases = discover()
    print(
        f"loan401k benchmarks: {len(cases)} case(s), best of {REPEATS} repeats "
        f"(timeit autorange), Python {platform.python_version()} on {platform.machine()}",
        flush=True,
    )
    timings = [time_case(case) for case in cases]
    print(table(timings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
