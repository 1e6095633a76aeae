"""The demo city 示例市, built up to the latest due month: its setup (``city``), simulated
values (``simulate``) aimed at a full mix of statuses by the product's own rules
(``aim``), the return files they are written to (``files``), and loading them through
the real import path (``load``)."""

from indicators.demo.files import (  # noqa: F401 (the demo's public API)
    CITY,
    MISSING_UNIT,
    RETURN_HEADER,
    as_of_month,
    demo_design,
    demo_observations,
    demo_return_files,
    demo_setup_frames,
    demo_target_revisions,
)
