"""Loading the demo city 示例市 the way real data arrives.

The setup goes through a setup workbook written to disk and read back, the values
through monthly return workbooks read by the import pipeline — the same paths an admin
and the analysts use — so the demo exercises them on every first start.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from indicators import clock, demo
from indicators.db.connection import Connection
from indicators.errors import RejectedInput
from indicators.returns import pipeline
from indicators.rules import periods
from indicators.settings import Settings
from indicators.setup import workbook

WHO = "示例数据"


def load_demo(con: Connection, settings: Settings, work_dir: str | Path | None = None) -> str:
    """Load the demo into an empty database; returns a one-line summary."""
    at = dt.datetime.combine(clock.today(settings), dt.time(0, 0))  # what users do today comes later
    with tempfile.TemporaryDirectory(prefix="indicators-demo-") as tmp:
        folder = Path(work_dir or tmp)
        book = workbook.write_workbook(folder / "示例市_设置工作簿.xlsx", demo.demo_setup_frames())
        workbook.load_setup(con, workbook.read_workbook(book), who=WHO, at=at)
        # a second later, whatever the clock does meanwhile: the revision must be the latest
        workbook.revise_targets(con, demo.demo_target_revisions(), who=WHO, at=at + dt.timedelta(seconds=1))
        files = demo.demo_return_files(folder / "returns")
        year, month = periods.parse(demo.AS_OF)
        today = max(clock.today(settings), dt.date(year + (month == 12), month % 12 + 1, 28))
        rows = 0
        for path in files:
            reading = pipeline.read_return(path, con=con, today=today)
            if not reading.ok:
                raise RejectedInput("示例数据未通过校验：\n" + "\n".join(pipeline.problem_lines(reading, 10)))
            batch_id = pipeline.commit(con, reading, who=WHO, at=at, confirm_warnings=True)
            _backdate(con, batch_id, path.stem.rsplit("_", 1)[-1])
            rows += len(reading.values)
    from indicators.demo.tasks import load_demo_tasks
    tasks = load_demo_tasks(con, demo.AS_OF, settings, at=at)
    units = con.execute("SELECT count(*) FROM org_unit").fetchone()[0]
    inds = con.execute("SELECT count(*) FROM indicator").fetchone()[0]
    return (f"{units} 个单位，{inds} 项指标，{len(files)} 份月报共 {rows} 个数值，{tasks}"
            f"（截至 {periods.label(demo.AS_OF)}）")


def _backdate(con: Connection, batch_id: int, period: str) -> None:
    """Demo history: each month's return arrived on the 5th of the next month, 09:30,
    except a few that came late — so the timeliness view has something to show."""
    year, month = periods.parse(period)
    late_days = {"2026-08": 3, "2026-09": 1}.get(period, 0)
    at = dt.datetime(year + (month == 12), month % 12 + 1, 5 + late_days, 9, 30)
    con.execute("UPDATE batch SET uploaded_at = ? WHERE id = ?", [at, batch_id])
