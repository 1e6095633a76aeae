"""The demo city's key tasks and lagging explanations.

24 key tasks of a plan like 张掖's 强科技行动 (six areas: 创新平台打造, 创新主体培育, 科技研发
攻关, 科技人才引育, 科技成果转化, 创新生态优化), spread over the demo bureau's departments
and leaders, go in through a 重点任务 sheet of a setup workbook (the path an admin takes);
monthly progress through the latest month, with a few tasks behind; and explanations
for most — not all — of the lagging indicators, some of them also for the month before,
so the starting text of a carried-over lag shows.

Everything is deterministic: the same as-of month gives the same demo.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pandas as pd

from indicators import explanations
from indicators.accounts import system
from indicators.db.connection import Connection
from indicators.dispatch import dispatch_table
from indicators.rules import periods
from indicators.rules.task_status import parse_nodes
from indicators.settings import Settings
from indicators.setup import workbook
from indicators.tasks import store as task_store

ACTOR = system("示例数据")

# (code, 类别, 任务名称, 牵头科室, 分管领导, 配合科室, 责任单位, 年度目标, 月度节点)
TASKS = [
    ("RW01", "创新平台打造", "争创省级技术创新中心", "ZCFG", "L03", "GXJS", "GXQ；JKQ", "新增省级技术创新中心2家",
     "3:完成培育库;6:提交申报;9:专家评审;12:获批认定"),
    ("RW02", "创新平台打造", "推进新型研发机构建设", "ZCFG", "L03", "HZZH", None, "新建新型研发机构3家",
     "4:签约落地;8:挂牌运行;12:绩效评价"),
    ("RW03", "创新平台打造", "建设科技企业孵化器和众创空间", "ZCFG", "L04", "RCKP", "NH；LGXQ", "新增市级以上孵化载体5家",
     "3:摸排载体;9:省级备案;12:完成认定"),
    ("RW04", "创新平台打造", "高新区创新驱动发展提升", "GXJS", "L02", "ZCFG", "GXQ", "高新区全省综合排名进位2位",
     "1:制定年度方案;6:中期评估;12:考核评价"),
    ("RW05", "创新主体培育", "高新技术企业倍增行动", "GXJS", "L02", "ZCFG", None, "净增高新技术企业150家",
     "2:建立培育库;5:申报辅导;7:集中申报;11:认定公示"),
    ("RW06", "创新主体培育", "科技型中小企业评价入库", "GXJS", "L02", None, None, "入库科技型中小企业1800家",
     "3:启动评价;6:入库过半;9:完成全年任务"),
    ("RW07", "创新主体培育", "省级科技创新型企业培育", "GXJS", "L02", "HZZH", None, "认定省级科技创新型企业60家",
     "4:第一批推荐;10:第二批推荐"),
    ("RW08", "创新主体培育", "规上工业企业研发活动全覆盖", "ZYPZ", "L03", "GXJS", None, "有研发活动的规上企业占比达55%",
     "1:摸清底数;6:覆盖率达45%;12:覆盖率达55%"),
    ("RW09", "科技研发攻关", "实施市级重大科技专项", "ZYPZ", "L03", "GXJS；HZZH", None, "组织实施市级重大科技专项10项",
     "3:发布指南;5:立项评审;12:中期检查"),
    ("RW10", "科技研发攻关", "“揭榜挂帅”项目需求征集", "ZYPZ", "L03", "HZZH", None, "征集发布技术需求50项",
     "2:启动征集;4:发布榜单;9:完成揭榜"),
    ("RW11", "科技研发攻关", "争取省级以上科技计划项目", "ZYPZ", "L03", None, None, "获批省级以上科技计划项目230项",
     "3:组织申报;6:立项过半;12:完成目标"),
    ("RW12", "科技研发攻关", "科技项目验收逾期清理", "ZYPZ", "L04", "GXJS；HZZH；RCKP", None, "逾期未验收项目清零",
     "3:建立台账;6:清理50%;10:全部清零"),
    ("RW13", "科技人才引育", "科技特派员选派", "RCKP", "L04", None, "BS；QX", "选派科技特派员1000名",
     "3:发布选派通知;4:完成选派;11:年度考核"),
    ("RW14", "科技人才引育", "高层次科技人才引进", "RCKP", "L04", "HZZH", None, "引进高层次人才900人",
     "6:引进过半;12:完成目标"),
    ("RW15", "科技人才引育", "科技人才项目推荐申报", "RCKP", "L04", None, None, "推荐国家、省级科技人才项目50项",
     "5:组织推荐;9:完成申报"),
    ("RW16", "科技人才引育", "科技管理干部能力提升培训", "ZHK", "L01", "RCKP", None, "举办专题培训4期",
     "4:第一期;7:第二期;10:第三期;12:第四期"),
    ("RW17", "科技成果转化", "技术合同认定登记服务", "HZZH", "L03", "GXJS", None, "技术合同成交额突破100亿元",
     "6:成交额过半;12:完成目标"),
    ("RW18", "科技成果转化", "科技成果转移转化对接会", "HZZH", "L03", None, None, "举办对接活动6场、签约30项",
     "5:首场对接会;9:成果路演;11:集中签约"),
    ("RW19", "科技成果转化", "科技成果登记", "HZZH", "L03", None, None, "登记科技成果350项",
     "6:登记过半;12:完成目标"),
    ("RW20", "科技成果转化", "省级农业科技园区建设", "HZZH", "L04", "RCKP", "BS；QX", "申报省级农业科技园区1家",
     "3:制定方案;8:提交申报;12:通过验收"),
    ("RW21", "创新生态优化", "落实促进科技创新若干措施", "ZCFG", "L01", "ZYPZ", None, "出台配套实施细则",
     "2:起草细则;4:征求意见;6:印发实施"),
    ("RW22", "创新生态优化", "强科技奖补资金兑现", "ZYPZ", "L01", "ZCFG；ZHK", None, "兑现奖补资金1.3亿元",
     "6:兑现过半;12:全部兑现"),
    ("RW23", "创新生态优化", "科技活动周与科普宣传", "RCKP", "L04", None, None, "办好科技活动周和全国科普日",
     "5:科技活动周;9:全国科普日"),
    ("RW24", "创新生态优化", "强科技行动月调度与督办", "ZHK", "L01", None, None, "指标按月调度、工作清单化推进",
     "1:印发分工方案;3:一季度通报;6:半年通报;9:三季度通报;12:年度总结"),
]

# Why an indicator lags and what is done about it, by 类别 (the demo's explanations).
REASONS = {
    "创新主体": ("企业申报材料准备不足，部分培育企业研发费用归集不规范", "组织申报辅导培训，建立重点企业一对一包抓机制"),
    "研发投入": ("重点企业研发投入统计口径未完全落实，部分企业漏报", "会同统计部门逐户核查，督促企业应统尽统"),
    "产业": ("重点企业订单下滑，新投产项目产能尚未释放", "加强重点企业运行监测，推动新项目尽快达产"),
    "成果转化": ("技术合同集中在年底登记，上半年登记进度偏慢", "上门服务重点企业和高校院所，推动合同应登尽登"),
    "平台载体": ("省级平台认定批次集中在下半年，已申报平台尚在评审", "跟踪评审进度，提前储备下一批申报平台"),
    "人才": ("人才项目落地周期长，部分意向人才尚未到岗", "开展专项招引活动，落实人才安居和项目配套政策"),
    "资金": ("上级资金拨付批次滞后，部分项目未到执行期", "加强与省厅对接，督促项目单位加快执行和报账"),
}
_DEFAULT_REASON = ("相关工作推进慢于序时", "制定赶超计划，按月跟踪督办")


def task_frame() -> pd.DataFrame:
    """The 24 tasks as a 重点任务 sheet would hold them (codes for departments, leaders, units)."""
    cols = ["code", "category", "name", "lead_department", "leader", "support_departments", "org_units",
            "annual_goal", "nodes"]
    return pd.DataFrame(TASKS, columns=cols)


def task_sheet(period: str) -> pd.DataFrame:
    """The 重点任务 sheet of the demo's setup workbook for the year of ``period``."""
    year = periods.parse(period)[0]
    return task_frame().assign(deadline=dt.date(year, 12, 31).isoformat())


def load_demo_tasks(con: Connection, period: str, settings: Settings, *, at: dt.datetime,
                    sheet_loaded: bool = False) -> str:
    """Tasks (unless ``sheet_loaded``: the demo's setup workbook already carried the
    重点任务 sheet), progress through ``period`` and explanations of ``period`` (and the
    month before), all written ``at``; returns a one-line summary."""
    frame = task_sheet(period)
    if not sheet_loaded:
        with tempfile.TemporaryDirectory(prefix="indicators-demo-tasks-") as tmp:
            book = workbook.write_workbook(Path(tmp) / "重点任务.xlsx", {**_setup_frames(con), "task": frame})
            workbook.load_setup(con, workbook.read_workbook(book), actor=ACTOR, at=at)
    progress = demo_progress(frame, period)
    task_store.record_progress(con, progress, actor=ACTOR, source="示例数据", at=at)
    given = _explain(con, periods.shift(period, -1), settings, at, every=1) if period[5:] != "01" else 0
    given += _explain(con, period, settings, at, every=4)
    return f"{len(frame)} 项重点任务，{len(progress)} 条进展，{given} 条滞后说明"


def _setup_frames(con: Connection) -> dict[str, pd.DataFrame]:
    from indicators.views.setup import setup_frames
    return setup_frames(con)


def demo_progress(frame: pd.DataFrame, period: str) -> pd.DataFrame:
    """Monthly reports from January to ``period``. Most nodes are met on time, and a task
    whose last node comes before its December deadline is reported 已完成 the month after
    it; the two tasks whose latest due node is most recent miss it and say 按计划推进
    (滞后 by the rule); one open task says 滞后 itself this month; one has not reported."""
    year, month = periods.parse(period)
    nodes = {r.code: parse_nodes(r.nodes) for r in frame.itertuples(index=False)}
    finish = {c: (ns[-1].month + 1 if ns and ns[-1].month < 12 else 12) for c, ns in nodes.items()}
    due = {c: [n.month for n in ns if n.month <= month] for c, ns in nodes.items()}
    by_recent = sorted((c for c in due if due[c]), key=lambda c: (-due[c][-1], c))
    missed = {c: due[c][-1] for c in by_recent[:2]}
    open_ = [c for c in frame["code"] if c not in missed and finish[c] >= month]
    rest = [c for c in open_ if not any(n.month == month for n in nodes[c])] or open_
    says_late, silent = (rest[0], rest[-1]) if len(rest) >= 2 else (None, None)
    rows = []
    for code in frame["code"]:
        first = nodes[code][0].month if nodes[code] else 1
        for m in range(1, month + 1):
            if code == silent and m == month:
                continue
            node = next((n for n in nodes[code] if n.month == m), None)
            status = "done" if node or m >= finish[code] else ("not_started" if m < first - 2 else "on_track")
            if code in missed and m >= missed[code]:
                status = "on_track"
            if code == says_late and m == month:
                status = "lagging"
            rows.append(_report(code, periods.make(year, m), status, node.text if node else None))
    return pd.DataFrame(rows)


def _report(code: str, period: str, status: str, node: str | None) -> dict:
    progress = {"done": f"按期完成「{node}」" if node else "全部工作已完成",
                "on_track": "按计划推进，本月工作有序开展",
                "lagging": "进度慢于计划", "not_started": "尚未启动，正在做前期准备"}[status]
    problems = "配合单位材料报送不及时，进度慢于计划" if status == "lagging" else None
    steps = "约谈配合单位，下月补齐进度" if status == "lagging" else None
    return dict(task_code=code, period=period, status=status, progress=progress, problems=problems,
                next_steps=steps)


def _explain(con: Connection, period: str, settings: Settings, at: dt.datetime, every: int) -> int:
    """Explanations for the lagging rows of ``period``, leaving out every ``every``-th
    (``every=1``: none left out — the month before is complete)."""
    # statuses are what the checks read: last month's columns (its own table) are not needed
    table = explanations.attach(con, dispatch_table(con, period, settings, last_month=False))
    lagging = table[table["explanation_required"]].reset_index(drop=True)
    categories = dict(zip(table["indicator_code"], table["category"]))
    items = []
    for i, r in lagging.iterrows():
        if every > 1 and i % every == every - 1:
            continue
        reason, measures = REASONS.get(categories.get(r["indicator_code"]), _DEFAULT_REASON)
        items.append(dict(indicator_code=r["indicator_code"], org_unit=r["org_unit_code"],
                          reason=f"{r['org_unit_name']}{reason}", measures=measures,
                          catch_up=_catch_up(period), actor=system(r["responsible"])))
    return explanations.give_all(con, table, items, at=at)  # each checked as one given on the page


def _catch_up(period: str) -> str:
    """Two months on, but within the year where that is still ahead (December: next January)."""
    year, month = periods.parse(period)
    return periods.make(year, 12) if month in (10, 11) else periods.shift(period, 2 if month < 10 else 1)
