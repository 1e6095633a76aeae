"""Explanations carried over: last month's text is offered for this month; the latest
one given counts; an explanation is only shown where one is required."""

import datetime as dt

import testdate

from indicators import explanations
from indicators.accounts import Actor
from indicators.db import connection
from indicators.dispatch import dispatch_table
from indicators.rules import periods

PERIOD = testdate.AS_OF
JIA, YI = Actor(login="jia", name="甲", role="admin"), Actor(login="yi", name="乙", role="admin")
BEFORE = periods.shift(PERIOD, -1)


def test_last_months_explanation_is_the_starting_text(demo_db):
    with connection.connect(demo_db) as con:
        now = explanations.attach(con, dispatch_table(con, PERIOD, testdate.SETTINGS))
        before = explanations.attach(con, dispatch_table(con, BEFORE, testdate.SETTINGS))
        both = set(zip(now.loc[now["explanation_required"], "indicator_code"],
                       now.loc[now["explanation_required"], "org_unit_code"])) & \
            set(zip(before.loc[before["explanation_required"], "indicator_code"],
                    before.loc[before["explanation_required"], "org_unit_code"]))
        ind, unit = sorted(both)[0]
        explanations.give(con, before, indicator_code=ind, org_unit=unit, reason="上月原因", measures="上月措施",
                          catch_up=periods.shift(PERIOD, 2), actor=JIA, at=testdate.AT)
        row = explanations.attach(con, dispatch_table(con, PERIOD, testdate.SETTINGS))
        row = row[(row["indicator_code"] == ind) & (row["org_unit_code"] == unit)].iloc[0]
        assert (row["prev_period"], row["prev_reason"], row["prev_measures"]) == (BEFORE, "上月原因", "上月措施")
        # giving this month's: the latest of the month counts, last month's stays the starting text
        table = explanations.attach(con, dispatch_table(con, PERIOD, testdate.SETTINGS))
        for n, reason in enumerate(["第一次", "第二次"]):
            explanations.give(con, table, indicator_code=ind, org_unit=unit, reason=reason, measures="措施",
                              catch_up=None, actor=YI, at=testdate.AT + dt.timedelta(minutes=n + 1))
        row = explanations.attach(con, dispatch_table(con, PERIOD, testdate.SETTINGS))
        row = row[(row["indicator_code"] == ind) & (row["org_unit_code"] == unit)].iloc[0]
        assert (row["explanation_state"], row["reason"], row["explained_by"]) == ("given", "第二次", "乙（管理员）")
        assert row["prev_reason"] == "上月原因"


def test_explanations_only_where_required(demo_db):
    with connection.connect(demo_db, read_only=True) as con:
        t = explanations.attach(con, dispatch_table(con, PERIOD, testdate.SETTINGS))
    assert set(t.loc[~t["explanation_required"], "explanation_state"]) == {"not_required"}
    assert t.loc[~t["explanation_required"], "reason"].isna().all()
    assert set(t.loc[t["explanation_required"], "explanation_state"]) == {"given", "missing"}


def test_several_at_once_are_all_or_nothing(demo_db):
    """give_all (the demo's path) checks each explanation as give does; one refused, none written."""
    import pytest

    from indicators.errors import RejectedInput
    with connection.connect(demo_db) as con:
        table = explanations.attach(con, dispatch_table(con, PERIOD, testdate.SETTINGS))
        missing = table[table["explanation_state"] == "missing"].head(2)
        items = [dict(indicator_code=r.indicator_code, org_unit=r.org_unit_code, reason="原因", measures="措施",
                      catch_up=None, actor=YI) for r in missing.itertuples()]
        not_lagging = table[~table["explanation_required"]].iloc[0]
        bad = dict(items[0], indicator_code=not_lagging["indicator_code"], org_unit=not_lagging["org_unit_code"])
        count = con.execute("SELECT count(*) FROM explanation").fetchone()[0]
        with pytest.raises(RejectedInput, match="不需要滞后说明"):
            explanations.give_all(con, table, [*items, bad], at=testdate.AT)
        assert con.execute("SELECT count(*) FROM explanation").fetchone()[0] == count
        assert explanations.give_all(con, table, items, at=testdate.AT) == 2
        after = explanations.attach(con, dispatch_table(con, PERIOD, testdate.SETTINGS)).set_index(
            ["indicator_code", "org_unit_code"])
        for r in missing.itertuples():
            assert after.loc[(r.indicator_code, r.org_unit_code), "explanation_state"] == "given"
