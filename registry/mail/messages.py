"""The words of each e-mail, in the recipient's language: a subject, plain text and HTML,
with a link to the page to act on.

Message ids are Vietnamese (as everywhere in the registry) and translated with
the compiled catalogue of translations/ when the recipient chose English.
"""

from datetime import date
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from html import escape

from registry.core.errors import N_
from registry.core.language import gettext_for
from registry.models import OutboxMessage, utcnow

SIGNATURE = N_("Sổ đăng ký mức độ dịch vụ công — %(department)s")
AUTOMATIC = N_("Thư này do hệ thống gửi tự động; xin đừng trả lời thư này.")


def _day(value: str) -> str:
    return date.fromisoformat(value).strftime("%d/%m/%Y")


def _link(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + path


def compose(message: OutboxMessage, sender: Address, base_url: str, department: str) -> EmailMessage:
    """The e-mail of an outbox row, ready for the SMTP server; ``department`` is the verifying
    department's name in the recipient's language (a setting, REGISTRY_DEPARTMENT[_EN])."""
    _ = gettext_for(message.language)
    p = {**(message.payload or {}), "department": department}
    subject, paragraphs, quote, action, path = WRITERS[message.kind](_, p)
    link = _link(base_url, path)
    email = EmailMessage()
    email["Subject"] = subject
    email["From"] = sender
    email["To"] = message.recipient
    email["Date"] = format_datetime(utcnow())
    email["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}", domain=sender.domain or None)
    email["Auto-Submitted"] = "auto-generated"
    text = "\n\n".join(paragraphs)
    if quote:
        text += "\n\n" + "\n".join("> " + line for line in quote.splitlines())
    signature = _(SIGNATURE) % p
    text += f"\n\n{action}:\n{link}\n\n-- \n{signature}\n{_(AUTOMATIC)}\n"
    email.set_content(text)
    html = "".join(f"<p>{escape(p_)}</p>" for p_ in paragraphs)
    if quote:
        html += ('<blockquote style="border-left:3px solid #999;margin:0;padding-left:1em">'
                 + "<br>".join(escape(line) for line in quote.splitlines()) + "</blockquote>")
    html += f'<p><a href="{escape(link, quote=True)}">{escape(action)}</a></p>'
    html += f'<hr><p style="color:#555;font-size:small">{escape(signature)}<br>{escape(_(AUTOMATIC))}</p>'
    email.add_alternative(f'<!doctype html><html lang="{escape(message.language)}"><head><meta charset="utf-8">'
                          f'<title>{escape(subject)}</title></head><body>{html}</body></html>', subtype="html")
    email["Content-Language"] = message.language  # after the body: set_content clears Content-* headers
    return email


def _reminder(_, p):
    days = p.get("days") or 0
    subject = _("Đôn đốc báo cáo kỳ %(year)s: %(agency)s") % p
    paragraphs = [
        _("Kính gửi cán bộ đầu mối CNTT của %(agency)s,") % p,
        _("Hạn nộp báo cáo mức độ dịch vụ công trực tuyến và ứng dụng CNTT kỳ %(year)s là %(due)s; "
          "đến nay cơ quan chưa gửi báo cáo (quá hạn %(days)s ngày).") % {**p, "due": _day(p["due"]), "days": days},
        _("Đề nghị cơ quan hoàn thành và gửi báo cáo để %(department)s xác minh.") % p,
    ]
    return subject, paragraphs, None, _("Cập nhật báo cáo"), f"/workspace/{p['code']}/{p['year']}"


def _returned(_, p):
    subject = _("Báo cáo kỳ %(year)s của %(agency)s bị trả lại") % p
    paragraphs = [
        _("Kính gửi cán bộ đầu mối CNTT của %(agency)s,") % p,
        _("%(department)s đã trả lại báo cáo kỳ %(year)s của cơ quan kèm ý kiến dưới đây. "
          "Đề nghị cơ quan sửa theo ý kiến (có thể trả lời ngay trên trang báo cáo) rồi gửi lại.") % p,
    ]
    return subject, paragraphs, p.get("comment"), _("Xem ý kiến và sửa báo cáo"), f"/workspace/{p['code']}/{p['year']}"


def _verified(_, p):
    subject = _("Báo cáo kỳ %(year)s của %(agency)s đã được xác minh") % p
    paragraphs = [
        _("Kính gửi cán bộ đầu mối CNTT của %(agency)s,") % p,
        _("%(department)s đã xác minh báo cáo kỳ %(year)s của cơ quan. Xin cảm ơn.") % p,
    ]
    return subject, paragraphs, p.get("comment"), _("Xem báo cáo"), f"/workspace/{p['code']}/{p['year']}"


def _submitted(_, p):
    items = p.get("items") or []
    subject = _("%(count)s báo cáo mới chờ xác minh") % {"count": len(items)}
    paragraphs = [_("Các cơ quan sau đã gửi báo cáo chờ xác minh:")]
    paragraphs += [_("%(agency)s — kỳ %(year)s") % item for item in items]
    return subject, paragraphs, None, _("Mở danh sách chờ xác minh"), "/review/"


def _comment(_, p):
    subject = _("Trao đổi về báo cáo kỳ %(year)s của %(agency)s") % p
    paragraphs = [_("%(by)s đã viết về báo cáo kỳ %(year)s của %(agency)s:") % {**p, "by": p.get("by") or "—"}]
    if p.get("audience") == "auditor":
        return subject, paragraphs, p.get("comment"), _("Xem báo cáo"), f"/review/{p['code']}/{p['year']}"
    return subject, paragraphs, p.get("comment"), _("Xem và trả lời"), f"/workspace/{p['code']}/{p['year']}"


WRITERS = {"reminder": _reminder, "returned": _returned, "verified": _verified, "submitted": _submitted,
           "comment": _comment}
