"""Backup (an encrypted file under the PIN or a passphrase) and restore into a new store."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Label, LoadingIndicator

from civid.wallet.services.lifecycle import restore_wallet
from civid.wallet.services.records import backup_wallet
from civid.wallet.tui.messages import WalletUnlocked
from civid.wallet.tui.screens.base import WalletScreen, report


class BackupScreen(WalletScreen):
    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="backup-form"):
            yield Label("ไฟล์สำรอง · Backup file")
            yield Input(str(Path.cwd() / "wallet-backup.civid"), id="backup-path")
            yield Label("รหัสผ่าน (PIN หรือ 10 ตัวอักษรขึ้นไป) · Passphrase (your PIN or 10+ characters), Enter")
            yield Input(password=True, id="backup-passphrase")
            yield LoadingIndicator(id="backup-busy")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#backup-busy").display = False
        self.query_one("#backup-passphrase").focus()

    @on(Input.Submitted, "#backup-passphrase")
    def _submitted(self) -> None:
        self._backup(
            Path(self.query_one("#backup-path", Input).value.strip()),
            self.query_one("#backup-passphrase", Input).value,
        )

    @work(exclusive=True)
    async def _backup(self, path: Path, passphrase: str) -> None:
        busy = self.query_one("#backup-busy")
        busy.display = True
        try:
            await asyncio.to_thread(backup_wallet, self.wallet, path, passphrase)
        except Exception as exc:
            self.report(exc)
        else:
            self.notify(f"สำรองแล้ว · Backup written to {path}")
            self.app.pop_screen()
        finally:
            busy.display = False


class RestoreScreen(Screen[None]):
    """Restore a backup into this (empty) store directory, under a new PIN."""

    BINDINGS: ClassVar[list[BindingType]] = [("escape", "app.pop_screen", "Back")]

    def __init__(self, store_dir: Path) -> None:
        super().__init__()
        self.store_dir = store_dir

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="restore-form"):
            yield Label("ไฟล์สำรอง · Backup file")
            yield Input(placeholder="/path/to/wallet-backup.civid", id="restore-path")
            yield Label("รหัสผ่านของไฟล์สำรอง · The backup's passphrase (or PIN)")
            yield Input(password=True, id="restore-passphrase")
            yield Label("PIN ใหม่ 6 หลัก · A new 6-digit PIN, then Enter")
            yield Input(password=True, max_length=6, restrict=r"[0-9]*", id="restore-pin")
            yield LoadingIndicator(id="restore-busy")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#restore-busy").display = False
        self.query_one("#restore-path").focus()

    @on(Input.Submitted, "#restore-pin")
    def _submitted(self) -> None:
        self._restore(
            Path(self.query_one("#restore-path", Input).value.strip()),
            self.query_one("#restore-passphrase", Input).value,
            self.query_one("#restore-pin", Input).value,
        )

    @work(exclusive=True)
    async def _restore(self, path: Path, passphrase: str, pin: str) -> None:
        busy = self.query_one("#restore-busy")
        busy.display = True
        try:
            wallet = await asyncio.to_thread(restore_wallet, path, passphrase, self.store_dir, pin)
        except Exception as exc:
            report(self, exc)
        else:
            self.notify("กู้คืนแล้ว · Wallet restored")
            self.post_message(WalletUnlocked(wallet))
        finally:
            busy.display = False
