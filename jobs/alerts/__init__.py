"""Alerts: the rules over the public views, their evaluation after each job, and delivery.

- `jobs.alerts.rules`: the rules, registered by name;
- `jobs.alerts.evaluate`: run the rules, remember what they found, deliver what is owed;
- `jobs.alerts.notify`: the channels (webhook, e-mail, dry run).
"""
