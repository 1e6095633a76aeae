"""The 督办 list of 责任分解: indicators and tasks per owner with explanation status."""

import pandas as pd
import testdate

from indicators import explanations
from indicators.db import connection
from indicators.dispatch import dispatch_table
from indicators.tasks.board import task_board
from indicators.views.supervision import owner_indicators, owner_tasks, supervision_list


def test_leader_list_counts_what_to_chase(demo_db):
    con = connection.connect(demo_db, read_only=True)
    try:
        attached = explanations.attach(con, dispatch_table(con, testdate.AS_OF, testdate.SETTINGS))
        board = task_board(con, testdate.AS_OF)
    finally:
        con.close()
    sl = supervision_list(attached, board, "leader")
    assert set(sl.owners) == {"王建国", "李明华", "张晓燕", "陈志强"}
    assert sl.summary["任务数"].sum() == 24
    assert sl.summary["滞后任务"].sum() == int((board["status"] == "lagging").sum())
    need = attached[attached["explanation_required"]]
    city = need[need["parent_code"].isna()]
    kids = need[need["parent_code"].notna()]
    # every missing explanation of a key indicator is counted once, under its leader
    assert sl.summary["说明待补充"].sum() == int((need["explanation_state"] == "missing").sum())
    first = sl.owners[0]
    inds, tasks = owner_indicators(sl, first), owner_tasks(sl, first)
    assert {"滞后说明", "区县说明"} <= set(inds.columns) and "tone" in tasks.columns
    lagging_city = city[city["leader"] == first]
    for r in lagging_city.itertuples(index=False):
        got = inds.loc[inds["指标"] == r.indicator_name, "滞后说明"].iloc[0]
        assert got == ("已说明" if r.explanation_state == "given" else "待补充")
    for name, g in kids[kids["leader"] == first].groupby("indicator_name"):
        note = inds.loc[inds["指标"] == name, "区县说明"].iloc[0]
        assert note.startswith(f"{len(g)}个区县滞后")
        for u in g.loc[g["explanation_state"] == "missing", "org_unit_name"]:
            assert u in note


def test_the_cached_lists_are_the_lists_of_the_attached_table(demo_db):
    from indicators.views.supervision import supervision_lists
    with connection.connect(demo_db, read_only=True) as con:
        table = dispatch_table(con, testdate.AS_OF, testdate.SETTINGS)
        board = task_board(con, testdate.AS_OF)
        attached = explanations.attach(con, table)
        for unit in (None, "DC"):
            got = supervision_lists(con, table, board, unit)
            for sl, column in zip(got, ("lead_department", "leader")):
                want = supervision_list(attached, board, column, unit)
                for part in ("summary", "indicators", "tasks"):
                    pd.testing.assert_frame_equal(getattr(sl, part), getattr(want, part), check_exact=True)
