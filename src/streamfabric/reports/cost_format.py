"""Plain-text formatting of a :class:`~.cost_estimate.CostReport`."""

from __future__ import annotations

from .cost_estimate import CostReport, LineItem, num


def _money(value: float, currency: str = "USD") -> str:
    sign = "-" if value < -0.005 else ""
    symbol = "$" if currency == "USD" else f"{currency} "
    return f"{sign}{symbol}{abs(value):,.2f}"


def _unit_price(value: float) -> str:
    """0.08 -> '$0.08', 0.0225 -> '$0.0225', 0.4 -> '$0.40', 0 -> '$0'."""
    if not value:
        return "$0"
    text = f"{value:.6f}".rstrip("0")
    whole, _, frac = text.partition(".")
    return f"${whole}.{frac.ljust(2, '0')}"


def _qty(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def format_table(report: CostReport) -> str:
    """The report as plain text: the design's line items, then each alternative against it."""
    cur = report.prices.currency
    lines = [
        f"{report.topology}: estimated monthly running cost "
        f"({num(report.hours)} h of flows a month, {num(report.bitrate_mbps)} Mbps per stream)",
        f"prices: {'AWS Price List API' if report.prices.live else 'shipped table'}, "
        f"{report.prices.region}, as of {report.prices.as_of}",
        "",
    ]
    label_w = (
        max(len(i.label) for i in (*report.items, *(a for x in report.alternatives for a in x.added))) + 2
    )
    title = "design: VPC peering, public addresses"
    header = f"{title:<{label_w}}{'quantity':>22}  {'unit price':>11}  {'per month':>10}"
    lines += [header, "-" * len(header)]

    def row(item: LineItem, prefix: str = "") -> list[str]:
        unit = item.unit if item.unit == "GB" else f"{item.unit}s"
        qty = f"{_qty(item.quantity)} {unit}"
        unverified = report.prices[item.price_key].basis == "unverified"
        unit_price = _unit_price(item.unit_price) + ("~" if unverified else " ")
        flag = " *" if item.always_on else ""
        money = _money(item.monthly, cur)
        text = [f"{prefix + item.label:<{label_w}}{qty:>22}  {unit_price:>11}  {money:>10}{flag}"]
        detail = f"    {item.basis}" + (f"; {item.note}" if item.note else "")
        text.append(detail)
        return text

    for item in report.items:
        lines += row(item)
    lines += [
        "-" * len(header),
        f"{'total':<{label_w + 37}}{_money(report.total, cur):>10}",
        f"{'  of which always on (*), billed with no event running':<{label_w + 37}}"
        f"{_money(report.always_on, cur):>10}",
        "  ~ unverified price: check it, or run with --live-prices (see the price notes below)"
        if any(report.prices[i.price_key].basis == "unverified" for i in report.items)
        else "",
        "",
        "alternatives the design rejected:",
    ]
    for alt in report.alternatives:
        pct = f" ({alt.extra / report.total:+.0%})" if report.total else ""
        lines += [
            "",
            f"{alt.title}: {_money(alt.total, cur)} a month, {_money(alt.extra, cur)} more than the design"
            f"{pct}; always on {_money(alt.always_on, cur)}",
            f"  ({alt.why_rejected})",
        ]
        if alt.combines:
            titles = " and ".join(report.alternative(k).title for k in alt.combines)
            lines.append(f"  = the changes of {titles}, together")
            continue
        for key in alt.replaces:
            replaced = report.item(key)
            lines.append(f"  - {replaced.label} ({_money(replaced.monthly, cur)})")
        for item in alt.added:
            lines += row(item, "  + ")
    lines += ["", "assumptions:"] + [f"  - {a}" for a in report.assumptions]
    lines += ["", f"price source: {report.prices.source}"] + [f"  - {n}" for n in report.prices.notes]
    return "\n".join(lines) + "\n"
