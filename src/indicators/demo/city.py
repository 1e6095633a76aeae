"""The demo city 示例市: its setup as data — units, departments, leaders, indicators,
responsibilities — plus the few numbers that give each indicator its scale and rhythm.

These are literal tables on purpose: they are the demo bureau's data, in the shape a
real bureau would fill into the setup workbook (``indicators.setup.workbook``), not product
logic. Targets and monthly values are generated from them in ``indicators.demo.simulate``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from indicators.setup.workbook import SHEETS

CITY = "SLS"

ORG_UNITS = [
    dict(code=CITY, name="示例市", parent_code=None, aliases="示例市本级；全市", sort_order=0),
    dict(code="DC", name="东城区", parent_code=CITY, aliases="东城", sort_order=1),
    dict(code="XC", name="西城区", parent_code=CITY, aliases="西城", sort_order=2),
    dict(code="NH", name="南湖区", parent_code=CITY, aliases="南湖", sort_order=3),
    dict(code="BS", name="北山县", parent_code=CITY, aliases="北山", sort_order=4),
    dict(code="QX", name="青溪县", parent_code=CITY, aliases="青溪", sort_order=5),
    dict(code="GXQ", name="高新区", parent_code=CITY,
         aliases="示例高新区；高新技术产业开发区；高新区(功能区)；高新区（功能区）", sort_order=6),
    dict(code="JKQ", name="经开区", parent_code=CITY, aliases="经济技术开发区；示例经开区", sort_order=7),
    dict(code="LGXQ", name="临港新区", parent_code=CITY, aliases="临港；临港片区", sort_order=8),
]
DISTRICTS = [u["code"] for u in ORG_UNITS if u["parent_code"] == CITY]

DEPARTMENTS = [
    dict(code="GXJS", name="高新技术科"),
    dict(code="HZZH", name="科技合作与成果转化科"),
    dict(code="ZYPZ", name="资源配置与管理科（计划财务）"),
    dict(code="RCKP", name="人才与科普科"),
    dict(code="ZCFG", name="政策法规与创新体系科"),
    dict(code="ZHK", name="综合科"),
]

LEADERS = [
    dict(code="L01", name="王建国", title="党组书记、局长"),
    dict(code="L02", name="李明华", title="副局长"),
    dict(code="L03", name="张晓燕", title="副局长"),
    dict(code="L04", name="陈志强", title="四级调研员"),
]

_M = dict(direction="higher", frequency="monthly", numerator_code=None, denominator_code=None,
          factor=1.0, allow_negative=False)

INDICATORS = [
    {**_M, "code": "GXQY", "name": "高新技术企业数", "category": "创新主体", "unit": "家", "kind": "stock",
     "decimals": 0, "aliases": "高企数；高新技术企业数量；有效期内高新技术企业数；国家高新技术企业数",
     "description": "期末有效期内国家高新技术企业家数；认定结果集中在11—12月公布，年初有资格到期企业退出",
     "source": "省科技厅火炬中心统计"},
    {**_M, "code": "KJXZX", "name": "科技型中小企业入库数", "category": "创新主体", "unit": "家", "kind": "stock",
     "decimals": 0, "aliases": "科技型中小企业评价入库数；入库科技型中小企业数；科小入库数",
     "description": "期末在库（评价有效期内）科技型中小企业家数；分批次评价入库，集中在4—9月",
     "source": "科技型中小企业服务平台"},
    {**_M, "code": "RDJF", "name": "全社会R&D经费支出", "category": "研发投入", "unit": "亿元", "kind": "cumulative",
     "frequency": "annual", "decimals": 2, "aliases": "R&D经费支出；研发经费支出；全社会研发投入；R&D经费内部支出",
     "description": "全社会研究与试验发展经费内部支出，年度数，次年三季度由统计部门公布",
     "source": "市统计局（科技统计年报）"},
    {**_M, "code": "GDP", "name": "地区生产总值", "category": "研发投入", "unit": "亿元", "kind": "cumulative",
     "frequency": "quarterly", "decimals": 2, "aliases": "GDP；地区生产总值(GDP)；生产总值",
     "description": "季度累计现价地区生产总值，作为R&D经费投入强度的分母；市级数据以市统计局公布为准",
     "source": "市统计局"},
    {**_M, "code": "RDQD", "name": "R&D经费投入强度", "category": "研发投入", "unit": "%", "kind": "ratio",
     "frequency": "annual", "decimals": 2, "numerator_code": "RDJF", "denominator_code": "GDP", "factor": 100.0,
     "aliases": "全社会R&D经费占GDP比重；研发投入强度；R&D占GDP比重；全社会研发投入强度",
     "description": "全社会R&D经费支出 ÷ 地区生产总值 × 100，由分子分母汇总计算",
     "source": "市统计局"},
    {**_M, "code": "GXCZ", "name": "高新技术产业产值", "category": "产业", "unit": "亿元", "kind": "cumulative",
     "decimals": 2, "aliases": "高新技术产业总产值；规上高新技术产业产值；高新产值",
     "description": "规模以上工业中高新技术产业产值，1—m月累计", "source": "市统计局"},
    {**_M, "code": "GSGYCZ", "name": "规上工业总产值", "category": "产业", "unit": "亿元", "kind": "cumulative",
     "decimals": 2, "aliases": "规模以上工业总产值；规上工业产值；工业总产值（规上）",
     "description": "规模以上工业企业工业总产值（现价），1—m月累计", "source": "市统计局"},
    {**_M, "code": "GXZB", "name": "高新技术产业产值占规上工业产值比重", "category": "产业", "unit": "%",
     "kind": "ratio", "decimals": 2, "numerator_code": "GXCZ", "denominator_code": "GSGYCZ", "factor": 100.0,
     "aliases": "高新技术产业产值占比；高新技术产业占规上工业比重；高新产值占比",
     "description": "高新技术产业产值 ÷ 规上工业总产值 × 100，由分子分母汇总计算", "source": "市统计局"},
    {**_M, "code": "JSHT", "name": "技术合同成交额", "category": "成果转化", "unit": "亿元", "kind": "cumulative",
     "decimals": 2, "aliases": "技术合同交易额；技术合同登记成交额；技术市场成交额",
     "description": "经认定登记的技术合同成交金额（含技术开发、转让、许可、咨询、服务），1—m月累计；年底集中登记",
     "source": "技术合同登记系统"},
    {**_M, "code": "CGDJ", "name": "登记科技成果数", "category": "成果转化", "unit": "项", "kind": "cumulative",
     "decimals": 0, "aliases": "科技成果登记数；登记科技成果；科技成果登记项数",
     "description": "在省科技成果登记系统完成登记的科技成果项数，1—m月累计", "source": "省科技成果登记系统"},
    {**_M, "code": "KCPT", "name": "省级以上科技创新平台数", "category": "平台载体", "unit": "个", "kind": "stock",
     "decimals": 0, "aliases": "省级以上创新平台数；省级及以上科技创新平台；省级以上研发平台数",
     "description": "期末省级及以上重点实验室、技术创新中心、工程技术研究中心、新型研发机构等平台个数；省厅分批认定",
     "source": "省科技厅认定文件"},
    {**_M, "code": "FHZC", "name": "科技企业孵化器和众创空间数", "category": "平台载体", "unit": "家", "kind": "stock",
     "decimals": 0, "aliases": "孵化器和众创空间数；科技孵化载体数；科技企业孵化器、众创空间数量",
     "description": "期末经市级以上认定（备案）的科技企业孵化器和众创空间家数", "source": "市科技局备案台账"},
    {**_M, "code": "GCCRC", "name": "引进高层次人才", "category": "人才", "unit": "人", "kind": "cumulative",
     "decimals": 0, "aliases": "高层次人才引进数；引进高层次科技人才；新引进高层次人才",
     "description": "当年新引进并在本地落户或全职工作的高层次科技人才人数，1—m月累计", "source": "市人才办、市科技局"},
    {**_M, "code": "KJTPY", "name": "科技特派员人数", "category": "人才", "unit": "人", "kind": "stock",
     "decimals": 0, "aliases": "科技特派员数；选派科技特派员；在岗科技特派员人数",
     "description": "期末在岗的市、县两级科技特派员人数；每年3—4月集中选派", "source": "市科技局人才与科普科"},
    {**_M, "code": "SJXM", "name": "省级以上科技计划项目立项数", "category": "资金", "unit": "项", "kind": "cumulative",
     "decimals": 0, "aliases": "省级以上科技项目立项数；获批省级以上科技计划项目；争取省级以上科技项目",
     "description": "当年获批立项的国家和省级科技计划项目数，1—m月累计", "source": "省科技厅立项文件"},
    {**_M, "code": "SJZJ", "name": "争取上级科技资金", "category": "资金", "unit": "万元", "kind": "cumulative",
     "decimals": 1, "aliases": "争取省级以上科技资金；到位上级科技资金；争取上级资金",
     "description": "当年到位的中央和省级科技专项资金，1—m月累计", "source": "市财政局、市科技局计划财务"},
    {**_M, "code": "JBZJ", "name": "奖补资金兑现", "category": "资金", "unit": "万元", "kind": "cumulative",
     "decimals": 1, "aliases": "科技奖补资金兑现；科技政策兑现资金；兑现奖补资金",
     "description": "当年兑现的市、区两级科技创新奖补资金，1—m月累计", "source": "市科技局计划财务"},
    {**_M, "code": "WRFMZL", "name": "每万人发明专利拥有量", "category": "成果转化", "unit": "件", "kind": "ratio",
     "decimals": 2, "aliases": "每万人口发明专利拥有量；万人发明专利拥有量；每万人有效发明专利拥有量",
     "description": "期末有效发明专利数 ÷ 常住人口（万人）；各级直接报送，不由下级汇总",
     "source": "市市场监管局（知识产权局）"},
    {**_M, "code": "XMYQ", "name": "科技项目验收逾期数", "category": "资金", "unit": "项", "kind": "stock",
     "direction": "lower", "decimals": 0, "aliases": "逾期未验收科技项目数；超期未验收项目数；项目验收逾期数",
     "description": "期末已到合同期满而未申请验收的市级以上科技项目数，越少越好", "source": "科技项目管理系统"},
]
for _i, _ind in enumerate(INDICATORS, start=1):
    _ind["sort_order"] = _i

RESPONSIBILITIES = [
    dict(indicator_code="GXQY", lead_department="GXJS", leader="L02", support_departments="ZCFG；ZYPZ"),
    dict(indicator_code="KJXZX", lead_department="GXJS", leader="L02", support_departments="ZCFG"),
    dict(indicator_code="RDJF", lead_department="ZYPZ", leader="L03", support_departments="GXJS；ZHK",
         note="会同市统计局做好研发投入统计，应统尽统"),
    dict(indicator_code="GDP", lead_department="ZHK", leader="L01", support_departments=None,
         note="市统计局数据，作为R&D经费投入强度分母"),
    dict(indicator_code="RDQD", lead_department="ZYPZ", leader="L01", support_departments="GXJS；ZHK",
         note="省对市综合考核指标"),
    dict(indicator_code="GXCZ", lead_department="GXJS", leader="L02", support_departments="ZHK"),
    dict(indicator_code="GSGYCZ", lead_department="ZHK", leader="L02", support_departments=None,
         note="市统计局数据，作为高新技术产业产值占比分母"),
    dict(indicator_code="GXZB", lead_department="GXJS", leader="L02", support_departments="ZHK"),
    dict(indicator_code="JSHT", lead_department="HZZH", leader="L03", support_departments="GXJS"),
    dict(indicator_code="CGDJ", lead_department="HZZH", leader="L03", support_departments=None),
    dict(indicator_code="KCPT", lead_department="ZCFG", leader="L03", support_departments="GXJS"),
    dict(indicator_code="FHZC", lead_department="ZCFG", leader="L04", support_departments="RCKP"),
    dict(indicator_code="GCCRC", lead_department="RCKP", leader="L04", support_departments="HZZH"),
    dict(indicator_code="KJTPY", lead_department="RCKP", leader="L04", support_departments=None),
    dict(indicator_code="SJXM", lead_department="ZYPZ", leader="L03", support_departments="GXJS；HZZH；RCKP"),
    dict(indicator_code="SJZJ", lead_department="ZYPZ", leader="L03", support_departments="GXJS；HZZH"),
    dict(indicator_code="JBZJ", lead_department="ZYPZ", leader="L01", support_departments="ZCFG；ZHK"),
    dict(indicator_code="WRFMZL", lead_department="ZCFG", leader="L02", support_departments="HZZH",
         note="数据来源于市市场监管局（知识产权局）"),
    dict(indicator_code="XMYQ", lead_department="ZYPZ", leader="L04", support_departments="GXJS；HZZH；RCKP"),
]


# --- scale and rhythm of the generated data -------------------------------------------

@dataclass(frozen=True)
class Rhythm:
    """How an indicator moves through a year.

    ``weights``: the year's flow by month (cumulative: the month's value; stock and
    directly reported ratio: the month's net change, negatives allowed). ``size``: the
    city's flow last year (cumulative) or its level at the end of the first history year's
    predecessor (stock, ratio: a typical level).
    ``shares``: which district mix (``UNIT_SHARES``) spreads ``size``. ``growth``: yearly
    growth of the flow (stock: net change per year as a share of the level).
    ``ambition``: how far this year's target reaches beyond last year's flow. ``ease``:
    how much easier this year is for the indicator (it lifts every district's standing).
    ``spread``: how far districts drift apart (GDP moves by a few points, not tens).
    """
    weights: tuple[float, ...]
    size: float
    shares: str
    growth: float
    ambition: float
    ease: float
    spread: float = 1.0


_EVEN = (1.0,) * 12
RHYTHMS = {
    "GXQY": Rhythm((-3, .5, .5, .5, .5, 1, .5, .5, .5, 1, 35, 63), 1200, "tech", .12, .15, 0),
    "KJXZX": Rhythm((-25, -5, 5, 20, 25, 25, 20, 15, 10, 5, 3, 2), 1500, "tech", .15, .12, 3),
    "RDJF": Rhythm((0,) * 11 + (1,), 0, "gdp", .08, .10, 0),  # from GDP × intensity
    "GDP": Rhythm((0, 0, 22.5, 0, 0, 25, 0, 0, 25.5, 0, 0, 27), 3400, "gdp", .055, .06, 1, .2),
    "GSGYCZ": Rhythm((6.5, 5.5, 8.5, 8.3, 8.5, 8.8, 8.2, 8.2, 8.6, 8.6, 9.2, 11.1), 4500, "industry", .06, .07, -3, .5),
    # 高新技术产业产值 = 规上工业总产值 × a share that creeps up; the share is what is aimed at
    "GXCZ": Rhythm((), 0, "industry", .008, .10, 0),
    "GXZB": Rhythm((), 0, "industry", 0, 0, 1, .8),
    "JSHT": Rhythm((3, 3, 6, 6, 7, 8, 7, 7, 8, 8, 11, 26), 90, "tech", .15, .15, 2),
    "CGDJ": Rhythm((4, 3, 7, 8, 8, 10, 8, 7, 9, 9, 11, 16), 320, "tech", .08, .10, 0),
    "KCPT": Rhythm((0, 0, 0, 0, 0, 40, 0, 0, 0, 0, 0, 60), 230, "tech", .09, .10, 0),
    "FHZC": Rhythm((0, 0, 0, 0, 0, 0, 0, 0, 50, 0, 0, 50), 55, "people", .10, .10, -2),
    "GCCRC": Rhythm((3, 3, 7, 8, 9, 12, 13, 10, 9, 8, 9, 9), 820, "tech", .10, .12, 3),
    "KJTPY": Rhythm((0, 0, 60, 40, 0, 0, 0, 0, 0, 0, 0, 0), 950, "rural", .05, .06, -1),
    "SJXM": Rhythm((0, 1, 4, 8, 14, 18, 10, 8, 12, 10, 6, 9), 220, "tech", .06, .08, 4),
    "SJZJ": Rhythm((1, 2, 6, 8, 10, 14, 9, 8, 12, 10, 9, 11), 26000, "tech", .08, .10, 0),
    "JBZJ": Rhythm((0, 1, 3, 5, 8, 12, 9, 8, 10, 10, 12, 22), 12500, "people", .10, .10, -5),
    "WRFMZL": Rhythm(_EVEN, 0, "people", .12, .10, 1),
    "XMYQ": Rhythm((-10, 5, 10, 10, 5, 10, 15, 10, 10, 10, 10, 15), 90, "people", .25, .35, -2),
}

# How each mix spreads a city total over the districts (each mix sums to 1).
UNIT_SHARES = {
    "tech": dict(DC=.13, XC=.09, NH=.12, BS=.04, QX=.03, GXQ=.30, JKQ=.20, LGXQ=.09),
    "industry": dict(DC=.10, XC=.08, NH=.14, BS=.07, QX=.06, GXQ=.22, JKQ=.26, LGXQ=.07),
    "gdp": dict(DC=.18, XC=.14, NH=.16, BS=.09, QX=.08, GXQ=.15, JKQ=.14, LGXQ=.06),
    "people": dict(DC=.18, XC=.15, NH=.15, BS=.13, QX=.11, GXQ=.10, JKQ=.10, LGXQ=.08),
    "rural": dict(DC=.08, XC=.07, NH=.12, BS=.26, QX=.24, GXQ=.05, JKQ=.06, LGXQ=.12),
}

# District-level facts behind the ratios.
POPULATION = dict(DC=95, XC=80, NH=70, BS=60, QX=50, GXQ=25, JKQ=30, LGXQ=20)  # 常住人口，万人
PATENTS_PER_10K = dict(DC=38, XC=30, NH=28, BS=8, QX=6, GXQ=85, JKQ=45, LGXQ=20)  # at the start of the history
RD_INTENSITY = dict(DC=2.0, XC=1.8, NH=2.2, BS=1.1, QX=0.9, GXQ=4.5, JKQ=3.0, LGXQ=1.6)  # first history year, %
HIGH_TECH_SHARE = dict(DC=.40, XC=.38, NH=.45, BS=.25, QX=.22, GXQ=.72, JKQ=.52, LGXQ=.35)  # of 规上产值

# How well each district does this year (its standing among the districts): 高新区 leads, 北山县 lags.
STRENGTH = dict(GXQ=7, JKQ=3, DC=2.5, NH=0.5, XC=-2, LGXQ=-4, QX=-3, BS=-11)

# Monthly milestones (cumulative % of the year's progress due by month end) on the current year's targets.
MILESTONES = {
    "GXQY": "3:2;6:4;9:6;10:8;11:40;12:100",  # 高企认定结果集中在11—12月
    "SJZJ": "3:15;6:40;9:70;12:100",
}


# Who receives 催报 (one 填报联系人 per district) and the monthly pack (leaders, 综合科).
# Addresses end in .invalid (RFC 2606): nothing sent to them can reach anyone.
CONTACTS = [
    dict(org_unit=u["code"], name=f"{u['name']}填报员", email=f"{u['code'].lower()}@example.invalid",
         mobile=None, wecom_id=None, receives="reminder", sort_order=u["sort_order"])
    for u in ORG_UNITS if u["parent_code"] == CITY
] + [
    dict(org_unit=None, name="王建国", email="wangjianguo@kjj.example.invalid", mobile=None, wecom_id=None,
         receives="pack", sort_order=1),
    dict(org_unit=None, name="综合科", email="zhk@kjj.example.invalid", mobile=None, wecom_id=None,
         receives="reminder,pack", sort_order=2),
]


def setup_tables() -> dict[str, pd.DataFrame]:
    """Every setup frame except ``target``, with exactly the columns of ``SHEETS``."""
    rows = {"org_unit": ORG_UNITS, "department": DEPARTMENTS, "leader": LEADERS,
            "indicator": INDICATORS, "responsibility": RESPONSIBILITIES, "contact": CONTACTS}
    frames = {}
    for table, data in rows.items():
        cols = [c.name for c in SHEETS[table][1]]
        frames[table] = pd.DataFrame([{c: r.get(c) for c in cols} for r in data], columns=cols)
    frames["indicator"]["allow_negative"] = frames["indicator"]["allow_negative"].astype(bool)
    return frames
