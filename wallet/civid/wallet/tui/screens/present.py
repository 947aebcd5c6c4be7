"""Present: paste or open a request, then the consent screen (who, why, which claims), then the outcome."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Footer, Header, Input, Label, LoadingIndicator, Static

from civid.wallet.services.present import ConsentRequest, PresentationOutcome, approve, decline, fetch_request
from civid.wallet.tui.i18n import t
from civid.wallet.tui.screens.base import WalletScreen


class PresentScreen(WalletScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        ("escape", "app.pop_screen", "Back"),
        ("ctrl+o", "open_file", "Open request file"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="present-form"):
            yield Label("วางคำขอ · Paste the request (civid-pr:v1:…) or a file path with Ctrl+O, then Enter")
            yield Input(placeholder="civid-pr:v1:pr_…@host:port", id="request")
            yield LoadingIndicator(id="present-busy")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#present-busy").display = False
        self.query_one("#request").focus()

    def action_open_file(self) -> None:
        field = self.query_one("#request", Input)
        try:
            field.value = Path(field.value.strip()).read_text(encoding="utf-8").strip()
        except OSError as exc:
            self.notify(
                f"cannot read {field.value!r}: {exc.strerror}; type the file's path first", severity="error"
            )

    @on(Input.Submitted, "#request")
    def _submitted(self, event: Input.Submitted) -> None:
        self._fetch(event.value)

    @work(exclusive=True)
    async def _fetch(self, text: str) -> None:
        busy = self.query_one("#present-busy")
        busy.display = True
        try:
            consent = await fetch_request(self.wallet, text)
        except Exception as exc:
            self.report(exc)
        else:
            self.app.switch_screen(ConsentScreen(consent))
        finally:
            busy.display = False


class ConsentScreen(WalletScreen):
    """Who asks, why, exactly which claims; Approve and Decline are equally easy."""

    BINDINGS: ClassVar[list[BindingType]] = [
        ("a", "approve", "Approve"),
        ("d", "decline", "Decline"),
        ("escape", "decline", "Decline"),
    ]

    def __init__(self, consent: ConsentRequest) -> None:
        super().__init__()
        self.consent = consent
        self.answered = False

    def compose(self) -> ComposeResult:
        language, consent = self.language, self.consent
        claims = "\n".join(
            f"  • {c.label.pick(language) or c.name}  [dim]({c.name})[/dim]" for c in consent.claims
        )
        yield Header()
        with Vertical(id="consent"):
            yield Static(f"[b]{t('consent.asks', language)}[/b]  {consent.relying_party.pick(language)}")
            yield Static(f"[b]{t('consent.why', language)}[/b]  {consent.purpose.pick(language)}")
            yield Static(f"[b]{t('consent.claims', language)}[/b]\n{claims}", id="consent-claims")
            with Horizontal(id="consent-buttons"):
                yield Button(f"{t('consent.approve', language)} (a)", id="approve", variant="success")
                yield Button(f"{t('consent.decline', language)} (d)", id="decline", variant="error")
            yield Static("", id="outcome")
            yield LoadingIndicator(id="consent-busy")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#consent-busy").display = False

    @on(Button.Pressed, "#approve")
    def action_approve(self) -> None:
        if not self.answered:
            self.answered = True
            self._approve()

    @on(Button.Pressed, "#decline")
    def action_decline(self) -> None:
        if self.answered:
            self.app.pop_screen()
            return
        self.answered = True
        try:
            decline(self.wallet, self.consent)
        except Exception as exc:
            self.report(exc)
        self.notify("ไม่ได้ส่งข้อมูล · Declined: nothing was sent")
        self.app.pop_screen()

    @work(exclusive=True)
    async def _approve(self) -> None:
        busy = self.query_one("#consent-busy")
        busy.display = True
        try:
            outcome = await approve(self.wallet, self.consent)
        except Exception as exc:
            self.report(exc)
            self.query_one("#outcome", Static).update("[red]not sent / failed[/red] — press Escape")
        else:
            self.show_outcome(outcome)
        finally:
            busy.display = False
            self.query_one("#consent-buttons").display = False

    def show_outcome(self, outcome: PresentationOutcome) -> None:
        if outcome.verified:
            text = f"[green b]✔ verified[/]  shared: {', '.join(outcome.released_claims) or '-'}"
        else:
            text = "[red b]✘ rejected[/]  " + "; ".join(
                f"{code}: {message}" for code, message in outcome.errors
            )
            if outcome.hint is not None:
                text += f"\n[yellow]{escape(outcome.hint.pick(self.language))}[/yellow]"
        self.query_one("#outcome", Static).update(text + "\n[dim]Escape: back[/dim]")
