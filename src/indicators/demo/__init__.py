"""The demo city 示例市: its setup (``city``), simulated values (``simulate``), the return
files they are written to (``files``), and loading them through the real import path
(``load``)."""

from indicators.demo.files import (  # noqa: F401 (the demo's public API)
    AS_OF,
    CITY,
    MISSING_UNIT,
    RETURN_HEADER,
    demo_design,
    demo_observations,
    demo_return_files,
    demo_setup_frames,
    demo_target_revisions,
)
