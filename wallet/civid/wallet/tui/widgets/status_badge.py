"""The credential status badge: valid / suspended / revoked / expired, and when it was last checked."""

from __future__ import annotations

from datetime import timedelta, timezone

from rich.text import Text
from textual.widgets import Static

from civid.wallet.domain import CredentialState, Language, StatusCache
from civid.wallet.tui.i18n import t

THAILAND = timezone(timedelta(hours=7), "ICT")
_STYLES = {
    CredentialState.VALID: "bold white on dark_green",
    CredentialState.SUSPENDED: "bold black on yellow",
    CredentialState.REVOKED: "bold white on red",
    CredentialState.EXPIRED: "bold white on grey37",
    CredentialState.UNKNOWN: "bold white on grey23",
}


def badge_text(status: StatusCache, language: Language) -> Text:
    label = t(f"state.{status.state.value}", language)
    checked = (
        status.checked_at.astimezone(THAILAND).strftime("%Y-%m-%d %H:%M ICT")
        if status.checked_at
        else t("card.never", language)
    )
    text = Text(f" {label.upper()} ", style=_STYLES[status.state])
    text.append(f"  {t('card.checked', language)}: {checked}", style="dim")
    return text


class StatusBadge(Static):
    """Shows one :class:`StatusCache`."""

    def show(self, status: StatusCache, language: Language) -> None:
        self.update(badge_text(status, language))
