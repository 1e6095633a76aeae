"""Suggested lead departments for the seed plan's sections, against the demo city's
responsibility table (pure: no database)."""

import pandas as pd
import pytest

from indicators.demo import city
from indicators.tasks.suggest import suggest


def _tables():
    inds = pd.DataFrame(city.INDICATORS)
    resp = pd.DataFrame(city.RESPONSIBILITIES).rename(
        columns={"indicator_code": "code", "lead_department": "lead_department_code", "leader": "leader_code"})
    inds = inds.merge(resp[["code", "lead_department_code", "leader_code"]], on="code", how="left")
    return inds, pd.DataFrame(city.DEPARTMENTS)


NO_PAST = pd.DataFrame(columns=["category", "lead_department", "leader"])


@pytest.mark.parametrize("category, text, department", [
    ("高企培育", "2022年度高企申报项目源摸排", "GXJS"),        # alias 高企数
    ("科技合作", "开展第七届中国创新挑战赛申请工作", "HZZH"),  # the department's own name
    ("人才引进培育", "2022年第一批市领军网评和面试", "RCKP"),   # 引进高层次人才
    ("政策规划", "修订“科技贷”政策", "ZCFG"),                  # 政策法规与创新体系科
    ("载体平台建设", "组织工程技术研究中心绩效评估", "ZCFG"),  # 省级以上科技创新平台数
    ("重要活动", "视情召开全市科技工作会议", None),            # nothing shares a word: the admin decides
])
def test_suggestion_from_the_responsibility_table(category, text, department):
    inds, deps = _tables()
    assert suggest(category, text, NO_PAST, inds, deps).lead_department == department


def test_earlier_tasks_of_the_same_category_win():
    inds, deps = _tables()
    past = pd.DataFrame([dict(category="重要活动", lead_department="ZHK", leader="L01"),
                         dict(category="重要活动", lead_department="ZHK", leader="L01"),
                         dict(category="重要活动", lead_department="GXJS", leader="L02")])
    got = suggest("重要活动", "视情召开全市科技工作会议", past, inds, deps)
    assert (got.lead_department, got.leader, got.basis) == ("ZHK", "L01", "同类任务「重要活动」")
