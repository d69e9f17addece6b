"""The keyspace map as a terminal table, JSON, Markdown or a self-contained HTML page."""

from __future__ import annotations

import html
import io
import json
import shutil
from collections.abc import Callable
from typing import Any

from redislint.keyspace.map import Place, TemplateRow
from redislint.report.base import printable

FORMATS = ("table", "json", "markdown", "html")


def _ttl_cell(row: TemplateRow) -> str:
    if not row.ttl_places:
        return row.ttl
    return f"{row.ttl} ({', '.join(p.location() for p in row.ttl_places[:3])})"


def _owners(places: list[Place], limit: int | None = None) -> str:
    shown = places if limit is None else places[:limit]
    text = ", ".join(f"{p.location()} {p.command}" for p in shown)
    if limit is not None and len(places) > limit:
        text += f", +{len(places) - limit} more"
    return text


def as_json(rows: list[TemplateRow]) -> str:
    def place(p: Place) -> dict[str, Any]:
        return {
            "path": p.path,
            "line": p.line,
            "column": p.column,
            "command": p.command,
            "function": p.function,
        }

    data = [
        {
            "template": row.template,
            "type": row.type,
            "types": {t: [place(p) for p in ps] for t, ps in sorted(row.types.items())},
            "commands": row.commands,
            "ttl": row.ttl,
            "ttl_set_at": [place(p) for p in row.ttl_places],
            "hash_tag": row.hash_tag or None,
            "uses": [place(p) for p in row.places],
        }
        for row in rows
    ]
    return json.dumps({"version": 1, "templates": data}, indent=2) + "\n"


def _md(text: str) -> str:
    return printable(text).replace("|", "\\|")


def as_markdown(rows: list[TemplateRow]) -> str:
    lines = [
        "| key template | type | commands | TTL | hash tag | used at |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        cells = [
            f"`{_md(row.template)}`",
            _md(row.type),
            ", ".join(row.commands),
            _md(_ttl_cell(row)),
            f"`{_md(row.hash_tag)}`" if row.hash_tag else "",
            _md(_owners(row.places)),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    lines.append(_summary(rows))
    return "\n".join(lines) + "\n"


def _summary(rows: list[TemplateRow]) -> str:
    never = sum(1 for r in rows if r.ttl == "never")
    conflicts = sum(1 for r in rows if len(r.types) > 1)
    text = f"{len(rows)} key template{'s' if len(rows) != 1 else ''}"
    text += f", {never} written without any TTL"
    if conflicts:
        text += f", {conflicts} used as more than one type"
    return text


def as_table(rows: list[TemplateRow], color: bool) -> str:
    from rich.console import Console
    from rich.table import Table

    table = Table(show_lines=False, header_style="bold")
    for column in ("key template", "type", "commands", "TTL", "hash tag", "used at"):
        table.add_column(column, overflow="fold")
    for row in rows:
        ttl = _ttl_cell(row)
        if color and row.ttl == "never":
            ttl = f"[red]{ttl}[/red]"
        kind = row.type if not (color and len(row.types) > 1) else f"[red]{row.type}[/red]"
        table.add_row(
            printable(row.template),
            kind,
            ", ".join(row.commands),
            ttl,
            row.hash_tag,
            _owners(row.places, limit=3),
            style=None,
        )
    out = io.StringIO()
    width = shutil.get_terminal_size((160, 24)).columns if color else 160
    console = Console(file=out, width=width, color_system="standard" if color else None)
    console.print(table, markup=True, highlight=False)
    console.print(_summary(rows), highlight=False)
    return out.getvalue()


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Keyspace map</title>
<style>
body {{ font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1b1f24; }}
h1 {{ font-size: 1.3rem; }}
input {{ font: inherit; padding: .3rem .5rem; width: 24rem; max-width: 100%; }}
table {{ border-collapse: collapse; margin-top: 1rem; width: 100%; }}
th, td {{ border-bottom: 1px solid #d0d7de; padding: .35rem .5rem; text-align: left;
  vertical-align: top; }}
th {{ cursor: pointer; background: #f6f8fa; position: sticky; top: 0; user-select: none; }}
th[aria-sort=ascending]::after {{ content: " \\25B2"; }}
th[aria-sort=descending]::after {{ content: " \\25BC"; }}
code {{ font: 13px ui-monospace, monospace; }}
.never {{ color: #b42318; font-weight: 600; }}
.conflict {{ color: #b42318; font-weight: 600; }}
.uses {{ color: #57606a; font-size: 12px; }}
</style>
</head>
<body>
<h1>Keyspace map</h1>
<p>{summary}</p>
<label>Filter <input id="filter" type="search" placeholder="template, type, command, file"
  autocomplete="off"></label> <span id="shown"></span>
<table id="map">
<thead><tr>{head}</tr></thead>
<tbody>
{body}
</tbody>
</table>
<script>
(function () {{
  var table = document.getElementById("map");
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var box = document.getElementById("filter");
  function apply() {{
    var words = box.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var shown = 0;
    rows.forEach(function (row) {{
      var text = row.textContent.toLowerCase();
      row.hidden = !words.every(function (w) {{ return text.indexOf(w) >= 0; }});
      if (!row.hidden) {{ shown += 1; }}
    }});
    document.getElementById("shown").textContent = shown + " of " + rows.length + " shown";
  }}
  box.addEventListener("input", apply);
  // a link to a filtered map: keyspace.html#filter=never
  var wanted = /^#filter=(.*)$/.exec(location.hash);
  if (wanted) {{ box.value = decodeURIComponent(wanted[1]); }}
  apply();
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {{
    th.addEventListener("click", function () {{
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (other) {{
        other.removeAttribute("aria-sort");
      }});
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      rows.sort(function (a, b) {{
        var x = a.cells[index].textContent, y = b.cells[index].textContent;
        return ascending ? x.localeCompare(y) : y.localeCompare(x);
      }});
      rows.forEach(function (row) {{ body.appendChild(row); }});
    }});
  }});
}})();
</script>
</body>
</html>
"""


def as_html(rows: list[TemplateRow]) -> str:
    """One page, no network resources: a sortable table and a filter box."""
    esc = html.escape
    head = "".join(
        f"<th>{esc(c)}</th>"
        for c in ("key template", "type", "commands", "TTL", "hash tag", "used at")
    )
    body: list[str] = []
    for row in rows:
        ttl_class = ' class="never"' if row.ttl == "never" else ""
        type_class = ' class="conflict"' if len(row.types) > 1 else ""
        uses = "<br>".join(
            f"{esc(p.location())} <code>{esc(p.command)}</code>"
            + (f" in {esc(p.function)}" if p.function else "")
            for p in row.places
        )
        body.append(
            "<tr>"
            f"<td><code>{esc(row.template)}</code></td>"
            f"<td{type_class}>{esc(row.type)}</td>"
            f"<td>{esc(', '.join(row.commands))}</td>"
            f"<td{ttl_class}>{esc(_ttl_cell(row))}</td>"
            f"<td><code>{esc(row.hash_tag)}</code></td>"
            f'<td class="uses">{uses}</td>'
            "</tr>"
        )
    return _PAGE.format(summary=esc(_summary(rows)), head=head, body="\n".join(body))


def renderer(fmt: str, color: bool) -> Callable[[list[TemplateRow]], str]:
    if fmt == "json":
        return as_json
    if fmt == "markdown":
        return as_markdown
    if fmt == "html":
        return as_html
    return lambda rows: as_table(rows, color)
