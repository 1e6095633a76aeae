"""DingTalk's signature against a vector made with openssl, WeCom's size limit, splitting."""

import pytest

from indicators.delivery import webhooks
from indicators.settings import Settings

# printf '1700000000000\nSECtest-secret' | openssl dgst -sha256 -hmac 'SECtest-secret' -binary | base64
#   → LC7hxZ4wslL+P7j7gu1hoQ+wzByekL+yWgiUMekZs0g=   (then URL-encoded)
SIGN = "LC7hxZ4wslL%2BP7j7gu1hoQ%2BwzByekL%2ByWgiUMekZs0g%3D"


def test_dingtalk_sign_matches_openssl():
    assert webhooks.dingtalk_sign("SECtest-secret", 1700000000000) == SIGN


def test_dingtalk_address_carries_token_timestamp_and_sign():
    s = Settings(dingtalk_url="http://127.0.0.1:9", dingtalk_token="tok", dingtalk_secret="SECtest-secret")
    assert webhooks.dingtalk_address(s, 1700000000000) == (
        f"http://127.0.0.1:9/robot/send?access_token=tok&timestamp=1700000000000&sign={SIGN}")
    unsigned = s.with_(dingtalk_secret="")
    assert webhooks.dingtalk_address(unsigned, 1) == "http://127.0.0.1:9/robot/send?access_token=tok"


def test_pasted_webhook_address_gives_the_token():
    s = Settings(dingtalk_token="https://oapi.dingtalk.com/robot/send?access_token=abc123",
                 wecom_key="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k-9", wecom_url="http://h")
    assert webhooks.dingtalk_address(s, 1).endswith("access_token=abc123")
    assert webhooks.wecom_address(s) == "http://h/cgi-bin/webhook/send?key=k-9"


def test_short_text_is_one_part():
    assert webhooks.split_markdown("# 标题\n\n正文", 4096) == ["# 标题\n\n正文"]


@pytest.mark.parametrize("lines, width", [(300, 20), (40, 400), (3, 5000)])
def test_long_text_splits_within_the_limit_and_keeps_everything(lines, width):
    text = "\n".join(f"第{i}行" + "指" * width for i in range(lines))  # 3 bytes per CJK character
    parts = webhooks.split_markdown(text, 4096)
    assert len(parts) > 1
    assert all(len(p.encode("utf-8")) <= 4096 for p in parts)
    n = len(parts)
    assert [p.rsplit("\n\n", 1)[1] for p in parts] == [f"（{i}/{n}）" for i in range(1, n + 1)]
    body = "".join(p.rsplit("\n\n", 1)[0].replace("\n", "") for p in parts)
    assert body == text.replace("\n", "")


def test_mentions():
    ding = webhooks.dingtalk_payload("催报", "正文", ["10000000002"])
    assert ding["at"] == {"atMobiles": ["10000000002"], "isAtAll": False}
    assert ding["markdown"]["text"].endswith("@10000000002")  # DingTalk notifies only if the text names them
    assert webhooks.wecom_payload("正文", ["yixian"])["markdown"]["content"] == "正文\n<@yixian>"
