"""A letter as an RFC 5322 message: text and HTML alternatives and the headers mail clients read."""

from email import policy
from email.message import EmailMessage
from email.utils import formataddr, formatdate, parseaddr

from buurtnet.mail.letters import Letter

# Folding a long header (the unsubscribe URL) would turn it into RFC 2047 encoded words, which
# mail clients do not read as a URL: allow lines up to SMTP's own limit instead.
MAIL_POLICY = policy.SMTP.clone(max_line_length=998)


def build_message(letter: Letter, *, sender: str, instance_name: str) -> EmailMessage:
    """`sender` is `BUURTNET_MAIL_FROM`; a bare address gets the instance's name to show."""
    name, address = parseaddr(sender)
    message = EmailMessage(policy=MAIL_POLICY)
    message["From"] = formataddr((name or instance_name, address))
    message["To"] = letter.to
    message["Subject"] = letter.subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = letter.message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies to us
    if letter.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{letter.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(letter.text, cte="quoted-printable")
    message.add_alternative(letter.html, subtype="html", cte="quoted-printable")
    return message
