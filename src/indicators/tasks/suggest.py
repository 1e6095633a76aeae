"""Suggesting who leads a task drafted from a work plan — pure, no I/O.

The admin confirms every draft; the suggestion only saves typing. In order:

1. confirmed tasks of the same 类别 — the department (and leader) most of them have;
2. the responsibility table — the indicator or department whose name shares the most
   informative two-character words (bigrams) with the task's 类别 (and, weighing less,
   its text): 人才引进培育 → 引进高层次人才 → 人才与科普科. Bigrams found in many names
   (科技, 项目 …) weigh less (inverse document frequency), so a word every name has
   decides nothing; a department's own name weighs more than an indicator's;
3. nothing, when no name shares a word.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

import pandas as pd

_NOT_HAN = re.compile(r"[^\u4e00-\u9fff]+")
MIN_SCORE = 1.0  # below this the overlap is a coincidence, not a suggestion
TEXT_WEIGHT = 0.3  # an item's text against its 类别: the section says what kind of work it is
DEPARTMENT_WEIGHT = 1.5  # a department's name states its remit


@dataclass(frozen=True)
class Suggestion:
    lead_department: str | None
    leader: str | None
    basis: str  # Chinese, shown beside the suggestion


NONE = Suggestion(None, None, "无建议，请指定")


def bigrams(text: str | None) -> set[str]:
    words = _NOT_HAN.split(text or "")
    return {w[i:i + 2] for w in words for i in range(len(w) - 1)}


def suggest(category: str | None, text: str, past_tasks: pd.DataFrame, indicators: pd.DataFrame,
            departments: pd.DataFrame) -> Suggestion:
    """``past_tasks``: category, lead_department, leader (confirmed tasks);
    ``indicators``: name, aliases, category, lead_department_code, leader_code;
    ``departments``: code, name."""
    same = past_tasks[(past_tasks["category"] == category) & past_tasks["lead_department"].notna()] \
        if category else past_tasks.iloc[0:0]
    if len(same):
        dept = Counter(same["lead_department"]).most_common(1)[0][0]
        leaders = same.loc[same["lead_department"] == dept, "leader"].dropna()
        leader = Counter(leaders).most_common(1)[0][0] if len(leaders) else None
        return Suggestion(dept, leader, f"同类任务「{category}」")
    return _by_names(category or "", text, indicators, departments)


def _by_names(category: str, text: str, indicators: pd.DataFrame, departments: pd.DataFrame) -> Suggestion:
    docs = []  # (bigrams, department, leader, what, weight)
    for r in indicators.itertuples(index=False):
        if pd.notna(r.lead_department_code):
            words = bigrams(" ".join(str(x) for x in (r.name, r.aliases, r.category) if pd.notna(x)))
            docs.append((words, r.lead_department_code, r.leader_code if pd.notna(r.leader_code) else None,
                         f"指标「{r.name}」", 1.0))
    for r in departments.itertuples(index=False):
        docs.append((bigrams(re.sub(r"[（(].*?[）)]|科$", "", str(r.name))), r.code, None, f"科室「{r.name}」",
                     DEPARTMENT_WEIGHT))
    if not docs:
        return NONE
    df = Counter(w for words, *_ in docs for w in words)
    idf = {w: math.log(len(docs) / n) for w, n in df.items()}
    by_category, by_text = bigrams(category), bigrams(text) - bigrams(category)
    best, best_score = None, 0.0
    for doc in docs:
        words, weight = doc[0], doc[4]
        score = weight * (sum(idf[w] for w in words & by_category)
                          + TEXT_WEIGHT * sum(idf[w] for w in words & by_text))
        if score > best_score + 1e-9:
            best, best_score = doc, score
    if best is None or best_score < MIN_SCORE:
        return NONE
    _, dept, leader, what, _ = best
    if leader is None:
        leaders = indicators.loc[indicators["lead_department_code"] == dept, "leader_code"].dropna()
        leader = Counter(leaders).most_common(1)[0][0] if len(leaders) else None
    return Suggestion(dept, leader, f"与{what}相近")
