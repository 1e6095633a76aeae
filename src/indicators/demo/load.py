"""Loading the demo city 示例市 the way real data arrives.

The setup goes through a setup workbook written to disk and read back, the values
through the return files read by the import pipeline — the same paths an admin and the
analysts use — so the demo exercises them on every first start. The city is built up to
the latest due month on the settings' clock (``demo.as_of_month``).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from indicators import clock, demo
from indicators.db.connection import Connection
from indicators.demo import tasks
from indicators.errors import RejectedInput
from indicators.returns import pipeline
from indicators.returns.excel.matching import Catalog
from indicators.rules import periods
from indicators.settings import Settings
from indicators.setup import workbook

WHO = "示例数据"


def load_demo(con: Connection, settings: Settings, work_dir: str | Path | None = None) -> str:
    """Load the demo into an empty database; returns a one-line summary."""
    as_of, today = demo.as_of_month(settings), clock.today(settings)
    at = dt.datetime.combine(today, dt.time(0, 0))  # what users do today comes later
    with tempfile.TemporaryDirectory(prefix="indicators-demo-") as tmp:
        folder = Path(work_dir or tmp)
        setup = {**demo.demo_setup_frames(as_of, settings), "task": tasks.task_sheet(as_of)}  # one workbook
        book = workbook.write_workbook(folder / "示例市_设置工作簿.xlsx", setup)
        workbook.load_setup(con, workbook.read_workbook(book), who=WHO, at=at)
        # a second later, whatever the clock does meanwhile: the revision must be the latest
        workbook.revise_targets(con, demo.demo_target_revisions(as_of, settings), who=WHO,
                                at=at + dt.timedelta(seconds=1))
        files = demo.demo_return_files(folder / "returns", as_of, settings)
        catalog = Catalog.from_db(con)  # the returns do not change the catalogue
        rows = 0
        for path, sent in files:
            reading = pipeline.read_return(path, con=con, today=today, catalog=catalog)
            if not reading.ok:
                raise RejectedInput("示例数据未通过校验：\n" + "\n".join(pipeline.problem_lines(reading, 10)))
            pipeline.commit(con, reading, who=WHO, at=sent, confirm_warnings=True)
            rows += len(reading.values)
    done = tasks.load_demo_tasks(con, as_of, settings, at=at, sheet_loaded=True)
    units = con.execute("SELECT count(*) FROM org_unit").fetchone()[0]
    inds = con.execute("SELECT count(*) FROM indicator").fetchone()[0]
    return (f"{units} 个单位，{inds} 项指标，{len(files)} 份报表共 {rows} 个数值，{done}"
            f"（截至 {periods.label(as_of)}，最近一个已过报送截止日的月份）")
