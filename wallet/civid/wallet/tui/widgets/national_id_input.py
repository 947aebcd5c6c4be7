"""The national ID input: formatted x-xxxx-xxxxx-xx-x as it is typed, its check digit validated live."""

from __future__ import annotations

from textual import on
from textual.validation import ValidationResult, Validator
from textual.widgets import Input

from civid.wallet.services import national_id


class NationalIdValidator(Validator):
    def validate(self, value: str) -> ValidationResult:
        digits = national_id.digits_of(value)
        if len(digits) < national_id.LENGTH:
            return self.failure(f"{len(digits)}/13 digits")
        if not national_id.is_valid(digits):
            return self.failure("the check digit does not match")
        return self.success()


class NationalIdInput(Input):
    """An Input that keeps its value grouped as printed on the card."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(
            placeholder="x-xxxx-xxxxx-xx-x",
            max_length=17,
            validators=[NationalIdValidator()],
            validate_on=["changed", "submitted"],
            **kwargs,  # type: ignore[arg-type]
        )

    @on(Input.Changed)
    def _regroup(self, event: Input.Changed) -> None:
        grouped = national_id.format_dashed(event.value)
        if grouped != event.value:
            self.value = grouped
            self.cursor_position = len(grouped)

    @property
    def digits(self) -> str:
        return national_id.digits_of(self.value)
