"""Case references: format, sequence, and uniqueness under concurrency."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from apps.council_crm.models import ReferenceCounter
from apps.council_crm.references import format_reference, next_reference


def test_format_is_short_and_human_friendly():
    assert format_reference("FCC", 2026, 123) == "FCC-26-000123"


@pytest.mark.django_db
def test_references_run_in_sequence_per_prefix_and_year():
    assert next_reference(prefix="FCC", year=2026) == "FCC-26-000001"
    assert next_reference(prefix="FCC", year=2026) == "FCC-26-000002"
    assert next_reference(prefix="FCC", year=2027) == "FCC-27-000001"
    assert next_reference(prefix="KCC", year=2026) == "KCC-26-000001"


@pytest.mark.django_db
def test_default_prefix_comes_from_the_site():
    assert next_reference().startswith("FCC-")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_references_stay_unique_with_8_concurrent_creators():
    if connection.vendor != "postgresql":
        pytest.skip("row-lock concurrency is checked on PostgreSQL (the PostgreSQL pass of CI)")
    per_thread, threads = 25, 8
    results: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(threads)

    def create() -> None:
        try:
            barrier.wait()
            mine = [next_reference(prefix="FCC", year=2026) for _ in range(per_thread)]
            with lock:
                results.extend(mine)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=create) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()

    assert errors == []
    assert len(results) == per_thread * threads
    assert len(set(results)) == len(results)
    assert ReferenceCounter.objects.get(prefix="FCC", year=2026).last_value == len(results)
