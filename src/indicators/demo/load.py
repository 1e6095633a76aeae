"""Loading the demo city 示例市 the way real data arrives.

The setup goes through a setup workbook written to disk and read back, the values
through the return files read by the import pipeline — the same paths an admin and the
analysts use — so the demo exercises them on every first start. The city is built up to
the latest due month on the settings' clock (``demo.as_of_month``).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from indicators import clock, demo
from indicators.accounts import passwords, system, users
from indicators.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, add_demo_accounts
from indicators.db.connection import Connection
from indicators.demo import tasks
from indicators.errors import RejectedInput
from indicators.returns import pipeline
from indicators.returns.excel.matching import Catalog
from indicators.rules import periods
from indicators.settings import Settings
from indicators.setup import workbook

ACTOR = system("示例数据")
PENDING_INDICATORS = 2  # the demo district re-sends this many of its latest figures, awaiting review


def load_demo(con: Connection, settings: Settings, work_dir: str | Path | None = None) -> str:
    """Load the demo into an empty database; returns a one-line summary."""
    as_of, today = demo.as_of_month(settings), clock.today(settings)
    at = dt.datetime.combine(today, dt.time(0, 0))  # what users do today comes later
    # the demo accounts' one argon2 hash is made in a thread beside the build (argon2 runs
    # outside the GIL), ready when the accounts are added
    with ThreadPoolExecutor(max_workers=1) as pool, tempfile.TemporaryDirectory(prefix="indicators-demo-") as tmp:
        demo_hash = pool.submit(passwords.hash_password, DEMO_PASSWORD)
        folder = Path(work_dir or tmp)
        setup = {**demo.demo_setup_frames(as_of, settings), "task": tasks.task_sheet(as_of)}  # one workbook
        book = workbook.write_workbook(folder / "示例市_设置工作簿.xlsx", setup)
        workbook.load_setup(con, workbook.read_workbook(book), actor=ACTOR, at=at)
        # a second later, whatever the clock does meanwhile: the revision must be the latest
        workbook.revise_targets(con, demo.demo_target_revisions(as_of, settings), actor=ACTOR,
                                at=at + dt.timedelta(seconds=1))
        files = demo.demo_return_files(folder / "returns", as_of, settings)
        catalog = Catalog.from_db(con)  # the returns do not change the catalogue
        rows = 0
        for path, sent in files:
            reading = pipeline.read_return(path, con=con, today=today, catalog=catalog)
            if not reading.ok:
                raise RejectedInput("示例数据未通过校验：\n" + "\n".join(pipeline.problem_lines(reading, 10)))
            pipeline.commit(con, reading, actor=ACTOR, settings=settings, at=sent, confirm_warnings=True)
            rows += len(reading.values)
        accounts = add_demo_accounts(con, ACTOR, at=at, password_hash=demo_hash.result())
    _pending_resend(con, settings, reading, as_of, sent)
    done = tasks.load_demo_tasks(con, as_of, settings, at=at, sheet_loaded=True)
    units = con.execute("SELECT count(*) FROM org_unit").fetchone()[0]
    inds = con.execute("SELECT count(*) FROM indicator").fetchone()[0]
    return (f"{units} 个单位，{inds} 项指标，{len(files)} 份报表共 {rows} 个数值，{done}，"
            f"{accounts} 个演示账户（截至 {periods.label(as_of)}，最近一个已过报送截止日的月份）")


def _pending_resend(con: Connection, settings: Settings, latest: pipeline.ReturnReading, as_of: str,
                    sent: dt.datetime) -> None:
    """The demo district's user re-sends two of its latest figures (unchanged) an hour
    after the month's return arrived: a batch 待审核, so the review page and the 待审核
    marks have something to show. Sent by the district account, as a district user would."""
    login, _, _, unit, _ = next(a for a in DEMO_ACCOUNTS if a[1] == "district")
    mine = latest.values[(latest.values["org_unit"] == unit) & (latest.values["period"] == as_of)]
    codes = list(dict.fromkeys(mine["indicator_code"]))[:PENDING_INDICATORS]
    resend = pipeline.ReturnReading(f"{latest.file_name.rsplit('.', 1)[0]}_{unit}_更正.xlsx", latest.sha256[::-1],
                                    mine[mine["indicator_code"].isin(codes)].reset_index(drop=True),
                                    latest.problems.iloc[0:0], latest.conversions.iloc[0:0], latest.layout)
    pipeline.commit(con, resend, actor=users.actor_for(con, login), settings=settings,
                    at=sent + dt.timedelta(hours=1))
