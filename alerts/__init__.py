"""Alerts: rules on a KPI in a scope (below or above its target or a threshold, or an anomaly
against the same weekday's recent weeks, from a minimum volume), and new comments showing a
legal risk; checked after loads and by the scheduler, kept until acknowledged, told by e-mail.

- ``rules``: the rules, stored (table ``alert_rules``);
- ``check``: a day's figures held against the rules; new alerts stored (table ``alerts``);
- ``notify``: the new alerts sent to their rules' addresses.
"""
