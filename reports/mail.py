"""Messages sent through an SMTP server: its settings from the environment, one message with
its attachments, a refusal said in one clear line."""
from __future__ import annotations

import re
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Mapping

from i18n import _

SECURITIES = ("none", "starttls", "ssl")
ADDRESS = re.compile(r"^[^@\s,;<>\"']+@[^@\s,;<>\"']+\.[^@\s,;<>\"']+$")


class MailError(ValueError):
    """A message that could not be sent; the message says why."""


@dataclass(frozen=True)
class Smtp:
    host: str | None = None          # None: no server, nothing can be sent
    port: int = 25
    user: str | None = None
    password: str | None = None
    sender: str = "pilotage@localhost"
    security: str = "none"           # none | starttls | ssl
    timeout: float = 30.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "Smtp":
        """``PILOTAGE_SMTP_HOST``, ``_PORT``, ``_USER``, ``_PASSWORD``, ``_FROM``, ``_SECURITY``."""
        security = env.get("PILOTAGE_SMTP_SECURITY", "none").lower()
        if security not in SECURITIES:
            raise MailError(_("PILOTAGE_SMTP_SECURITY is one of {known}, not {value!r}",
                              known=", ".join(SECURITIES), value=security))
        port = env.get("PILOTAGE_SMTP_PORT") or {"ssl": "465", "starttls": "587"}.get(security, "25")
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise MailError(_("PILOTAGE_SMTP_PORT is a port number, not {value!r}", value=port))
        sender = env.get("PILOTAGE_SMTP_FROM", cls.sender)
        if not ADDRESS.match(sender) and sender != cls.sender:
            raise MailError(_("PILOTAGE_SMTP_FROM is not an e-mail address: {value!r}", value=sender))
        return cls(env.get("PILOTAGE_SMTP_HOST") or None, int(port), env.get("PILOTAGE_SMTP_USER") or None,
                   env.get("PILOTAGE_SMTP_PASSWORD") or None, sender, security)


def addresses(text: str) -> list[str]:
    """The addresses of a list separated by commas or semicolons, each checked."""
    found = [a.strip() for a in re.split(r"[,;]", text or "") if a.strip()]
    bad = [a for a in found if not ADDRESS.match(a)]
    if bad:
        raise MailError(_("not an e-mail address: {value}", value=", ".join(bad)))
    if not found:
        raise MailError(_("no address to send to"))
    return found


@dataclass(frozen=True)
class Attachment:
    name: str
    content: bytes
    mime: str                        # e.g. application/pdf


def message(smtp: Smtp, to: list[str], subject: str, body: str, attachments: list[Attachment]) -> EmailMessage:
    out = EmailMessage()
    out["From"], out["To"], out["Subject"] = smtp.sender, ", ".join(to), subject
    out["Date"], out["Message-ID"] = formatdate(localtime=True), make_msgid(domain="pilotage")
    out.set_content(body)
    for a in attachments:
        maintype, subtype = a.mime.split("/", 1)
        out.add_attachment(a.content, maintype=maintype, subtype=subtype, filename=a.name)
    return out


def send(smtp: Smtp, to: list[str], subject: str, body: str, attachments: list[Attachment] = ()) -> None:
    """Send one message; a server that cannot be reached or refuses it raises MailError."""
    if not smtp.host:
        raise MailError(_("no SMTP server: set PILOTAGE_SMTP_HOST (see the README)"))
    mail = message(smtp, to, subject, body, list(attachments))
    try:
        if smtp.security == "ssl":
            server = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout, context=ssl.create_default_context())
        else:
            server = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
        with server:
            if smtp.security == "starttls":
                server.starttls(context=ssl.create_default_context())
            if smtp.user:
                server.login(smtp.user, smtp.password or "")
            server.send_message(mail)
    except (smtplib.SMTPException, OSError) as exc:
        raise MailError(_("the SMTP server {host}:{port} did not take the message ({error})",
                          host=smtp.host, port=smtp.port, error=exc)) from None
