"""The demo council: its workload, the synthetic case generator and the demo register.

Not use cases of a council, so not in services/: make run and the benchmarks call it.
"""
