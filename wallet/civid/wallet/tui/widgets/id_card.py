"""The national ID credential drawn as a card: the front (photo, names, dates) and the back."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from civid.core.errors import CividError
from civid.wallet.domain import HeldCredential, Language, format_national_id
from civid.wallet.thai_dates import format_english, format_thai
from civid.wallet.tui.i18n import both, stacked, t
from civid.wallet.tui.widgets.photo import photo_text
from civid.wallet.tui.widgets.status_badge import badge_text

PHOTO_WIDTH = 14
PHOTO_HEIGHT = 7


def _date_pair(value: Any) -> str:
    """The Buddhist Era date as printed on the card, with the Common Era beside it."""
    if not isinstance(value, str):
        return "-"
    try:
        return f"{format_thai(value)}\n{format_english(value)}"
    except CividError:
        return value


def _name(subject: dict[str, Any], suffix: str) -> str:
    parts = (subject.get(f"{key}{suffix}") for key in ("title", "givenName", "middleName", "familyName"))
    return " ".join(p for p in parts if isinstance(p, str) and p) or "-"


def front(held: HeldCredential) -> RenderableType:
    subject = held.subject
    number = subject.get("nationalIdNumber")
    shown_number = format_national_id(number) if isinstance(number, str) and len(number) == 13 else "-"
    facts = Table.grid(padding=(0, 1))
    facts.add_column(style="bold cyan", no_wrap=True)
    facts.add_column(no_wrap=True)
    facts.add_row(stacked("card.id"), Text(shown_number, style="bold"))
    facts.add_row("ชื่อตัวและชื่อสกุล", _name(subject, "Th"))
    facts.add_row("Name", _name(subject, "En"))
    facts.add_row(stacked("card.birth"), _date_pair(subject.get("birthDate")))
    facts.add_row(stacked("card.issue"), _date_pair(subject.get("cardIssueDate")))
    facts.add_row(stacked("card.expiry"), _date_pair(subject.get("cardExpiryDate")))
    body = Table.grid(padding=(0, 1))
    body.add_column(no_wrap=True)
    body.add_column(width=PHOTO_WIDTH)
    body.add_row(facts, photo_text(subject.get("photo"), PHOTO_WIDTH, PHOTO_HEIGHT))
    return Panel(body, title=both("card.title"), border_style="blue")


def back(held: HeldCredential, language: Language) -> RenderableType:
    subject = held.subject
    facts = Table.grid(padding=(0, 1))
    facts.add_column(style="bold cyan", no_wrap=True)
    facts.add_column()
    facts.add_row(t("card.laser", language), Text(str(subject.get("laserCode", "-")), style="bold"))
    facts.add_row(t("card.issuer", language), held.issuer)
    office = subject.get("cardIssuingOffice")
    if isinstance(office, str):
        facts.add_row("สถานที่ออกบัตร" if language is Language.TH else "Issuing office", office)
    facts.add_row(t("card.status", language), badge_text(held.status, language))
    facts.add_row("ID", Text(held.id, overflow="fold"))
    return Panel(Group(facts), title=both("card.title"), subtitle="back", border_style="blue")


class IdCard(Static):
    """Shows the front or the back of a held credential."""

    def show(self, held: HeldCredential, language: Language, *, show_back: bool) -> None:
        self.update(back(held, language) if show_back else front(held))
