"""CPU contention: the background worker gives way to the web server (ADR 0014).

On a machine that runs both, the web server and the worker share the cores. A report takes a
few milliseconds of CPU to receive and some 25 to log as a case, so in a burst of reports the
worker cannot keep up whatever it is given; what it takes only slows the residents' pages. So
before each report it logs, the worker asks whether the CPU is contended, and if so waits,
for a few seconds at most, before it goes on (a trickle, never a standstill); the reports wait
safely in their table meanwhile and are logged in order once the burst is over.

"Contended" is read from the kernel: the share of time in which some runnable task waited for
a CPU (Linux pressure stall information, /proc/pressure/cpu, "some"), measured over a short
window while the worker itself sleeps, so that its own demand does not count. That window
costs a fifth of a second, so it is only measured when the worker itself has just waited for
a CPU longer than it ran (/proc/self/schedstat): on a quiet machine the check costs two small
file reads. Where the kernel does not say (not Linux, or PSI switched off) the worker never
waits.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

PRESSURE = Path("/proc/pressure/cpu")
SCHEDSTAT = Path("/proc/self/schedstat")


def cpu_stall_us() -> int | None:
    """Microseconds since boot in which some runnable task waited for a CPU, or None."""
    try:
        text = PRESSURE.read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("some ") and "total=" in line:
            return int(line.rsplit("total=", 1)[1])
    return None


def own_cpu_ns() -> tuple[int, int] | None:
    """(ns this process has run, ns it has waited for a CPU while runnable), or None."""
    try:
        ran, waited, _slices = SCHEDSTAT.read_text().split()
    except (OSError, ValueError):
        return None
    return int(ran), int(waited)


@dataclass
class GiveWay:
    """Called before each unit of background work; waits while the CPU is contended."""

    max_wait: float  # seconds; 0 never waits
    threshold: float = 0.5  # share of the window in which some task waited for a CPU
    window: float = 0.2  # seconds per measurement
    read_stall: Callable[[], int | None] = cpu_stall_us
    read_own: Callable[[], tuple[int, int] | None] = own_cpu_ns
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    waited_total: float = 0.0
    _last_own: tuple[int, int] | None = field(default=None, init=False, repr=False)

    @classmethod
    def from_settings(cls) -> GiveWay:
        return cls(max_wait=settings.CRM_WORKER_GIVE_WAY_SECONDS)

    def __call__(self) -> float:
        """Wait while the CPU is contended, for at most max_wait; the seconds waited."""
        if self.max_wait <= 0 or not self._may_be_contended():
            return 0.0
        start = self.clock()
        while self.clock() - start + self.window <= self.max_wait + 1e-6:
            pressure = self.pressure()
            if pressure is None or pressure < self.threshold:
                break
        self._last_own = self.read_own()  # the wait itself is not this process's demand
        waited = self.clock() - start
        self.waited_total += waited
        return waited

    def _may_be_contended(self) -> bool:
        """Whether this process waited for a CPU longer than it ran since the last call (the
        first call cannot tell, so it measures)."""
        now, last = self.read_own(), self._last_own
        self._last_own = now
        if self.read_stall() is None:  # the kernel does not say: never wait
            return False
        if now is None or last is None:
            return True
        ran, waited = now[0] - last[0], now[1] - last[1]
        return waited > ran

    def pressure(self) -> float | None:
        """The share of one window (spent asleep) in which some task waited for a CPU."""
        before, t0 = self.read_stall(), self.clock()
        if before is None:
            return None
        self.sleep(self.window)
        after, elapsed = self.read_stall(), self.clock() - t0
        if after is None or elapsed <= 0:
            return None
        return min(1.0, (after - before) / 1e6 / elapsed)
