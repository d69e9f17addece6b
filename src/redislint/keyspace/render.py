"""The keyspace map as a terminal table, JSON, Markdown or a self-contained HTML page."""

from __future__ import annotations

import html
import io
import json
import shutil
from typing import Any

from redislint.keyspace.server import Joined, human, human_bytes
from redislint.report.base import printable
from redislint.semantic.keyspace import Place, TemplateRow

_SERVER_COLUMNS = ("keys (est.)", "no TTL", "memory (est.)", "server type")


def _server_cells(row: TemplateRow, joined: Joined | None) -> list[str]:
    if joined is None:
        return []
    found = joined.figures.get(row.template)
    if found is None:
        return ["0", "", "", ""]
    kinds = ", ".join(sorted(found.types))
    if row.template in joined.mismatches:
        kinds += " (the code: " + row.type + ")"
    return [
        human(found.estimate),
        f"{found.share_without_ttl():.0%}",
        human_bytes(found.estimated_memory()),
        kinds,
    ]


def _server_summary(joined: Joined | None) -> list[str]:
    if joined is None:
        return []
    found = joined.sample
    lines = [
        f"Server ({found.server}): {human(found.total)} keys, {len(found.keys)} sampled "
        f"({found.stopped})."
    ]
    if joined.orphans:
        lines.append(
            "Keys that match no template of the code: "
            + ", ".join(f"{prefix} ~{human(count)}" for prefix, count in joined.orphans)
        )
    return lines


FORMATS = ("table", "json", "markdown", "html")
_COLUMNS = ("key template", "type", "commands", "TTL", "hash tag", "multi-key", "used at")


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


def as_json(rows: list[TemplateRow], joined: Joined | None = None) -> str:
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
            "multi_key_slots": row.slots or None,
            "uses": [place(p) for p in row.places],
            **({"server": _server_json(row, joined)} if joined is not None else {}),
        }
        for row in rows
    ]
    document: dict[str, Any] = {"version": 1, "templates": data}
    if joined is not None:
        document["server"] = {
            "server": joined.sample.server,
            "keys": joined.sample.total,
            "sampled": len(joined.sample.keys),
            "stopped": joined.sample.stopped,
            "orphans": [{"prefix": p, "estimated_keys": n} for p, n in joined.orphans],
        }
    return json.dumps(document, indent=2) + "\n"


def _server_json(row: TemplateRow, joined: Joined) -> dict[str, Any]:
    found = joined.figures.get(row.template)
    if found is None:
        return {"estimated_keys": 0}
    return {
        "estimated_keys": found.estimate,
        "sampled": found.sampled,
        "share_without_ttl": round(found.share_without_ttl(), 4),
        "estimated_memory_bytes": found.estimated_memory(),
        "types": dict(sorted(found.types.items())),
        "type_mismatch": joined.mismatches.get(row.template, []),
    }


def _md(text: str) -> str:
    return printable(text).replace("|", "\\|")


def as_markdown(rows: list[TemplateRow], joined: Joined | None = None) -> str:
    columns = [*_COLUMNS, *(_SERVER_COLUMNS if joined is not None else ())]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        cells = [
            f"`{_md(row.template)}`",
            _md(row.type),
            ", ".join(row.commands),
            _md(_ttl_cell(row)),
            f"`{_md(row.hash_tag)}`" if row.hash_tag else "",
            row.slots,
            _md(_owners(row.places)),
            *(_md(c) for c in _server_cells(row, joined)),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    lines.append(_summary(rows))
    for line in _server_summary(joined):
        lines.extend(["", line])
    return "\n".join(lines) + "\n"


def _summary(rows: list[TemplateRow]) -> str:
    never = sum(1 for r in rows if r.ttl == "never")
    conflicts = sum(1 for r in rows if len(r.types) > 1)
    text = f"{len(rows)} key template{'s' if len(rows) != 1 else ''}"
    text += f", {never} written without any TTL"
    if conflicts:
        text += f", {conflicts} used as more than one type"
    return text


def as_table(rows: list[TemplateRow], color: bool, joined: Joined | None = None) -> str:
    from rich.console import Console
    from rich.table import Table

    table = Table(show_lines=False, header_style="bold")
    for column in (*_COLUMNS, *(_SERVER_COLUMNS if joined is not None else ())):
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
            row.slots,
            _owners(row.places, limit=3),
            *_server_cells(row, joined),
        )
    out = io.StringIO()
    width = shutil.get_terminal_size((160, 24)).columns if color else 160
    console = Console(file=out, width=width, color_system="standard" if color else None)
    console.print(table, markup=True, highlight=False)
    console.print(_summary(rows), highlight=False)
    for line in _server_summary(joined):
        console.print(line, highlight=False, markup=False)
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


def as_html(rows: list[TemplateRow], joined: Joined | None = None) -> str:
    """One page, no network resources: a sortable table and a filter box."""
    esc = html.escape
    columns = (*_COLUMNS, *(_SERVER_COLUMNS if joined is not None else ()))
    head = "".join(f"<th>{esc(c)}</th>" for c in columns)
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
            f"<td>{esc(row.slots)}</td>"
            f'<td class="uses">{uses}</td>'
            + "".join(f"<td>{esc(c)}</td>" for c in _server_cells(row, joined))
            + "</tr>"
        )
    summary = " ".join([_summary(rows) + ".", *_server_summary(joined)])
    return _PAGE.format(summary=esc(summary), head=head, body="\n".join(body))


def render(fmt: str, rows: list[TemplateRow], color: bool, joined: Joined | None = None) -> str:
    """The map in ``fmt`` (one of ``FORMATS``), with the server's figures when sampled."""
    if fmt == "json":
        return as_json(rows, joined)
    if fmt == "markdown":
        return as_markdown(rows, joined)
    if fmt == "html":
        return as_html(rows, joined)
    return as_table(rows, color, joined)
