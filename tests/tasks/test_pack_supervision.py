"""The briefing pack with and without missing explanations: the notice, the PPTX
lagging slide and the XLSX carry the explanations and the key tasks; 【待补充】 marks
what is missing; a complete-only pack is refused until nothing is."""

import io
import subprocess
import sys

import openpyxl
import pytest
import testdate
from actors import ADMIN
from pptx import Presentation

from indicators import explanations, report
from indicators.db import connection
from indicators.dispatch import dispatch_table
from indicators.errors import RejectedInput

PERIOD = testdate.AS_OF


def slide_texts(data: bytes) -> list[str]:
    deck = Presentation(io.BytesIO(data))
    out = []
    for slide in deck.slides:
        parts = []
        for sh in slide.shapes:
            if sh.has_text_frame:
                parts.append(sh.text_frame.text)
            if sh.has_table:
                parts += [c.text for row in sh.table.rows for c in row.cells]
        out.append("\n".join(parts))
    return out


def summary_of(db):
    con = connection.connect(db, read_only=True)
    try:
        return report.build_summary(con, PERIOD, settings=testdate.SETTINGS)
    finally:
        con.close()


def render(summary, fmt, **kw):
    return report.render(summary, fmt, issued=testdate.TODAY, deadline_day=5, **kw)


def fill_missing(db) -> int:
    con = connection.connect(db)
    try:
        table = explanations.attach(con, dispatch_table(con, PERIOD, testdate.SETTINGS))
        missing = table[table["explanation_state"] == "missing"]
        for r in missing.to_dict(orient="records"):
            explanations.give(con, table, indicator_code=r["indicator_code"], org_unit=r["org_unit_code"],
                              reason="补充的原因", measures="补充的措施", catch_up=None, actor=ADMIN, at=testdate.AT)
        return len(missing)
    finally:
        con.close()


def test_pack_marks_missing_explanations(demo_db):
    s = summary_of(demo_db)
    sup = s.supervision
    assert len(sup.missing) > 0 and len(sup.explanations) > len(sup.missing)
    md = render(s, "md").decode()
    assert md.count("【待补充】") == len(sup.missing)
    given = sup.explanations[sup.explanations["explanation_state"] == "given"].iloc[0]
    assert given["reason"] in md and given["measures"] in md
    assert "重点任务推进情况" in md and "24项重点任务中" in md
    slides = slide_texts(render(s, "pptx"))
    lagging = "\n".join(t for t in slides if "滞后指标及牵头单位：" in t)  # one slide or several
    assert "牵头科室说明" in lagging
    for r in s.lagging.itertuples(index=False):
        row = sup.for_scope_indicator(r.indicator_code)
        assert (row["reason"] if row["explanation_state"] == "given" else "【待补充】") in lagging
    assert any("区县滞后说明" in t for t in slides)
    assert any("重点任务推进情况" in t and "滞后（逾期）" in t for t in slides)
    wb = openpyxl.load_workbook(io.BytesIO(render(s, "xlsx")))
    assert {"滞后说明", "重点任务"} <= set(wb.sheetnames)
    cells = [c for row in wb["滞后说明"].iter_rows(min_row=5, values_only=True) for c in row]
    assert cells.count("【待补充】") == len(sup.missing)
    assert wb["重点任务"].max_row - 4 == 24


def test_complete_only_refuses_then_passes_once_explained(demo_db):
    s = summary_of(demo_db)
    with pytest.raises(RejectedInput, match="项滞后说明待补充") as err:
        render(s, "pptx", complete_only=True)
    leaders = set(s.supervision.missing["leader"])
    assert all(f"分管领导 {name}" in str(err.value) for name in leaders)
    assert fill_missing(demo_db) == len(s.supervision.missing)
    done = summary_of(demo_db)
    assert done.supervision.complete
    md = render(done, "md", complete_only=True).decode()
    assert "【待补充】" not in md and "补充的原因" in md
    assert not any("【待补充】" in t for t in slide_texts(render(done, "pptx", complete_only=True)))
    wb = openpyxl.load_workbook(io.BytesIO(render(done, "xlsx", complete_only=True)))
    assert "【待补充】" not in [c for row in wb["滞后说明"].iter_rows(values_only=True) for c in row]


def test_cli_require_explanations(demo_db, tmp_path):
    def run(*extra):
        return subprocess.run([sys.executable, "-m", "indicators", "report", "--period", PERIOD, "--format", "md",
                               "--out", tmp_path / "n.md", "--db", demo_db, *extra],
                              capture_output=True, text=True, timeout=180)
    out = run("--require-explanations")
    assert out.returncode == 1 and "项滞后说明待补充" in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "n.md").exists()
    out = run()
    assert out.returncode == 0 and "已标【待补充】" in out.stdout
    fill_missing(demo_db)
    out = run("--require-explanations")
    assert out.returncode == 0, out.stderr
    assert "【待补充】" not in (tmp_path / "n.md").read_text()
