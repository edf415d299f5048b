"""The SMTP server the registry sends through: ``SMTP_URL`` and ``MAIL_FROM``, and one connection.

``SMTP_URL`` forms:

- ``smtp://host[:port]`` (port 25): STARTTLS whenever the server offers it;
- ``smtp+starttls://host[:port]`` (port 587): STARTTLS required;
- ``smtps://host[:port]`` (port 465): TLS from the first byte;
- ``user:password@`` before the host to sign in (percent-encode ``@``, ``:`` and ``/`` in them);
  credentials are only ever sent over TLS, or to a server on this machine;
- ``?timeout=SECONDS`` (default 30).
"""

import smtplib
import socket
import ssl
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

from registry.core.errors import N_, DomainError, Msg

DEFAULT_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}
LOOPBACK = ("localhost", "127.0.0.1", "::1")


class MailSettingsError(DomainError):
    """SMTP_URL or MAIL_FROM cannot be used: nothing is sent and nothing is lost."""


class DeliveryError(Exception):
    """A message was not delivered. ``whole_run``: the server cannot be used at all now
    (down, refusing the sign-in or the sender), so no message should count it as its failure."""

    def __init__(self, message: str, whole_run: bool, **params):
        self.message = Msg(message, **params)  # a Vietnamese message id, for the command to translate
        super().__init__(self.message)
        self.whole_run = whole_run


@dataclass(frozen=True)
class SmtpSettings:
    scheme: str
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


def parse_smtp_url(url: str | None) -> SmtpSettings:
    """Read SMTP_URL, or say in Vietnamese what is wrong with it."""
    if not url or not url.strip():
        raise MailSettingsError(N_("Chưa đặt SMTP_URL (ví dụ smtp://mail.dienbien.gov.vn:587): chưa gửi được thư; "
                                   "thư vẫn nằm trong hộp thư đi."))
    example = N_("SMTP_URL «%(url)s» không hợp lệ: %(reason)s. Ví dụ: smtp://mail.example.vn:25, "
                 "smtp+starttls://user:mật-khẩu@mail.example.vn:587, smtps://mail.example.vn:465.")
    shown = _hide_password(url.strip())
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise MailSettingsError(example, url=shown, reason=N_("cổng phải là một số từ 1 đến 65535")) from None
    if parts.scheme not in DEFAULT_PORTS:
        raise MailSettingsError(example, url=shown, reason=N_("phải bắt đầu bằng smtp://, smtp+starttls:// hoặc "
                                                              "smtps://"))
    if not parts.hostname:
        raise MailSettingsError(example, url=shown, reason=N_("thiếu tên máy chủ"))
    timeout = 30.0
    query = parse_qs(parts.query)
    if "timeout" in query:
        try:
            timeout = float(query["timeout"][-1])
            if not 0 < timeout <= 600:
                raise ValueError
        except ValueError:
            raise MailSettingsError(example, url=shown, reason=N_("timeout phải là số giây từ 1 đến 600")) from None
    return SmtpSettings(parts.scheme, parts.hostname, port or DEFAULT_PORTS[parts.scheme],
                        unquote(parts.username) if parts.username else None,
                        unquote(parts.password) if parts.password else None, timeout)


def _hide_password(url: str) -> str:
    try:
        parts = urlsplit(url)
        if parts.password:
            return url.replace(":" + parts.password + "@", ":***@", 1)
    except ValueError:
        pass
    return url


def parse_sender(value: str | None) -> Address:
    """MAIL_FROM: ``registry@example.vn`` or ``Sở TT&TT <registry@example.vn>``."""
    from email.headerregistry import HeaderRegistry

    if not value or not value.strip():
        raise MailSettingsError(N_("Chưa đặt MAIL_FROM (địa chỉ gửi thư, ví dụ "
                                   "\"Sở TT&TT Điện Biên <khaosat@dienbien.gov.vn>\")."))
    try:
        header = HeaderRegistry()("From", value.strip())
        addresses = header.addresses
        if len(addresses) != 1 or "@" not in addresses[0].addr_spec or header.defects:
            raise ValueError
        return addresses[0]
    except (ValueError, IndexError, TypeError):
        raise MailSettingsError(N_("MAIL_FROM «%(value)s» không phải một địa chỉ thư hợp lệ."), value=value) from None


class Connection:
    """One SMTP session for a run of the sender: opened, used for each message, closed."""

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> "Connection":
        s = self.settings
        try:
            if s.scheme == "smtps":
                self.smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout,
                                             context=ssl.create_default_context())
            else:
                self.smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            self.smtp.ehlo()
            secure = s.scheme == "smtps"
            if s.scheme == "smtp+starttls" or (s.scheme == "smtp" and self.smtp.has_extn("starttls")):
                if not self.smtp.has_extn("starttls"):
                    raise DeliveryError(N_("máy chủ thư %(where)s không hỗ trợ STARTTLS"), True, where=s.where)
                self.smtp.starttls(context=ssl.create_default_context())
                self.smtp.ehlo()
                secure = True
            if s.username:
                if not secure and s.host not in LOOPBACK:
                    raise DeliveryError(N_("không gửi mật khẩu tới %(where)s khi chưa mã hóa (dùng smtp+starttls:// "
                                           "hoặc smtps://)"), True, where=s.where)
                self.smtp.login(s.username, s.password or "")
        except DeliveryError:
            self._close()
            raise
        except smtplib.SMTPAuthenticationError as exc:
            self._close()
            raise DeliveryError(N_("máy chủ thư %(where)s từ chối đăng nhập: %(reply)s"), True, where=s.where,
                                reply=_reply(exc)) from exc
        except (OSError, smtplib.SMTPException, ssl.SSLError) as exc:
            self._close()
            raise DeliveryError(N_("không kết nối được máy chủ thư %(where)s: %(reply)s"), True, where=s.where,
                                reply=_reply(exc)) from exc
        return self

    def send(self, message: EmailMessage) -> None:
        try:
            refused = self.smtp.send_message(message)
        except smtplib.SMTPSenderRefused as exc:
            raise DeliveryError(N_("máy chủ thư từ chối địa chỉ gửi %(sender)s (MAIL_FROM): %(reply)s"), True,
                                sender=repr(exc.sender), reply=_reply(exc)) from exc
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError(N_("máy chủ thư từ chối người nhận: %(reply)s"), False, reply=_reply(exc)) from exc
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            raise DeliveryError(N_("mất kết nối với máy chủ thư %(where)s: %(reply)s"), True,
                                where=self.settings.where, reply=_reply(exc)) from exc
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(N_("máy chủ thư không nhận thư: %(reply)s"), exc.smtp_code < 500,
                                reply=_reply(exc)) from exc
        except smtplib.SMTPException as exc:
            raise DeliveryError(N_("máy chủ thư không nhận thư: %(reply)s"), False, reply=_reply(exc)) from exc
        if refused:
            raise DeliveryError(N_("máy chủ thư từ chối người nhận: %(reply)s"), False, reply=str(refused))

    def _close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()
            self.smtp = None

    def __exit__(self, *exc) -> None:
        self._close()


def _reply(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"{exc.smtp_code} {text}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{addr}: {code} {msg.decode('utf-8', 'replace') if isinstance(msg, bytes) else msg}"
                         for addr, (code, msg) in exc.recipients.items())
    if isinstance(exc, socket.timeout):
        return "hết thời gian chờ"
    return str(exc) or type(exc).__name__
