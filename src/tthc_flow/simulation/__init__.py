"""Policy simulation: a department's year through the real engine, with queues and staff.

>>> from tthc_flow.simulation import load_scenario, simulate, compare  # doctest: +SKIP
>>> scenario = load_scenario("examples/scenarios/hai-phong-2020.yaml")  # doctest: +SKIP
>>> base = simulate(scenario, replications=4)  # doctest: +SKIP
>>> phase1 = simulate(scenario, "giai đoạn 1", replications=4)  # doctest: +SKIP
>>> print(compare(base, phase1))  # doctest: +SKIP

See docs/simulation.md. Needs numpy (``pip install 'tthc_flow[sim]'``).
"""

try:  # the simulator's random streams; not part of the light core
    import numpy  # noqa: F401
except ImportError as missing:
    raise ImportError(
        "tthc_flow.simulation needs numpy: pip install 'tthc_flow[sim]'", name="numpy"
    ) from missing

from tthc_flow.simulation._compare import Comparison, Difference, compare
from tthc_flow.simulation._distributions import (
    Distribution,
    Empirical,
    Exponential,
    Fixed,
    Lognormal,
    Triangular,
)
from tthc_flow.simulation._export import (
    comparison_rows,
    result_rows,
    write_comparison,
    write_results,
)
from tthc_flow.simulation._kpis import Estimate, SimulationResult
from tthc_flow.simulation._labels import (
    HEADLINE_KPIS,
    KPI_LABELS,
    format_difference,
    format_estimate,
    format_kpi,
    headline_kpis,
    kpi_label,
    kpi_labels,
    role_label,
    table_label,
    variant_label,
)
from tthc_flow.simulation._plot import plot_comparison
from tthc_flow.simulation._run import BASELINE, simulate
from tthc_flow.simulation._scenario import (
    UNLIMITED,
    PinnedCatalog,
    Rate,
    Scenario,
    ScenarioModel,
    StaffPool,
    Variant,
    catalog_roles,
    load_scenario,
    parse_scenario,
)
from tthc_flow.simulation._store import SimulationStore
from tthc_flow.simulation._table import format_comparison

__all__ = [
    "BASELINE",
    "HEADLINE_KPIS",
    "KPI_LABELS",
    "UNLIMITED",
    "Comparison",
    "Difference",
    "Distribution",
    "Empirical",
    "Estimate",
    "Exponential",
    "Fixed",
    "Lognormal",
    "PinnedCatalog",
    "Rate",
    "Scenario",
    "ScenarioModel",
    "SimulationResult",
    "SimulationStore",
    "StaffPool",
    "Triangular",
    "Variant",
    "catalog_roles",
    "compare",
    "comparison_rows",
    "format_comparison",
    "format_difference",
    "format_estimate",
    "format_kpi",
    "headline_kpis",
    "kpi_label",
    "kpi_labels",
    "load_scenario",
    "parse_scenario",
    "plot_comparison",
    "result_rows",
    "role_label",
    "simulate",
    "table_label",
    "variant_label",
    "write_comparison",
    "write_results",
]
