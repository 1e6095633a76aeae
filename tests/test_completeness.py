import datetime as dt

import pytest
from actors import ADMIN
from testdate import SETTINGS
from builders import AT
from excel.bookmaker import make_db, seed

from indicators.returns.completeness import (
    chase_list,
    chase_text,
    completeness,
    expected_pairs,
    unit_summary,
)
from indicators.settings import Settings


@pytest.fixture
def con():
    c = make_db()
    c.execute("INSERT INTO target (indicator_code, org_unit, year, value) VALUES ('JS', 'C', 2026, 100), ('JS', 'D1', 2026, 50)")
    yield c
    c.close()


def set_uploaded(con, batch_id, when):
    con.execute("UPDATE batch SET uploaded_at = ? WHERE id = ?", [when, batch_id])


def test_expected_pairs(con):
    pairs = expected_pairs(con, "2026-10")
    js = set(pairs.loc[pairs["indicator_code"] == "JS", "org_unit"])
    gq = set(pairs.loc[pairs["indicator_code"] == "GQ", "org_unit"])
    assert js == {"D1"}  # targets decide; the city's JS is the sum of its districts'
    assert gq == {"D1", "D2", "D3"}  # no targets: the districts


def test_a_parent_is_chased_for_what_it_reports_itself(con):
    # once the city has reported JS itself during the past year, it is expected again
    seed(con, [("JS", "C", "2026-03", 1.0)])
    pairs = expected_pairs(con, "2026-10")
    assert set(pairs.loc[pairs["indicator_code"] == "JS", "org_unit"]) == {"C", "D1"}


def test_completeness_and_timeliness(con):
    b1 = seed(con, [("JS", "D1", "2026-10", 5.0), ("GQ", "D1", "2026-10", 3.0)])
    set_uploaded(con, b1, dt.datetime(2026, 11, 3, 9))
    b2 = seed(con, [("GQ", "D2", "2026-10", 4.0)])
    set_uploaded(con, b2, dt.datetime(2026, 11, 8, 9))
    b3 = seed(con, [("GQ", "D1", "2026-10", 3.5)])  # a late correction keeps the first time
    set_uploaded(con, b3, dt.datetime(2026, 11, 20, 9))
    d = completeness(con, "2026-10", settings=Settings(), now=dt.datetime(2026, 11, 23))
    status = dict(zip(zip(d["org_unit"], d["indicator_code"]), d["status"]))
    assert status[("D1", "JS")] == "按时报送"
    assert status[("D1", "GQ")] == "按时报送"
    assert status[("D2", "GQ")] == "逾期报送"
    assert status[("D3", "GQ")] == "未报送"
    s = unit_summary(d).set_index("org_unit")
    assert (s.loc["D1", "expected"], s.loc["D1", "reported"]) == (5, 2)
    assert s.loc["D3", "timeliness"] == "未报送"
    chase = chase_list(d).set_index("org_unit")
    assert "高新技术企业数" in chase.loc["D3", "indicators"]
    assert "西湖县" in chase_text(d, "2026-10", Settings())


def test_before_deadline_is_pending(con):
    d = completeness(con, "2026-10", settings=Settings(), now=dt.datetime(2026, 11, 2))
    assert set(d["status"]) == {"待报送"}
    assert set(unit_summary(d)["timeliness"]) == {"待报送"}


def test_rolled_back_batch_does_not_count(con):
    from indicators.returns.pipeline import rollback
    b = seed(con, [("GQ", "D2", "2026-10", 4.0)])
    rollback(con, b, actor=ADMIN, settings=SETTINGS, at=AT)
    d = completeness(con, "2026-10", settings=Settings(), now=dt.datetime(2026, 11, 23))
    assert not d.loc[(d["org_unit"] == "D2") & (d["indicator_code"] == "GQ"), "reported"].iloc[0]
