"""What a card says about one row of the dispatch table — in the bureau's words, with the
one-line rule that turns its numbers into the status.

One home for the words of every figure: the page cards (``views``), the slides and the
notice (``report``) all call ``card``, so a number reads the same everywhere and every
number on a card can be checked from the others on it (README "How the numbers are
computed"). Pure; no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from indicators.formatting import PENDING_MARK, fmt_change, fmt_pct, fmt_pp, fmt_signed, fmt_value, shown
from indicators.rules.ranking import MEASURE_LABELS


@dataclass(frozen=True)
class Card:
    lines: list[tuple[str, str]] = field(default_factory=list)  # (label, text) in reading order
    caption: str = ""  # the rule that gives the status, with the numbers it uses
    note: str = ""  # why there is no number (未报送, 未到期, …)
    partial: str = ""  # 部分汇总，缺：… — never left off a partial figure
    review: str = ""  # 待审核：… — nor off a figure that still waits for review
    comparable: str = ""  # the like-for-like basis the status was judged on
    yoy: str = ""  # 同比 … (按可比口径…)
    rank: str = ""  # 第3名/16（按完成率）
    rank_move: str = ""  # 排名升降: ↑2（上月第5名）
    gap_change: str = ""  # 差距较上月: +1.2个百分点（上月 −3.4个百分点）
    headline: str = ""  # one sentence of the main figures, for slide titles and the notice


def _n(v) -> bool:
    return v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA


def _month(r) -> int | None:
    vp = r["value_period"]
    return int(str(vp)[5:7]) if isinstance(vp, str) else None


def amount(v, r) -> str:
    return fmt_value(v, r["unit"], _dec(r))


def _dec(r) -> int:
    return 2 if _n(r["decimals"]) else int(r["decimals"])


def _signed(v, r) -> str:
    return fmt_signed(v, r["unit"], _dec(r))


def _path_dec(r) -> int:
    """序时应达值 of a count (家, 项) is fractional: one more decimal than the count's, so
    a gap of 0.4 is not shown as "+0"."""
    return _dec(r) + 1 if _dec(r) == 0 else _dec(r)


def path_amount(v, r) -> str:
    return fmt_value(v, r["unit"], _path_dec(r))


def _path_gap(v, r) -> str:
    return fmt_signed(v, r["unit"], _path_dec(r))


def _diff(v, r) -> str:
    """A gap in the indicator's own unit (个百分点 for a % indicator)."""
    if _n(v):
        return "—"
    return fmt_pp(v, _dec(r)) if r["unit"] == "%" else _signed(v, r)


def card(r) -> Card:
    """The card of dispatch row ``r`` (a Series or a dict of its columns)."""
    r = dict(r) if not isinstance(r, dict) else r
    extras = dict(partial=partial_text(r), review=review_text(r), yoy=change_text(r, "yoy"), rank=_rank(r),
                  comparable=comparable_text(r), rank_move=rank_move_text(r), gap_change=gap_change_text(r))
    if r["status"] == "not_due" or _n(r["value"]):
        return Card(note=note_text(r), **extras)
    rule = r.get("status_rule")
    build = _BUILDERS.get(rule if not _n(rule) else None, _no_target)
    if r.get("completion_basis") == "like_for_like":
        lines, caption, headline = _like_for_like(r, build)
    else:
        lines, caption, headline = build(r)
    return Card(lines=lines, caption=caption, headline=headline, note=note_text(r), **extras)


def note_text(r) -> str:
    """The card's ``note`` (未到报送期, 未报送, 可比口径 withheld, …) without its lines: the XLSX's 说明."""
    if r["status"] == "not_due":
        return "本期未到报送期"
    if _n(r["value"]):
        all_late = r["status"] == "missing" and r.get("level") == 0 and _n(r.get("provenance"))
        return "下级单位均未报送" if all_late else "本期未报送"
    if r.get("status_rule") == "no_baseline_increase":
        return "缺上年末数，无法按年内新增目标评价"
    return (r.get("comparable_note") if r.get("completion_basis") == "withheld" else "") or ""


def _like_for_like(r, build):
    """A partial level judged on the comparable basis: the card's numbers are that basis
    (so 完成 and the status can be recomputed from them), beside the partial sum and the
    official target."""
    comparable = {**r, "value": r["comparable_value"], "baseline": r["comparable_baseline"],
                  "target": r["comparable_target"],
                  "target_increase": r["comparable_target"] - r["comparable_baseline"]}
    own_target = abs(float(r["comparable_target"]) - float(r["target"])) > 1e-9  # a ratio keeps its target
    if own_target:
        comparable |= {"_target_word": "可比口径目标", "_target_note": f"（全年目标{_tight(amount(r['target'], r))}）"}
    lines, caption, headline = build(comparable)
    if own_target:
        lines = [(_COMPARABLE_LABELS.get(label, label), text) for label, text in lines]
        lines.append(("正式目标", amount(r["target"], r)))
    if abs(float(r["comparable_value"]) - float(r["value"])) > 1e-9:  # a unit without last year-end is left out too
        lines.append(("部分汇总值", amount(r["value"], r)))
    return lines, caption, f"按可比口径（{_excluded_words(r)}）{headline}"


def _excluded_words(r) -> str:
    note = r.get("comparable_note") or ""
    return note.removeprefix("按可比口径（").removesuffix("）") or "部分汇总"


_COMPARABLE_LABELS = {"目标": "可比口径目标", "目标新增": "可比口径目标新增", "上年末": "可比口径上年末"}


def value_words(r) -> str:
    """``1—10月累计`` / ``10月末`` / ``10月`` / ``2025年``: what the value is."""
    m = _month(r)
    if r["frequency"] == "annual":
        return f"{str(r['value_period'])[:4]}年" if isinstance(r["value_period"], str) else "全年"
    if r["kind"] == "cumulative":
        return f"1—{m}月累计" if m and m > 1 else "1月"
    return f"{m}月末" if r["kind"] == "stock" else f"{m}月"


def _cumulative(r):
    v, t = amount(r["value"], r), amount(r["target"], r)
    lines = [(value_words(r), v), ("目标", t), ("完成", fmt_pct(r["completion"])),
             ("序时进度", f"{fmt_pct(r['expected'])}（应达 {path_amount(r['expected_value'], r)}）"),
             ("差距", fmt_pp(r["gap_pp"]))]
    caption = (f"完成率 = {v} ÷ {t}；不低于序时进度为达序时，落后 10 个百分点以内为滞后，更多为严重滞后")
    return lines, caption, f"{value_words(r)}{_tight(v)}，目标{_tight(t)}，完成{fmt_pct(r['completion'])}"


def _limit(r):
    v, t = amount(r["value"], r), amount(r["target"], r)
    lines = [(value_words(r), v), ("全年控制数", t), ("已用", fmt_pct(r["completion"])),
             ("序时控制数", f"{path_amount(r['expected_value'], r)}（序时进度 {fmt_pct(r['expected'])}）"),
             ("差距", fmt_pp(r["gap_pp"]))]
    caption = ("越低越好：累计不超过序时控制数为达序时，已用比例高出序时进度 10 个百分点以内为滞后；"
               "超过全年控制数为严重滞后；全年结束且未超控制数为已完成")
    return lines, caption, f"{value_words(r)}{_tight(v)}，全年控制数{_tight(t)}，已用{fmt_pct(r['completion'])}"


def _change(r):
    if r["kind"] == "ratio":
        return _ratio(r)
    v, t, b = amount(r["value"], r), amount(r["target"], r), amount(r["baseline"], r)
    if r["direction"] == "lower":
        lines = [(value_words(r), v), ("目标", t), ("上年末", b), ("压减完成", fmt_pct(r["completion"])),
                 ("序时应达值", path_amount(r["expected_value"], r)), ("差距", _path_gap(r["gap_value"], r))]
        caption = (f"越低越好：完成 = (上年末 {b} − 期末) ÷ (上年末 − 目标)；不高于序时应达值为达序时，"
                   "落后不超过应压减量的 10% 为滞后")
        return lines, caption, f"{value_words(r)}{_tight(v)}，{_target_words(r, t)}，压减完成{fmt_pct(r['completion'])}"
    progress_words = (f"较上年末 {b} 新增 {amount(r['vs_baseline'], r)}，为目标增量 "
                      f"{amount(r['target_increase'], r)} 的 {fmt_pct(r['progress'])}（序时进度 {fmt_pct(r['expected'])}）")
    if r["target_basis"] == "increase":
        inc, target_inc = amount(r["vs_baseline"], r), amount(r["target_increase"], r)
        lines = [("较上年末新增", inc), ("目标新增", target_inc), ("完成", fmt_pct(r["completion"])),
                 ("序时进度", fmt_pct(r["expected"])), ("差距", fmt_pp(r["gap_pp"])), (value_words(r), v)]
        caption = (f"完成 = 较上年末新增 ÷ 目标新增（上年末 {b}）；不低于序时进度为达序时，落后 10 个百分点以内为滞后")
        return lines, caption, (f"较上年末新增{_tight(inc)}，{r.get('_target_word', '目标')}新增{_tight(target_inc)}"
                                f"{r.get('_target_note', '')}，完成{fmt_pct(r['completion'])}")
    lines = [("达到", v), ("目标", t), ("完成", fmt_pct(r["completion"])),
             ("序时应达值", path_amount(r["expected_value"], r)), ("差距", _path_gap(r["gap_value"], r))]
    caption = f"状态按增量：{progress_words}；落后 10 个百分点以内为滞后"
    return lines, caption, f"{value_words(r)}达到{_tight(v)}，{_target_words(r, t)}，完成{fmt_pct(r['completion'])}"


def _ratio(r):
    v, t, b = amount(r["value"], r), amount(r["target"], r), amount(r["baseline"], r)
    lines = [(value_words(r), v), ("目标", t), ("序时应达值", amount(r["expected_value"], r)),
             ("差距", _diff(r["gap_value"], r))]
    better = "不高于" if r["direction"] == "lower" else "不低于"
    caption = (f"序时应达值 = 上年末 {b} + 序时进度 {fmt_pct(r['expected'])} ×（目标 − 上年末）；{better}序时应达值为达序时，"
               f"落后不超过（目标 − 上年末）的 10% 为滞后；达到目标为已完成")
    return lines, caption, f"{value_words(r)}{_tight(v)}，{_target_words(r, t)}，序时应达值{_tight(amount(r['expected_value'], r))}"


def _hold(r):
    v, t = amount(r["value"], r), amount(r["target"], r)
    lines = [(value_words(r), v), ("目标", t), ("差距", _diff(r["gap_value"], r))]
    if r["kind"] == "stock" and not _n(r["completion"]):
        lines.insert(2, ("完成", fmt_pct(r["completion"])))
    caption = "目标不高于上年末水平：达到目标即为已完成；未达到时差距在目标的 10% 以内为滞后，更多为严重滞后"
    return lines, caption, f"{value_words(r)}{_tight(v)}，{_target_words(r, t)}"


def _no_baseline(r):
    v, t = amount(r["value"], r), amount(r["target"], r)
    lines = [(value_words(r), v), ("目标", t)]
    if not _n(r["completion"]):
        lines.append(("完成", fmt_pct(r["completion"])))
    lines += [("序时进度", fmt_pct(r["expected"])), ("差距", fmt_pp(r["gap_pp"]))]
    ratio = "目标 ÷ 本期" if r["direction"] == "lower" else "本期 ÷ 目标"
    caption = f"无上年末数：按 {ratio}（{fmt_pct(r['progress'])}）与序时进度比；落后 10 个百分点以内为滞后"
    return lines, caption, f"{value_words(r)}{_tight(v)}，{_target_words(r, t)}"


def _no_target(r):
    v = amount(r["value"], r)
    return [(value_words(r), v)], "未设定年度目标：只显示数值、同比和排名，不评价进度", f"{value_words(r)}{_tight(v)}"


def _waiting(r):
    v = amount(r["value"], r)
    return [(value_words(r), v), ("目标新增", amount(r["target_increase"], r))], "", f"{value_words(r)}{_tight(v)}"


_BUILDERS = {"cumulative": _cumulative, "cumulative_limit": _limit, "change": _change, "hold": _hold,
             "no_baseline": _no_baseline, "no_baseline_increase": _waiting, None: _no_target}


def _target_words(r, t: str) -> str:
    """``目标1,570家``, or on a comparable basis ``可比口径目标1,521家（全年目标1,570家）``."""
    return f"{r.get('_target_word', '目标')}{_tight(t)}{r.get('_target_note', '')}"


def _tight(text: str) -> str:
    """Running text writes the unit right after the number: ``90.00亿元``."""
    return text.replace(" ", "")


def partial_text(r) -> str:
    if r.get("provenance") == "partial":
        return f"部分汇总，缺：{r['missing_units']}" if r.get("missing_units") else "部分汇总"
    return ""


def review_text(r) -> str:
    """The dispatch table's ``review``: 'pending' when the value — or one under it — waits for review."""
    return "待审核：含尚未审核通过的报送数值" if r.get("review") == "pending" else ""


def comparable_text(r) -> str:
    if r.get("completion_basis") != "like_for_like":
        return ""
    note = r.get("comparable_note") or "按可比口径"
    return (f"{note}：本期 {amount(r['comparable_value'], r)} / 上年末 {amount(r['comparable_baseline'], r)} / "
            f"目标 {amount(r['comparable_target'], r)}（正式目标 {amount(r['target'], r)}）")


def change_text(r, name: str) -> str:
    """``同比 +5.0%``, ``同比 +0.25个百分点（按可比口径（缺青溪县））`` or the reason it is withheld."""
    label = {"yoy": "同比", "mom": "环比"}[name]
    if _n(r.get(name)):
        basis = r.get(f"{name}_basis")
        return f"{label} —，{r.get(f'{name}_note')}" if basis == "withheld" and r.get(f"{name}_note") else ""
    text = f"{label} {fmt_change(r[name], r.get(f'{name}_type'), r.get(f'{name}_unit'), _dec(r))}"
    if r.get(f"{name}_basis") == "like_for_like":
        text += f"，{r.get(f'{name}_note')}"
    return text


def yoy_cell(r) -> str:
    """同比 in a table cell: ``+5.0%``, ``+0.25个百分点``, ``+4.20 件``; ``（可比）`` when it
    compares the same children in both years (the row says 部分汇总 and whom it lacks)."""
    if _n(r.get("yoy")):
        return "—"
    text = fmt_change(r["yoy"], r.get("yoy_type"), r.get("yoy_unit"), _dec(r))
    return text + ("（可比）" if r.get("yoy_basis") == "like_for_like" else "")


def _rank(r) -> str:
    if _n(r.get("rank")) or _n(r.get("rank_of")):
        return ""
    by = MEASURE_LABELS.get(r.get("rank_by"), "")
    return f"第{int(r['rank'])}名/{int(r['rank_of'])}" + (f"（按{by}）" if by else "")


def move_words(move) -> str:
    """``↑2`` / ``↓1`` / ``持平`` for a rank move (``rules.month_change``: + = places gained)."""
    move = int(move)
    return "持平" if move == 0 else f"↑{move}" if move > 0 else f"↓{-move}"


RANKING_HEADER = ["名次", "区县", "达序时/应报", "占比", "升降"]


def ranking_cells(r) -> list[str]:
    """A district's row of the 区县排名 table on the slides and the A3 简报 (a row of
    ``rules.month_change.unit_ranking_moves``): 升降 is its 排名升降 against last month,
    as on the page; a unit without a rank says why instead of showing 0%."""
    if _n(r.get("rank")):
        return ["—", r["org_unit_name"], "—", r.get("note") or "—", "—"]
    move = "—" if _n(r.get("rank_move")) else move_words(r["rank_move"])
    return [str(int(r["rank"])), r["org_unit_name"], f"{int(r['on_track_total'])}/{int(r['due'])}",
            fmt_pct(r["on_track_share"], 0), move]


def rank_and_move(rank, move) -> str:
    """A district's 综合排名 with its 排名升降, as the heat maps head its column:
    ``第6名 ↑1`` (``第6名`` without last month's rank); '' unranked."""
    if _n(rank):
        return ""
    return f"第{int(rank)}名" + ("" if _n(move) else f" {move_words(move)}")


def rank_move_text(r) -> str:
    """排名升降 against last month: ``↑2（上月第5名）``; '' where no move is counted
    (January, no rank either month, or ranked by another measure last month)."""
    if _n(r.get("rank_move")) or _n(r.get("rank_last")):
        return ""
    return f"{move_words(r['rank_move'])}（上月第{int(r['rank_last'])}名）"


# ---------------------------------------------------------------- one cell of a table

_GAP_IN_UNIT = {"hold"}


def _gap_in_unit(r) -> bool:
    rule = r.get("status_rule")
    return rule in _GAP_IN_UNIT or (rule == "change" and (r["kind"] == "ratio" or r["direction"] == "lower"
                                                           or r.get("target_basis") != "increase"))


def _gap_words(r, pp, value) -> str:
    """A gap in the terms of the row's card (points, or the indicator's unit)."""
    if not _gap_in_unit(r):
        return fmt_pp(pp)
    return _diff(value, r) if r["kind"] == "ratio" or r.get("status_rule") == "hold" else _path_gap(value, r)


def gap_text(r) -> str:
    """The gap as the row's card shows it: in points of the target for totals, limits,
    年内新增 stocks and levels without a baseline; in the indicator's own unit (value −
    序时应达值) for 年末达到 stocks, 越低越好 stocks, ratios and targets to hold."""
    if _n(r.get("gap_pp")):
        return "—"
    return _gap_words(r, r["gap_pp"], r["gap_value"])


def gap_change_text(r) -> str:
    """差距较上月 in the terms of the card's 差距 line, with last month's gap so it can be
    recomputed: ``+1.2个百分点（上月 -3.4个百分点）``; '' where none is counted
    (``rules.month_change``: January, no gap either month, judged by another rule last
    month). The change is the difference of the two gaps as printed, so a reader's
    subtraction always gives the number shown."""
    if _n(r.get("gap_change_pp")) or _n(r.get("gap_pp_last")):
        return ""
    in_unit = _gap_in_unit(r)
    now, last = (r["gap_value"], r["gap_value_last"]) if in_unit else (r["gap_pp"], r["gap_pp_last"])
    if _n(now) or _n(last):
        return ""
    if not in_unit:
        return points_change_text(now, last)
    places = _dec(r) if r["kind"] == "ratio" or r.get("status_rule") == "hold" else _path_dec(r)
    change = shown(now, places) - shown(last, places)
    return f"{_gap_words(r, change, change)}（上月 {_gap_words(r, r['gap_pp_last'], r['gap_value_last'])}）"


def points_change_text(now, last) -> str:
    """A gap in points against last month's: ``+1.2个百分点（上月 -3.4个百分点）`` (the
    difference of the two as printed, one decimal); '' without both."""
    if _n(now) or _n(last):
        return ""
    change = shown(now, 1) - shown(last, 1)
    return f"{fmt_pp(change)}（上月 {fmt_pp(last)}）"


def completion_text(r) -> str:
    """完成 as on the card; — for ratios (no percentage of a percentage) and without one."""
    return fmt_pct(r.get("completion"))


def value_text(r) -> str:
    """本期值 as judged: the comparable value for a partial level judged like for like;
    marked （待审核） while the value — or one under it — waits for review."""
    mark = PENDING_MARK if r.get("review") == "pending" and not _n(r.get("value")) else ""
    if r.get("completion_basis") == "like_for_like" and not _n(r.get("comparable_value")):
        return amount(r["comparable_value"], r) + mark
    return amount(r["value"], r) + mark


def target_text(r) -> str:
    """目标 as judged: ``1,521 家（可比口径；全年 1,570 家）`` for a partial level judged like
    for like, so a table's 完成率 can be recomputed from its own row."""
    if r.get("completion_basis") == "like_for_like" and not _n(r.get("comparable_target")) \
            and abs(float(r["comparable_target"]) - float(r["target"])) > 1e-9:
        return f"{amount(r['comparable_target'], r)}（可比口径；全年 {amount(r['target'], r)}）"
    return amount(r["target"], r)


