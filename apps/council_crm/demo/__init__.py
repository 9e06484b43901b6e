"""The demo council: its workload, the synthetic case generator and the demo register of motions (not use cases of a council)."""
