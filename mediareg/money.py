"""Rupiah amounts: whole rupiah, never floats."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def format_rupiah(amount: int | Decimal | None) -> str:
    """Show an amount the Indonesian way: ``Rp 5.000.000.000`` (dot as thousands separator).

    Locale-independent on purpose: the English interface shows rupiah the same way, as the
    budget documents do.
    """
    if amount is None or amount == "":
        return ""
    if isinstance(amount, float):
        raise TypeError("Rupiah amounts must be int or Decimal, not float.")
    whole = int(Decimal(amount).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    sign = "-" if whole < 0 else ""
    return f"{sign}Rp {abs(whole):,}".replace(",", ".")
