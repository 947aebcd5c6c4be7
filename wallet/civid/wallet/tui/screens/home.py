"""Home: the card at a glance and one key per thing the wallet does."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Footer, Header, Label, Static

from civid.core.errors import CividError
from civid.wallet.services.status import main_credential
from civid.wallet.tui.i18n import t
from civid.wallet.tui.screens.base import WalletScreen
from civid.wallet.tui.widgets.status_badge import StatusBadge

MENU = (
    ("c", "card", "บัตร · Card"),
    ("e", "enrol", "ลงทะเบียน · Enrol"),
    ("d", "my_data", "ข้อมูลของฉัน · My data"),
    ("p", "present", "แสดงตัวตน · Present"),
    ("h", "history", "ประวัติ · History"),
    ("b", "backup", "สำรองข้อมูล · Backup"),
    ("s", "settings", "ตั้งค่า · Settings"),
    ("r", "requests", "คำขอ · Requests"),
    ("m", "move", "ย้ายที่อยู่ · Move house"),
    ("o", "copies", "คัดสำเนา · Certified copies"),
    ("n", "house", "ขอเลขที่บ้าน · House number"),
    ("a", "booking", "นัดหมาย · Appointments"),
)


FOOTER_KEYS = frozenset({"c", "e", "d", "p"})


class HomeScreen(WalletScreen):
    # Every key is listed in the menu on screen; the footer repeats the most used ones so it fits 80 columns.
    BINDINGS: ClassVar[list[BindingType]] = [
        *(
            Binding(key, f"open('{name}')", label.split(" · ")[-1], show=key in FOOTER_KEYS)
            for key, name, label in MENU
        ),
        ("q", "app.quit", "Quit"),
        Binding("escape", "stay", show=False),  # home is the bottom screen: nothing to go back to
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="home"):
            yield Label("", id="home-holder")
            yield StatusBadge(id="home-badge")
            yield Static("\n".join(f"  [b]{key}[/b]  {label}" for key, _, label in MENU), id="home-menu")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_summary()

    def on_screen_resume(self) -> None:
        self.refresh_summary()

    def refresh_summary(self) -> None:
        holder = self.query_one("#home-holder", Label)
        badge = self.query_one("#home-badge", StatusBadge)
        try:
            held = main_credential(self.wallet)
        except CividError:
            holder.update(t("card.none", self.language))
            badge.display = False
            return
        subject = held.subject
        holder.update(f"{subject.get('givenNameTh', '')} {subject.get('familyNameTh', '')}".strip())
        badge.display = True
        badge.show(held.status, self.language)

    def action_stay(self) -> None:
        """Escape on the home screen does nothing (popping it would leave a blank screen)."""

    def action_open(self, name: str) -> None:
        from civid.wallet.tui.screens import registry

        self.app.push_screen(registry.make(name))
