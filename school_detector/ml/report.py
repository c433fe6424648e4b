"""``report.html``: one self-contained page a mapper can open: curves, confusion matrix,
metrics and the worst mistakes as image grids. Charts are inline SVG (no plotting library)."""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..core.metrics import pr_curve, roc_curve


def _svg_lines(
    series: Mapping[str, Sequence[tuple[float, float]]],
    title: str,
    xlabel: str,
    ylabel: str,
    xmax: float | None = None,
    ymax: float | None = None,
    diagonal: bool = False,
) -> str:
    w, h, pad = 360, 240, 40
    xs = [x for pts in series.values() for x, _ in pts] or [0.0, 1.0]
    ys = [y for pts in series.values() for _, y in pts] or [0.0, 1.0]
    x1 = xmax if xmax is not None else max(max(xs), 1e-9)
    y1 = ymax if ymax is not None else max(max(ys), 1e-9)

    def px(x: float, y: float) -> str:
        return f"{pad + (w - 2 * pad) * x / x1:.1f},{h - pad - (h - 2 * pad) * y / y1:.1f}"

    colors = ["#d62728", "#1f77b4", "#2ca02c", "#ff7f0e"]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" style="background:#fff">',
        f'<text x="{w / 2}" y="16" text-anchor="middle" font-size="13">{html.escape(title)}</text>',
        f'<line x1="{pad}" y1="{h - pad}" x2="{w - pad}" y2="{h - pad}" stroke="#444"/>',
        f'<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{h - pad}" stroke="#444"/>',
        f'<text x="{w / 2}" y="{h - 8}" text-anchor="middle" font-size="11">{html.escape(xlabel)}</text>',
        f'<text x="12" y="{h / 2}" font-size="11" transform="rotate(-90 12 {h / 2})">{html.escape(ylabel)}</text>',
        f'<text x="{pad}" y="{h - pad + 14}" font-size="10">0</text>',
        f'<text x="{w - pad}" y="{h - pad + 14}" font-size="10" text-anchor="end">{x1:g}</text>',
        f'<text x="{pad - 4}" y="{pad + 4}" font-size="10" text-anchor="end">{y1:.2g}</text>',
    ]
    if diagonal:
        parts.append(
            f'<line x1="{px(0, 0).split(",")[0]}" y1="{px(0, 0).split(",")[1]}" '
            f'x2="{px(x1, y1).split(",")[0]}" y2="{px(x1, y1).split(",")[1]}" stroke="#bbb" '
            'stroke-dasharray="4 3"/>'
        )
    for i, (name, pts) in enumerate(series.items()):
        color = colors[i % len(colors)]
        if pts:
            parts.append(
                f'<polyline fill="none" stroke="{color}" stroke-width="2" '
                f'points="{" ".join(px(x, y) for x, y in pts)}"/>'
            )
        parts.append(
            f'<text x="{w - pad}" y="{pad + 14 * i}" font-size="11" text-anchor="end" '
            f'fill="{color}">{html.escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _grid(files: Sequence[str], scores: Sequence[float], thumb: int = 96) -> str:
    """A PNG contact sheet (base64 <img>) of chips with their scores."""
    if not files:
        return "<p><em>none</em></p>"
    from PIL import Image, ImageDraw

    cols = min(6, len(files))
    rows = (len(files) + cols - 1) // cols
    sheet = Image.new("RGB", (cols * (thumb + 4), rows * (thumb + 18)), "white")
    draw = ImageDraw.Draw(sheet)
    for i, (f, s) in enumerate(zip(files, scores)):
        with Image.open(f) as im:
            im = im.convert("RGB").resize((thumb, thumb))
        x, y = (i % cols) * (thumb + 4), (i // cols) * (thumb + 18)
        sheet.paste(im, (x, y))
        draw.text((x + 2, y + thumb + 2), f"{s:.2f} {Path(f).stem[:14]}", fill="black")
    buf = io.BytesIO()
    sheet.save(buf, format="PNG")
    return f'<img alt="chips" src="data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}"/>'


def _metric_rows(m: dict[str, Any]) -> str:
    return "".join(
        f"<tr><th>{html.escape(k)}</th><td>{v:.3f}</td></tr>"
        if isinstance(v, float)
        else f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>"
        for k, v in m.items()
        if k != "support"
    )


def _warnings(warnings: Sequence[str]) -> str:
    """What the figures can't claim, first thing on the page."""
    if not warnings:
        return ""
    items = "".join(f"<li>{html.escape(w)}</li>" for w in warnings)
    return f'<div class="warn"><b>Read these figures with care:</b><ul>{items}</ul></div>'


def write_report(
    path: Path,
    card: dict[str, Any],
    history: list[dict[str, float]],
    test: dict[str, Any],
    labels: Sequence[int],
    scores: Sequence[float],
    files: Sequence[str],
) -> Path:
    m = test
    threshold = m["threshold"]
    epochs = [(float(h["epoch"]), h) for h in history]
    loss = {
        "train loss": [(e, h["loss"]) for e, h in epochs if "loss" in h],
        "valid loss": [(e, h["val_loss"]) for e, h in epochs if "val_loss" in h],
    }
    acc = {
        "train accuracy": [(e, h["accuracy"]) for e, h in epochs if "accuracy" in h],
        "valid accuracy": [(e, h["val_accuracy"]) for e, h in epochs if "val_accuracy" in h],
    }
    pairs = list(zip(files, labels, scores))
    fps = sorted((p for p in pairs if not p[1] and p[2] >= threshold), key=lambda p: -p[2])[:12]
    fns = sorted((p for p in pairs if p[1] and p[2] < threshold), key=lambda p: p[2])[:12]
    rows = _metric_rows(m)
    held = m.get("support") or {}
    warnings_html = _warnings(card.get("warnings") or [])
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>School detector model report</title>
<style>body{{font-family:sans-serif;margin:24px;color:#222}} td,th{{padding:3px 10px;text-align:left}}
table{{border-collapse:collapse}} .cm td{{border:1px solid #999;text-align:center;width:90px}}
.charts svg{{margin:6px;border:1px solid #eee}} .warn{{background:#fff4e5;border:1px solid #f0a020;padding:4px 14px}}
</style></head><body>
<h1>Model {html.escape(card["name"])} v{card["version"]}</h1>
<p>Backbone <b>{html.escape(card["backbone"])}</b>, input {card["input_size"]} px, zoom {card["zoom"]}
{"supertiles" if card.get("supertile") else "tiles"}; trained in {card.get("training_seconds", 0):.0f} s;
dataset {html.escape(str(card.get("dataset_fingerprint", "")))}.
Threshold <b>{threshold:.3f}</b> (chosen for F2 on the validation split; scores at or above it are candidates).</p>
{warnings_html}
<p>Training {html.escape(card.get("training") or "")}.</p>
<h2>{html.escape(str(m.get("split", "test")).capitalize())} split: {held.get("school", "?")} schools,
{held.get("not-school", "?")} not-schools</h2><table>{rows}</table>
<h3>Confusion matrix at the threshold</h3>
<table class="cm"><tr><td></td><td><b>predicted school</b></td><td><b>predicted not-school</b></td></tr>
<tr><td><b>school</b></td><td>{m["tp"]}</td><td>{m["fn"]}</td></tr>
<tr><td><b>not-school</b></td><td>{m["fp"]}</td><td>{m["tn"]}</td></tr></table>
<h2>Curves</h2><div class="charts">
{_svg_lines(loss, "Loss per epoch", "epoch", "loss")}
{_svg_lines(acc, "Accuracy per epoch", "epoch", "accuracy", ymax=1.0)}
{
        _svg_lines(
            {"ROC": roc_curve(labels, scores)},
            f"ROC (AUC {m['roc_auc']:.3f})",
            "false positive rate",
            "true positive rate",
            1.0,
            1.0,
            diagonal=True,
        )
    }
{
        _svg_lines(
            {"PR": pr_curve(labels, scores)},
            f"Precision-recall (AP {m['pr_auc']:.3f})",
            "recall",
            "precision",
            1.0,
            1.0,
        )
    }
</div>
<h2>Worst false positives (not-school scored as school)</h2>{_grid([p[0] for p in fps], [p[2] for p in fps])}
<h2>Worst false negatives (schools missed)</h2>{_grid([p[0] for p in fns], [p[2] for p in fns])}
</body></html>"""
    path.write_text(page, encoding="utf-8")
    return path
