"""The fixtures of tthc_flow.testing (small_scenario, sim_clock), as users get them."""

from tthc_flow.testing import sim_clock, small_scenario

__all__ = ["sim_clock", "small_scenario"]
