"""Running text about one row of the dispatch table — the notice's sentences and the
slides' titles — built from its card (``indicators.cards``), so a sentence says the
numbers the card shows. Pure; no I/O."""

from __future__ import annotations

from indicators.cards import (_dec, _diff, _month, _n, _path_dec, _path_gap, _tight, amount, card, gap_text,
                              review_text, value_text, value_words)
from indicators.formatting import PENDING_MARK, fmt_pct, fmt_pp, fmt_value


def status_phrase(r) -> str:
    """How the row stands against 序时, in words with the number the card shows:
    ``已完成全年目标`` / ``高于序时进度5.0个百分点`` / ``低于序时应达值103家`` /
    ``已超全年控制数`` …; '' when there is nothing to judge."""
    status, rule = r["status"], r.get("status_rule")
    if status == "done":
        return "已达到可比口径目标" if r.get("completion_basis") == "like_for_like" else "已完成全年目标"
    if status not in ("on_track", "lagging", "far_behind") or _n(r.get("gap_pp")):
        return ""
    pp = float(r["gap_pp"])
    if rule == "cumulative_limit":
        if float(r["value"]) > float(r["target"]):
            return "已超全年控制数"
        # the gap is in points of the year's limit: 已用 55.0% against 序时进度 83.3%
        return f"已用比例{'低于' if pp >= 0 else '高于'}序时进度{fmt_pp(abs(pp), signed=False)}"
    if not gap_text(r).endswith("个百分点") or r["kind"] == "ratio" or rule == "hold":
        words = "目标" if rule == "hold" else "序时应达值"
        v = r["gap_value"]
        if _n(v) or abs(float(v)) < 0.5 * 10 ** -_path_dec(r):
            return f"与{words}持平"
        amount_ = _diff(abs(float(v)), r) if r["kind"] == "ratio" or rule == "hold" else _path_gap(abs(float(v)), r)
        return f"{'高于' if float(v) > 0 else '低于'}{words}{_tight(amount_.lstrip('+'))}"
    if abs(pp) < 0.05:
        return "与序时进度持平"
    return f"{'高于' if pp > 0 else '低于'}序时进度{fmt_pp(abs(pp), signed=False)}"


def review_words(r) -> str:
    """The notice's words for a figure that still waits for review ("" otherwise)."""
    return f"含尚未审核通过的报送数据{PENDING_MARK}" if review_text(r) else ""  # the card's, without the card


def sentence(r) -> str:
    """One sentence of the notice about row ``r``: its main figures, partial or like for
    like as on the card, how it stands, and 同比."""
    c = card(r)
    if r["status"] == "not_due":
        return "尚未到报送期。"
    if _n(r["value"]):
        return "本期数据未报送。"
    head = c.headline or f"{value_words(r)}{_tight(value_text(r))}"
    if c.partial and head.startswith("按可比口径"):
        head = f"部分汇总，{head}"
    elif c.partial and r.get("missing_units"):
        head = f"部分汇总（缺{r['missing_units']}），{head}"
    parts = [head]
    if c.review and PENDING_MARK not in head:
        parts.append(review_words(r))
    if c.note:
        parts.append(c.note)
    phrase = status_phrase(r)
    if phrase:
        parts.append(phrase)
    if c.gap_change:
        parts.append(f"差距较上月{_tight(c.gap_change)}")
    if c.yoy:
        parts.append(_yoy_words(r))
    return "，".join(p for p in parts if p) + "。"


def _yoy_words(r) -> str:
    if _n(r.get("yoy")):
        note = r.get("yoy_note")
        if not note:
            return ""
        return f"同比{note}" if note.startswith("无可比数据") else f"同比暂无可比数据（{note}）"
    y = float(r["yoy"])
    if r.get("yoy_type") == "difference":
        unit = r.get("yoy_unit")
        amount_ = fmt_pp(abs(y), _dec(r), signed=False) if unit == "个百分点" else _tight(fmt_value(abs(y), unit, _dec(r)))
        text = f"同比{'提高' if y >= 0 else '下降'}{amount_}"
    else:
        text = f"同比{'增长' if y >= 0 else '下降'}{fmt_pct(abs(y))}"
    if r.get("yoy_basis") == "like_for_like":
        note = r.get("yoy_note") or "按可比口径"
        text += "（按可比口径）" if r.get("missing_units") and note == f"按可比口径（缺{r['missing_units']}）" \
            else f"（{note}）"
    return text


# ---------------------------------------------------------------- 预计全年 and how it was reckoned

def projection_basis_text(r) -> str:
    """The basis of 预计全年 in a table cell (``rules.projection``): ``上年同期进度 83.0%`` /
    ``时间进度 10/12`` / ``12月即全年``; '' without a projection."""
    basis = r.get("projection_basis")
    if basis == "year_end":
        return "12月即全年"
    if basis == "last_year":
        return f"上年同期进度 {fmt_pct(r['projection_share'])}"
    if basis == "linear":
        return f"时间进度 {_month(r)}/12"
    return ""


def projection_text(r) -> str:
    """预计全年 with the sum that gives it, so a reader can redo it: ``预计全年 1,505.6 家（按时间
    进度：上年末 1,412 家 + 较上年末新增 78 家 ÷ 10/12）``; '' without a projection."""
    basis = r.get("projection_basis")
    if _n(r.get("projection")) or basis not in ("last_year", "linear", "year_end"):
        return ""
    total = amount(r["projection"], r)
    if basis == "year_end":
        return f"全年 {total}（12月即全年）"
    share = fmt_pct(r["projection_share"]) if basis == "last_year" else f"{_month(r)}/12"
    how = "上年同期进度" if basis == "last_year" else "时间进度"
    if r["kind"] == "stock":
        sum_ = f"上年末 {amount(r['baseline'], r)} + 较上年末新增 {amount(r['value'] - r['baseline'], r)} ÷ {share}"
    else:
        sum_ = f"{value_words(r)} {amount(r['value'], r)} ÷ {share}"
    return f"预计全年 {total}（按{how}：{sum_}）"

