"""One AppTest per dispatch page: demo city, an empty database, a month without data,
units without targets and indicators not yet due, the month a page opens on. AppTest
cannot look inside Plotly charts (tests/test_charts.py does); here we check that pages
render without exceptions and say the helpful thing."""

from __future__ import annotations

from pathlib import Path

import pytest
from actors import ADMIN
from builders import AT
from pagetest import fresh_caches, open_page, session_for, with_db  # noqa: F401 (fixture)
from streamlit.testing.v1 import AppTest
from test_views import build_fixture_db, fixture_frames, fixture_values
from testdate import AS_OF

from indicators import ui
from indicators.db import batches, connection
from indicators.rules import periods
from indicators.setup.workbook import load_setup

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["overview.py", "indicator.py", "responsibility.py"]
TIMEOUT = 60


FIXTURE_DAY = "2026-11-23"  # the fixture database's data run to 2026-10, the latest due month on this day


def run_page(page: str, db: Path, monkeypatch, today: str | None = FIXTURE_DAY, **query) -> AppTest:
    """``today`` pins the day for hand-made data; None keeps the suite's day (the demo city
    is built for it)."""
    if today:
        monkeypatch.setenv("INDICATORS_TODAY", today)
    return open_page(f"pages/{page}", db, monkeypatch, **query)


def header(at: AppTest) -> str:
    """The line under the title: 数据截至 … · unit · 来源."""
    return next(h.body for h in at.get("html") if 'class="asof"' in h.body)


def card(at: AppTest, name: str) -> str:
    """The headline card of indicator ``name`` on 调度总览."""
    return next(h.body for h in at.get("html") if f"<h4>{name}</h4>" in h.body)


def row(at: AppTest, name: str):
    """The first table row of indicator ``name`` (责任分解's scorecards)."""
    return next(d.value.set_index("指标").loc[name] for d in at.dataframe
                if "指标" in d.value.columns and name in set(d.value["指标"]))


def texts(at: AppTest) -> str:
    parts = [e.value for e in (*at.info, *at.warning, *at.success, *at.markdown, *at.caption, *at.title, *at.subheader)]
    return "\n".join(str(p) for p in parts)


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory) -> Path:
    return build_fixture_db(tmp_path_factory.mktemp("pages") / "fixture.duckdb")


@pytest.fixture
def empty_db(tmp_path) -> Path:
    path = tmp_path / "empty.duckdb"
    connection.connect(path, create=True).close()
    return path


@pytest.mark.parametrize("page", PAGES)
def test_page_with_demo(page, demo_db, monkeypatch):
    """The demo opens on the latest due month of the suite's day, and says so under the title."""
    at = run_page(page, demo_db, monkeypatch, today=None)
    assert not at.exception, at.exception
    assert at.sidebar.selectbox(key="w_month").value == AS_OF
    assert f"数据截至 {periods.label(AS_OF)}" in header(at)
    assert not [i for i in at.info if "报送截止日已过" in i.value]  # the month has data: no excuse to make


@pytest.mark.parametrize("page", PAGES)
def test_page_with_empty_database(page, empty_db, monkeypatch):
    at = run_page(page, empty_db, monkeypatch)
    assert not at.exception, at.exception
    assert "还没有指标设置" in texts(at)


@pytest.mark.parametrize("page", PAGES)
def test_page_with_setup_but_no_returns(page, tmp_path, monkeypatch):
    path = tmp_path / "setup_only.duckdb"
    con = connection.connect(path, create=True)
    load_setup(con, fixture_frames(), actor=ADMIN, at=AT)
    con.close()
    at = run_page(page, path, monkeypatch)
    assert not at.exception, at.exception
    assert "还没有任何报送数据" in texts(at)


@pytest.mark.parametrize("page", PAGES)
def test_month_without_data(page, tmp_path, monkeypatch):
    path = tmp_path / "gap.duckdb"
    con = connection.connect(path, create=True)
    load_setup(con, fixture_frames(), actor=ADMIN, at=AT)
    values = fixture_values()
    batches.write_batch(con, values[values["period"] != "2026-05"], file_name="gap.xlsx", actor=ADMIN, at=AT)
    con.close()
    at = run_page(page, path, monkeypatch, month="2026-05")
    assert not at.exception, at.exception
    assert at.sidebar.selectbox(key="w_month").value == "2026-05"
    assert "2026年5月 尚无报送数据" in texts(at)


@pytest.mark.parametrize("page", PAGES)
def test_no_target_and_not_due(page, fixture_db, monkeypatch):
    """高新区 has no 高企 target (无目标); 新型研发机构数 is annual (未到期 in October)."""
    if page == "indicator.py":
        no_target = run_page(page, fixture_db, monkeypatch, unit="D3", ind="HT")
        not_due = run_page(page, fixture_db, monkeypatch, unit="D3", ind="NEW")
        assert not no_target.exception and not not_due.exception
        assert "未设定本年度目标" in texts(no_target) and "未到报送期" not in texts(no_target)
        assert "未到报送期" in texts(not_due) and "未设定本年度目标" not in texts(not_due)
        return
    if page == "responsibility.py":  # 高新区's scorecard, on its tab (opened by ?district=)
        at = run_page(page, fixture_db, monkeypatch, district="D3")
        assert not at.exception, at.exception
        assert at.selectbox(key="w_district").value == "D3"
        assert row(at, "高新技术企业数")["status"] == "no_target" and "无目标" in row(at, "高新技术企业数")["状态"]
        assert row(at, "新型研发机构数")["status"] == "not_due" and "未到期" in row(at, "新型研发机构数")["状态"]
        assert row(at, "技术合同成交额")["status"] not in ("no_target", "not_due")
        at = run_page(page, fixture_db, monkeypatch, unit="D3")  # its 督办 list: each owner's rows in a plain table
        assert not at.exception, at.exception
        rows = [r for h in at.get("html") if "<table" in h.body and "print-only" not in h.body
                for r in h.body.split("<tr>")]
        assert any("高新技术企业数" in r and "无目标" in r for r in rows), rows
        assert any("新型研发机构数" in r and "未到期" in r for r in rows), rows
        return
    at = run_page(page, fixture_db, monkeypatch, unit="D3")
    assert not at.exception, at.exception
    assert at.sidebar.selectbox(key="w_unit").value == "D3"
    if page == "overview.py":
        assert "无目标" in card(at, "高新技术企业数") and "未设定年度目标" in card(at, "高新技术企业数")
        assert "未到期" in card(at, "新型研发机构数") and "本期未到报送期" in card(at, "新型研发机构数")
        assert "无目标" not in card(at, "技术合同成交额") and "未到期" not in card(at, "技术合同成交额")


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("today, opens_on", [
    ("2026-10-20", "2026-09"),  # the latest due month, though October already has data
    ("2026-11-05", "2026-09"),  # October is due by the end of this day
    ("2026-11-06", "2026-10"),
])
def test_opens_on_the_latest_due_month(page, fixture_db, monkeypatch, today, opens_on):
    at = run_page(page, fixture_db, monkeypatch, today=today)
    assert not at.exception, at.exception
    assert at.sidebar.selectbox(key="w_month").value == opens_on
    assert f"数据截至 {periods.label(opens_on)}" in header(at)
    assert "month" not in at.query_params  # the default stays out of the URL: a bookmark moves on with time


@pytest.mark.parametrize("page", PAGES)
def test_latest_due_month_without_data_opens_on_the_newest_month_before_it(page, fixture_db, monkeypatch):
    """A bureau whose December returns are all late: on 10 January the pages show October
    (the newest month with data) and say why; December stays selectable."""
    at = run_page(page, fixture_db, monkeypatch, today="2027-01-10")
    assert not at.exception, at.exception
    month = at.sidebar.selectbox(key="w_month")
    assert month.value == "2026-10"
    assert month.options[:3] == ["2026年12月（无数据）", "2026年11月（无数据）", "2026年10月"]
    assert "数据截至 2026年10月" in header(at)
    note = [i.value for i in at.info if "报送截止日已过" in i.value]
    assert note == ["2026年12月的报送截止日已过，但还没有任何报送数据，这里显示最近有数据的 2026年10月。催报请到「报送记录」页。"]


def test_indicator_page_states(fixture_db, monkeypatch):
    at = run_page("indicator.py", fixture_db, monkeypatch, ind="NEW")
    assert not at.exception, at.exception
    assert "未到报送期" in texts(at)
    at = run_page("indicator.py", fixture_db, monkeypatch, ind="HT", unit="D3")
    assert not at.exception, at.exception
    assert "未设定本年度目标" in texts(at)


def test_filters_change_and_url_follows(fixture_db, monkeypatch):
    at = run_page("overview.py", fixture_db, monkeypatch)
    at.sidebar.selectbox(key="w_month").set_value("2026-09").run()
    assert not at.exception
    assert at.query_params["month"] == ["2026-09"] or at.query_params["month"] == "2026-09"
    at.sidebar.selectbox(key="w_unit").set_value("D1").run()
    assert not at.exception
    assert "东城区" in texts(at)


def test_briefing_mode_from_url(fixture_db, monkeypatch):
    at = run_page("overview.py", fixture_db, monkeypatch, briefing="1")
    assert not at.exception, at.exception
    assert at.toggle(key="w_briefing").value is True
    assert any("display: none" in h.body for h in at.get("html"))


def test_overview_lagging_grid_shows_each_partial_note_whole(demo_db, monkeypatch):
    """The demo city's October: 青溪县 has not reported, so city rows of the lagging list say
    "部分汇总，缺：青溪县". Their grid's 说明 column is as wide as its longest note, not the
    few characters its first (empty) rows would size it to."""
    import json

    at = run_page("overview.py", demo_db, monkeypatch, today=None, month="2026-10")
    assert not at.exception, at.exception
    grid = next(d for d in at.dataframe if "说明" in d.value.columns and "差距较上月" in d.value.columns)
    notes = [n for n in grid.value["说明"].dropna() if n]
    assert "部分汇总，缺：青溪县" in notes
    width = json.loads(grid.proto.columns)["说明"]["width"]
    assert width >= 10 * 14 + 16
    assert width >= max(sum(14 if ord(ch) >= 0x2E80 else 7 for ch in n) for n in notes) + 16 or width == 480


def test_router_opens_overview_first(demo_db, monkeypatch):
    monkeypatch.setenv("INDICATORS_DB", str(demo_db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["指标月调度"]  # signed out: the sign-in form only
    assert at.text_input(key="w_login") and not at.sidebar.button
    # signing in through the form is the browser tests' and test_page_signin's; here the session
    at.session_state[ui.SESSION_STATE_KEY] = with_db(demo_db, lambda con: session_for(con, "leader"))
    at.run()
    assert not at.exception, at.exception
    assert any(t.value == "调度总览" for t in at.title)
    at.switch_page(str(ROOT / "pages" / "responsibility.py")).run()
    assert not at.exception, at.exception
    assert any(t.value == "责任分解" for t in at.title)


def test_the_sign_in_form_lists_the_demo_accounts_and_not_one_disabled_since(demo_db, monkeypatch):
    """The demo accounts under the form are read once per data version: disabling one (a
    write of data) takes it off the next form at once."""
    from indicators.accounts import users
    monkeypatch.setenv("INDICATORS_DB", str(demo_db))

    def listed() -> list[str]:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
        assert not at.exception, at.exception
        assert any(m.value == "##### 示例市演示账户" for m in at.markdown)
        return list(at.table[0].value.index)

    assert listed() == ["admin", "zhk", "gxjs", "dc", "leader"]
    assert listed() == ["admin", "zhk", "gxjs", "dc", "leader"]  # from the cache: the same
    with_db(demo_db, lambda con: users.set_disabled(con, ADMIN, "dc", True, at=AT))
    assert listed() == ["admin", "zhk", "gxjs", "leader"]


def test_indicator_page_ranking_follows_the_chosen_measure(fixture_db, monkeypatch):
    """技术合同成交额 in October: 西城区 is late (no rank, listed last as 未报送); by value
    东城区 (40.43) leads 高新区 (21.77); the choice lives in ?rank=."""
    at = run_page("indicator.py", fixture_db, monkeypatch, ind="TC", rank="value")
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert table["单位"].tolist() == ["东城区", "高新区", "西城区"]
    assert table["排名"].tolist() == ["第1名/2（按数值）", "第2名/2（按数值）", "未报送"]
    assert "排名与预计全年 · 按数值" in texts(at)
    at.selectbox(key="w_rank").set_value("yoy").run()
    assert not at.exception, at.exception
    assert at.query_params["rank"] in (["yoy"], "yoy")


@pytest.fixture(scope="module")
def untargeted_db(tmp_path_factory) -> Path:
    """The fixture city with no targets and no lead departments at all (published statistics)."""
    frames = fixture_frames()
    frames["target"] = frames["target"].iloc[0:0]
    frames["responsibility"] = frames["responsibility"].iloc[0:0]
    path = tmp_path_factory.mktemp("untargeted") / "u.duckdb"
    con = connection.connect(path, create=True)
    try:
        load_setup(con, frames, actor=ADMIN, at=AT)
        batches.write_batch(con, fixture_values(), file_name="fixture.xlsx", actor=ADMIN, at=AT)
    finally:
        con.close()
    return path


@pytest.mark.parametrize("page", PAGES)
def test_pages_without_any_target(page, untargeted_db, monkeypatch):
    """No targets anywhere is a normal state: values, 同比 and ranks by value, no traceback."""
    at = run_page(page, untargeted_db, monkeypatch, ind="TC")
    assert not at.exception, at.exception
    if page == "overview.py":
        cards = "\n".join(h.body for h in at.get("html"))
        assert "未设定年度目标" in cards and "62.20 亿元" in cards
        # no district ranking without targets, and the page says why instead of empty bars
        assert "各区县均未设定本年目标，本月不做综合排名（各项指标按数值排名）。" in [i.value for i in at.info]
    if page == "indicator.py":
        assert at.dataframe[0].value["排名"].tolist()[:2] == ["第1名/2（按数值）", "第2名/2（按数值）"]


def test_responsibility_draws_only_the_open_tab_and_a_scorecard_link_opens_its_tab(fixture_db, monkeypatch):
    """责任分解's three tabs rerun the page when switched and draw only the open one (their
    grids held up the heatmap); ?district= (a bookmarked scorecard) opens 区县记分卡 on
    that district."""
    at = run_page("responsibility.py", fixture_db, monkeypatch)
    assert not at.exception, at.exception
    def owners(at):  # the 督办 list's owner headings, the only ones drawn
        return [m.value.split("**")[1] for m in at.markdown if m.value.startswith("**")]

    assert at.session_state["resp_tabs"] == "按牵头科室"
    assert owners(at) == ["成果转化科", "高新技术科"]
    assert [s.key for s in at.selectbox if s.key == "w_district"] == []
    at.session_state["resp_tabs"] = "按分管领导"
    at.run()
    assert not at.exception, at.exception
    assert owners(at) == ["张局长", "李副局长"]
    at = run_page("responsibility.py", fixture_db, monkeypatch, district="D2")
    assert not at.exception, at.exception
    assert at.session_state["resp_tabs"] == "区县记分卡"
    assert at.selectbox(key="w_district").value == "D2"
    assert "西城区" in next(h.body for h in at.get("html") if "综合排名" in h.body)


def test_district_scorecard_ranks_each_indicator_by_the_chosen_measure(fixture_db, monkeypatch):
    """责任分解's 区县记分卡 has the ranking choice too (?rank=, shared with 指标详情): 技术合同成交额
    of 东城区 (40.43, first of the two that reported) by value; the 综合排名 does not move."""
    at = run_page("responsibility.py", fixture_db, monkeypatch, rank="value")
    assert not at.exception, at.exception
    # the 督办 list's tab is open: the scorecards are not built until their tab is chosen
    assert [t.label for t in at.tabs] == ["按牵头科室", "按分管领导", "区县记分卡"]
    assert [s.key for s in at.selectbox if s.key in ("w_district", "w_rank")] == []
    at.session_state["resp_tabs"] = "区县记分卡"
    at.run()
    assert not at.exception, at.exception
    assert "按数值" in at.selectbox(key="w_rank").format_func(at.selectbox(key="w_rank").value)
    def rank_cell(at, name):
        card_table = next(d.value for d in at.dataframe if {"指标", "排名", "同比"} <= set(d.value.columns))
        return card_table.set_index("指标").loc[name, "排名"]

    assert rank_cell(at, "技术合同成交额") == "第1名/2（按数值）"
    by_value = next(h.body for h in at.get("html") if "综合排名" in h.body)
    assert "东城区" in by_value
    at.selectbox(key="w_rank").set_value("yoy").run()
    assert not at.exception, at.exception
    assert rank_cell(at, "技术合同成交额").endswith("（按同比）")
    assert next(h.body for h in at.get("html") if "综合排名" in h.body) == by_value


@pytest.mark.parametrize("page", PAGES)
def test_a_run_that_misses_its_caches_unpacks_the_dispatch_table_once(page, fixture_db, monkeypatch):
    """Each result a page computes resolves the month's table; the run unpacks the kept
    table once (16 ms and a frame of ≈ 37 MiB on the 7.2 M db) and hands out copies."""
    from indicators import ui_data
    unpacked = []
    real = ui_data.unpack
    monkeypatch.setattr(ui_data, "unpack", lambda packed: unpacked.append(1) or real(packed))
    at = run_page(page, fixture_db, monkeypatch, month="2026-08")  # a month no other test opens first
    assert not at.exception, at.exception
    assert len(unpacked) == 1
