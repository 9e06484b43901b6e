"""The worker gives way to the web server while the CPU is contended (ADR 0014)."""

from __future__ import annotations

import pytest

from apps.council_crm import contention
from apps.council_crm import models as m
from apps.council_crm.contention import GiveWay
from apps.council_crm.services import intake
from tests.council_crm.test_intake import receive


class Machine:
    """A clock, and the kernel's counters as a worker would read them, moved by sleeping."""

    def __init__(self, pressures: list[float], *, own_waits_longer: bool = True) -> None:
        self.now = 0.0
        self.stall_us = 0
        self.pressures = list(pressures)  # the share of each window some task waited
        self.own = [0, 0]
        self.own_waits_longer = own_waits_longer
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        pressure = self.pressures.pop(0) if self.pressures else 0.0
        self.stall_us += round(pressure * seconds * 1e6)
        self.now += seconds

    def work(self, ran_ms: int, waited_ms: int) -> None:
        self.own[0] += ran_ms * 1_000_000
        self.own[1] += waited_ms * 1_000_000
        self.now += (ran_ms + waited_ms) / 1000

    def give_way(self, max_wait: float = 5.0) -> GiveWay:
        return GiveWay(
            max_wait=max_wait,
            read_stall=lambda: self.stall_us,
            read_own=lambda: tuple(self.own),
            sleep=self.sleep,
            clock=self.clock,
        )


def test_a_quiet_machine_costs_no_wait():
    machine = Machine([0.0, 0.0, 0.0])
    give_way = machine.give_way()
    assert give_way() == pytest.approx(0.2)  # the first call cannot tell: it measures once
    for _ in range(50):
        machine.work(ran_ms=25, waited_ms=2)  # a report logged with the CPU to itself
        assert give_way() == 0.0
    assert machine.sleeps == [0.2]


def test_while_the_cpu_is_contended_the_worker_waits_until_it_is_not():
    machine = Machine([0.0, 0.95, 0.9, 0.97, 0.1])
    give_way = machine.give_way()
    give_way()
    machine.work(ran_ms=25, waited_ms=180)  # the web server took the CPU meanwhile
    assert give_way() == pytest.approx(0.8)  # three busy windows, then a quiet one
    assert give_way.waited_total == pytest.approx(1.0)


def test_the_wait_is_bounded_so_logging_never_stops():
    machine = Machine([1.0] * 100)
    give_way = machine.give_way(max_wait=2.0)
    assert give_way() == pytest.approx(2.0)
    machine.work(ran_ms=25, waited_ms=300)
    assert give_way() == pytest.approx(2.0)


def test_without_the_kernels_figures_or_when_switched_off_it_never_waits():
    machine = Machine([1.0] * 10)
    blind = GiveWay(max_wait=5, read_stall=lambda: None, read_own=lambda: None)
    assert blind() == 0.0
    off = machine.give_way(max_wait=0)
    assert off() == 0.0
    assert machine.sleeps == []


def test_the_kernels_figures_are_read_where_linux_gives_them(tmp_path, monkeypatch):
    pressure = tmp_path / "cpu"
    pressure.write_text(
        "some avg10=1.50 avg60=0.80 avg300=0.20 total=123456789\n"
        "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
    )
    schedstat = tmp_path / "schedstat"
    schedstat.write_text("2500000 700000 12\n")
    monkeypatch.setattr(contention, "PRESSURE", pressure)
    monkeypatch.setattr(contention, "SCHEDSTAT", schedstat)
    assert contention.cpu_stall_us() == 123456789
    assert contention.own_cpu_ns() == (2500000, 700000)
    monkeypatch.setattr(contention, "PRESSURE", tmp_path / "missing")
    monkeypatch.setattr(contention, "SCHEDSTAT", tmp_path / "missing")
    assert contention.cpu_stall_us() is None
    assert contention.own_cpu_ns() is None


@pytest.mark.django_db
@pytest.mark.usefixtures("demo_site")
def test_the_worker_gives_way_before_each_report_and_still_logs_them_all(monkeypatch):
    # given: three reports received during a burst that keeps the CPU busy for a while
    for n in range(3):
        receive(journey=f"journey-burst-{n}")
    machine = Machine([0.9, 0.9, 0.9, 0.2] + [0.0] * 20)
    give_way = machine.give_way()
    monkeypatch.setattr(intake.GiveWay, "from_settings", classmethod(lambda cls: give_way))

    # when: the worker logs them
    assert intake.reports_log() == 3

    # then: it waited for the burst before the first, and every report became its case
    assert give_way.waited_total == pytest.approx(0.8)
    assert m.ServiceRequest.objects.count() == 3
    assert m.ReportSubmission.objects.count() == 0
