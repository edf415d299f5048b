"""E-mail (SPEC §3d): the SMTP settings and connection (``smtp.py``), the words of each
message (``messages.py``), the outbox and who is told what (``outbox.py``), delivery
with retries (``sender.py``) and reminders to late agencies (``remind.py``).

No Flask here: messages are written in plain Python, in the recipient's language.
"""
