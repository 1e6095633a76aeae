"""Delivery: 催报 and the monthly pack sent by email, DingTalk and WeCom robots — once.

- ``channels`` — which channels are configured (settings; secrets only from the environment);
- ``mail`` / ``webhooks`` — SMTP and the two group robots;
- ``contacts`` — who receives what (the setup workbook's 联系人 sheet);
- ``messages`` — the texts and attachments, built from completeness and the report;
- ``ledger`` — the delivery table: claim before send, retries with backoff, the log;
- ``schedule`` — what is due when (reminders from the deadline − 2 days, the pack the day after);
- ``outbox`` — planning and sending: ``plan_reminders``, ``plan_pack``, ``deliver``, ``send_due``.

The schedule runs outside Streamlit (cron or a systemd timer calling ``indicators send
due``, see ``deploy/``): with N app replicas an in-app timer would fire N times.
"""
