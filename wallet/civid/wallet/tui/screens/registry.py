"""Screen factories by name, imported only when a screen is opened."""

from __future__ import annotations

import importlib
from typing import Final

from textual.screen import Screen

_SCREENS: Final = {
    "card": ("civid.wallet.tui.screens.card", "CardScreen"),
    "enrol": ("civid.wallet.tui.screens.enrol", "EnrolScreen"),
    "my_data": ("civid.wallet.tui.screens.my_data", "MyDataScreen"),
    "present": ("civid.wallet.tui.screens.present", "PresentScreen"),
    "history": ("civid.wallet.tui.screens.history", "HistoryScreen"),
    "backup": ("civid.wallet.tui.screens.backup", "BackupScreen"),
    "settings": ("civid.wallet.tui.screens.settings", "SettingsScreen"),
    "requests": ("civid.wallet.tui.screens.requests", "RequestsScreen"),
    "move": ("civid.wallet.tui.screens.move", "MoveScreen"),
    "copies": ("civid.wallet.tui.screens.copies", "CopiesScreen"),
    "house": ("civid.wallet.tui.screens.house", "HouseScreen"),
    "booking": ("civid.wallet.tui.screens.booking", "BookingScreen"),
}


def make(name: str) -> Screen[None]:
    module_name, class_name = _SCREENS[name]
    screen: Screen[None] = getattr(importlib.import_module(module_name), class_name)()
    return screen
