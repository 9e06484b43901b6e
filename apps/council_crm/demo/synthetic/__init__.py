"""Synthetic cases: realistic, reproducible demo and load-test data for the loaded site.

Everything is drawn from one ``random.Random(seed)`` in a fixed order, so the same seed, the
same ``now`` and the same reference data give the same rows. Cases are generated day by day in
time order (so reference numbers rise with ``created_at`` within a year) and written in bulk
(executemany on SQLite, COPY on PostgreSQL), one transaction per batch, with no per-case query.
The bulk writes bypass ``save()``, so no simple-history rows are written for generated data.
"""

from apps.council_crm.demo.synthetic.errors import SyntheticDataError
from apps.council_crm.demo.synthetic.generator import cases_generate

__all__ = ["SyntheticDataError", "cases_generate"]
