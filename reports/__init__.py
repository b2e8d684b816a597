"""Reports sent by e-mail: the committee pack of a client's month (PDF and Excel), through the
SMTP server the settings name, every sending recorded.

- ``mail``: the SMTP settings (``PILOTAGE_SMTP_*``) and one message sent with its attachments;
- ``packs``: what a report holds, made as the pages make it;
- ``python -m reports send``: one report sent now.
"""
