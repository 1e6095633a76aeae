"""指标月调度 — the domain package: store, computations, import, reports.

Nothing in this package imports streamlit; pages call into it.
"""

__version__ = "0.1.0"
