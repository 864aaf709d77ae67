"""The shell of the evaluation's HTML pages (report.html, `garant-eval compare --out x.html`):
one self-contained file — inline style, images as data URIs, no script, no outside address —
that reads on screen and prints on A4.
"""

from __future__ import annotations

from html import escape

from evaluation.charts import Chart

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1a202c;max-width:62rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
h1{font-size:1.7rem;margin-bottom:.3rem}h2{font-size:1.25rem;border-bottom:2px solid #2b6cb0;padding-bottom:.2rem;margin-top:2.2rem}
h3{font-size:1.02rem;margin-top:1.4rem}
p,li{max-width:54rem}
.summary{background:#ebf4ff;border-left:4px solid #2b6cb0;padding:.2rem 1.2rem .6rem;margin:1.2rem 0}
.summary h2{border:none;margin-top:.8rem}.summary li{margin:.3rem 0}
.table{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.88rem;margin:.6rem 0}th,td{border:1px solid #cbd5e0;padding:.3rem .5rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#edf2f7}
table.identity th{width:16rem;font-weight:600}table.identity td{word-break:break-word}
td.changed{background:#fffaf0;font-weight:600}td.n{white-space:nowrap}
figure{margin:1rem 0 1.6rem}figure img{max-width:100%;height:auto;display:block}
figcaption{color:#4a5568;font-size:.88rem;margin-top:.3rem}
.note{color:#4a5568;font-size:.9rem}
code{font-size:.85rem;background:#f7fafc;padding:0 .2rem;word-break:break-word}
li{margin:.25rem 0}
@media print{body{margin:0;max-width:none;font-size:10pt}h2{page-break-after:avoid}tr,figure,li{page-break-inside:avoid}.summary{background:none}}
"""


def figure(chart: Chart, alt: str, caption: str) -> str:
    """An embedded chart with its caption (the data URI is ours, the texts are escaped)."""
    if not chart.data_uri.startswith("data:image/png;base64,"):
        raise ValueError("only embedded PNG images are allowed in the report")
    return (
        f'<figure><img src="{chart.data_uri}" width="{chart.width}" height="{chart.height}" alt="{escape(alt)}">'
        f"<figcaption>{escape(caption, quote=False)}</figcaption></figure>"
    )


def page(title: str, body: str, footer: str = "") -> str:
    """The whole page around an already-escaped body."""
    return (
        '<!DOCTYPE html>\n<html lang="fr"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title, quote=False)}</title><style>{CSS}</style></head>\n<body>\n{body}\n"
        + (f'<p class="note">{escape(footer, quote=False)}</p>\n' if footer else "")
        + "</body></html>\n"
    )
