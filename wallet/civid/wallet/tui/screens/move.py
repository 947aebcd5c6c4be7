"""Move house (แจ้งย้ายที่อยู่): ask to move into a house by its code; as a house owner consent to or
refuse a pending request; cancel one's own; collect the re-issued card after the move."""

from __future__ import annotations

from typing import Any, ClassVar, Final

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Header, Input, Label

from civid.wallet.services import eservices_a as es
from civid.wallet.tui.messages import CredentialsChanged
from civid.wallet.tui.screens.eservice_base import Confirm, EServiceScreen, local_time, localized, short_state

COLUMNS: Final = ("role", "state", "house", "applicant", "expires")


class MoveScreen(EServiceScreen):
    PREFIX = "move"
    BINDINGS: ClassVar[list[BindingType]] = [
        ("escape", "app.pop_screen", "Back"),
        ("ctrl+r", "refresh", "Refresh"),
        ("ctrl+y", "consent", "Consent"),
        ("ctrl+n", "refuse", "Refuse"),
        ("ctrl+l", "cancel", "Cancel"),
        ("ctrl+g", "collect", "Collect card"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.moves: dict[str, dict[str, Any]] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="move-form"):
            yield Label(self.label("move.house_prompt"))
            yield Input(placeholder="10050999999", restrict=r"[0-9]*", max_length=11, id="move-house")
            yield from self.status_line()
            yield DataTable(id="moves", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.columns("moves", COLUMNS)
        self.query_one("#move-house").focus()
        self.action_refresh()

    def action_refresh(self) -> None:
        self._refresh()

    @work(exclusive=True)
    async def _refresh(self) -> None:
        try:
            await self._load()
        except Exception as exc:
            self.report(exc)

    async def _load(self) -> None:
        with self.progress("move.loading"):
            moves = await es.list_moves(self.wallet)
        self.moves = {m["addressChangeId"]: m for m in moves}
        self.fill("moves", [(key, self._cells(m)) for key, m in self.moves.items()])
        self.status(self.label("move.count").format(count=len(moves)))

    def _cells(self, move: dict[str, Any]) -> tuple[str, ...]:
        role = short_state(move.get("callerRole", ""), "ADDRESS_CHANGE_ROLE_").lower()
        return (
            self.label(f"move.role.{role}"),
            short_state(move.get("state", ""), "ADDRESS_CHANGE_STATE_"),
            move.get("newAddress", {}).get("houseCode", ""),
            localized(move.get("applicantName"), self.language),
            local_time(move.get("expireTime", "")),
        )

    def state_of(self, change_id: str) -> str:
        """The shown state of a request (for tests and screen readers)."""
        return short_state(self.moves.get(change_id, {}).get("state", ""), "ADDRESS_CHANGE_STATE_")

    @on(Input.Submitted, "#move-house")
    def _submitted(self, event: Input.Submitted) -> None:
        self._request(event.value.strip())

    @work(exclusive=True)
    async def _request(self, house_code: str) -> None:
        try:
            with self.progress("move.requesting"):
                asked = await es.request_move(self.wallet, house_code)
            self.notify(self.label("move.requested").format(house=house_code))
            await self._load()
            table = self.query_one("#moves", DataTable)
            table.move_cursor(row=table.get_row_index(asked["addressChangeId"]))
        except Exception as exc:
            self.report(exc)

    def action_consent(self) -> None:
        self._ask("consent", reason=False)

    def action_refuse(self) -> None:
        self._ask("refuse", reason=True)

    def action_cancel(self) -> None:
        self._ask("cancel", reason=False)

    def _ask(self, step: str, *, reason: bool) -> None:
        """Confirm ``step`` on the highlighted request, then run it."""
        change_id = self.chosen("moves")
        if change_id is None:
            return
        move = self.moves[change_id]
        question = self.label(f"move.confirm.{step}").format(
            applicant=localized(move.get("applicantName"), self.language),
            house=move.get("newAddress", {}).get("houseCode", ""),
        )

        def answered(answer: str | None) -> None:
            if answer is not None:
                self._decide(step, change_id, answer)

        self.app.push_screen(Confirm(question, self.language, reason=reason), answered)

    @work(exclusive=True)
    async def _decide(self, step: str, change_id: str, reason: str) -> None:
        try:
            with self.progress(f"move.doing.{step}"):
                if step == "consent":
                    done = await es.consent_move(self.wallet, change_id)
                elif step == "refuse":
                    done = await es.refuse_move(self.wallet, change_id, reason)
                else:
                    done = await es.cancel_move(self.wallet, change_id)
            self.notify(short_state(done.get("state", ""), "ADDRESS_CHANGE_STATE_"))
            await self._load()
        except Exception as exc:
            self.report(exc)

    def action_collect(self) -> None:
        change_id = self.chosen("moves")
        if change_id is not None:
            self._collect(change_id)

    @work(exclusive=True)
    async def _collect(self, change_id: str) -> None:
        try:
            with self.progress("move.collecting"):
                held = await es.collect_moved_card(self.wallet, change_id)
        except Exception as exc:
            self.report(exc)
        else:
            self.status(self.label("move.collected"))
            self.notify(self.label("move.collected"))
            self.post_message(CredentialsChanged(held.id))
