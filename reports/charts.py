"""Charts as SVG, drawn on the server: for the figures page and the leadership report.

Plain SVG written here rather than a charting library (pygal was the candidate):
the charts are a few bars, and writing them out keeps them free of JavaScript
and of anything fetched from elsewhere (pygal's default output loads its
tooltip script from a CDN), lets the same markup print through WeasyPrint's
SVG renderer with the report's embedded fonts, and adds no dependency. Each
chart has a `viewBox` and no fixed size, so it scales to the width of a phone;
its numbers are in the table beside it, and every bar carries a `<title>`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

# One colour per series, told apart by the legend's words too (never colour alone).
COLOURS = ["#2f6db5", "#d9822b", "#3c8d5a", "#8e5aa8", "#b8433f", "#6b7785"]
SCREEN_FONT = (
    'system-ui, -apple-system, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", '
    '"Noto Sans CJK SC", sans-serif'
)
PRINT_FONT = '"Noto Serif CJK SC GB2312", "Noto Serif CJK SC", serif'


@dataclass
class Series:
    label: str
    values: list


def _nice_max(value) -> Decimal:
    """A round top for the axis: 1, 2 or 5 times a power of ten, at least `value`."""
    value = Decimal(value)
    if value <= 0:
        return Decimal(1)
    step = Decimal(1)
    while step * 10 <= value:
        step *= 10
    while step > value:
        step /= 10
    for factor in (1, 2, 5, 10):
        if step * factor >= value:
            return step * factor
    return step * 10  # pragma: no cover


def _number(value, money: bool) -> str:
    """A short label: whole yuan, large amounts in 万 (Chinese) or k (English)."""
    if money:
        value = Decimal(value)
        if value >= 10000:
            if (get_language() or "").startswith("zh"):
                return f"{value / 10000:,.1f}".removesuffix(".0") + "万"
            return f"{value / 1000:,.0f}k"
        return f"{value:,.0f}"
    return f"{int(value):,}"


def _svg(width: int, height: int, title: str, body: list[str], font: str) -> SafeString:
    return mark_safe(  # nosec B308 B703: every text below went through escape()
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}" class="chart" '
        f'font-family="{escape(font)}">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def bar_chart(
    title: str,
    labels: list[str],
    series: list[Series],
    *,
    money: bool = False,
    font: str = SCREEN_FONT,
) -> SafeString:
    """Stacked columns, one per label (a month), one colour per series, with a legend."""
    width, height = 640, 300
    left, right, top, bottom = 64, 12, 36, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum((s.values[i] for s in series), 0) for i in range(len(labels))]
    top_value = _nice_max(max(totals, default=0))
    if not money and top_value % 4:
        top_value = (top_value // 4 + 1) * 4  # whole numbers on every gridline
    body = []
    # The legend, on one line above the plot.
    x = left
    for n, s in enumerate(series):
        colour = COLOURS[n % len(COLOURS)]
        body.append(f'<rect x="{x}" y="8" width="12" height="12" fill="{colour}"/>')
        body.append(f'<text x="{x + 16}" y="19" font-size="16">{escape(s.label)}</text>')
        x += 30 + 16 * len(s.label)
    # Gridlines and their values.
    for step in range(5):
        value = top_value * step / 4
        y = top + plot_h - plot_h * step / 4
        body.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#d0d4d9" stroke-width="1"/>'
        )
        body.append(
            f'<text x="{left - 6}" y="{y + 5:.1f}" font-size="15" text-anchor="end" '
            f'fill="#444">{_number(value, money)}</text>'
        )
    slot = plot_w / max(len(labels), 1)
    bar = max(min(slot * 0.7, 48), 2)
    # At most about eight month labels, so that they never overlap.
    every = max(2, round(len(labels) / 8 + 0.49))
    for i, label in enumerate(labels):
        x = left + slot * i + (slot - bar) / 2
        y = top + plot_h
        for n, s in enumerate(series):
            value = s.values[i]
            if not value:
                continue
            h = plot_h * Decimal(value) / top_value
            y -= float(h)
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{float(h):.1f}" '
                f'fill="{COLOURS[n % len(COLOURS)]}"><title>{escape(label)} · '
                f"{escape(s.label)}: {_number(value, money)}</title></rect>"
            )
        if i % every == 0:
            body.append(
                f'<text x="{x + bar / 2:.1f}" y="{height - bottom + 20}" font-size="15" '
                f'text-anchor="middle" fill="#444">{escape(label)}</text>'
            )
    body.append(
        f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" '
        f'stroke="#666" stroke-width="1"/>'
    )
    return _svg(width, height, title, body, font)


def hbar_chart(
    title: str,
    rows: list[tuple[str, object]],
    *,
    money: bool = False,
    font: str = SCREEN_FONT,
) -> SafeString:
    """One horizontal bar per row (an office, an occupation group, a station)."""
    width = 640
    label_w, right, row_h, top = 230, 96, 34, 8
    height = top * 2 + row_h * max(len(rows), 1)
    top_value = _nice_max(max((v for _label, v in rows), default=0))
    body = []
    for i, (label, value) in enumerate(rows):
        y = top + row_h * i
        text = label if len(label) <= 13 else label[:12] + "…"
        body.append(
            f'<text x="{label_w - 8}" y="{y + 22}" font-size="16" text-anchor="end">'
            f"{escape(text)}</text>"
        )
        w = (width - label_w - right) * Decimal(value) / top_value if value else 0
        body.append(
            f'<rect x="{label_w}" y="{y + 5}" width="{float(w):.1f}" height="{row_h - 10}" '
            f'fill="{COLOURS[0]}"><title>{escape(label)}: {_number(value, money)}</title></rect>'
        )
        body.append(
            f'<text x="{label_w + float(w) + 6:.1f}" y="{y + 22}" font-size="16" '
            f'fill="#222">{_number(value, money)}</text>'
        )
    return _svg(width, height, title, body, font)
