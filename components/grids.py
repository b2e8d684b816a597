"""The data grids of every page in one style: as tall as their rows, columns sharing the
screen's width (a header wraps rather than push the table sideways), formulas on hover, the
grid's own messages in the viewer's language."""
from __future__ import annotations

import dash_ag_grid as dag

from components.kpi import help_text
from i18n import _
from metrics.registry import KPIS
from metrics.targets import STATUS
from settings import KpiSettings

FIT = {"flex": 1, "minWidth": 105, "wrapHeaderText": True, "autoHeaderHeight": True}
OPTIONS = {"animateRows": False, "tooltipShowDelay": 300}
# a grid of more rows than this scrolls within a fixed height, the grid drawing only the rows
# in view (as tall as all its rows, it draws every one: a second for a few hundred)
SCROLL_AFTER = 30
SCROLL_HEIGHT = "620px"


def grid(grid_id: str, extra_class: str = "", options: dict | None = None, **props) -> dag.AgGrid:
    """A grid as tall as its rows; ``options`` adds to its grid options, ``props`` to the
    component's. Whatever fills a grid of many rows gives it ``fitted`` options."""
    return dag.AgGrid(id=grid_id, className=f"ag-theme-alpine explore-grid {extra_class}".strip(),
                      style={"height": None}, defaultColDef=FIT,
                      dashGridOptions={"domLayout": "autoHeight", **grid_options(), **(options or {})}, **props)


def fitted(rows: list, options: dict | None = None) -> tuple[dict, dict]:
    """A grid's ``dashGridOptions`` and ``style`` for these rows (set with its rows, they
    replace the layout's): as tall as its rows up to ``SCROLL_AFTER``, else a fixed height it
    scrolls within."""
    scrolls = len(rows) > SCROLL_AFTER
    return ({"domLayout": "normal" if scrolls else "autoHeight", **grid_options(), **(options or {})},
            {"height": SCROLL_HEIGHT} if scrolls else {"height": None})


def grid_options() -> dict:
    """Every grid's options, its own messages read from the catalogue (in the request's
    language)."""
    return {**OPTIONS, "localeText": {"noRowsToShow": _("No rows to show"), "loadingOoo": _("Loading…")}}


def kpi_column(kpi_id: str, settings: KpiSettings, field: str | None = None, title: str | None = None) -> dict:
    """A KPI's column over rows that carry ``<field>__text`` (its text, with the status icon)
    and ``<field>__status``: right-aligned, coloured by status, its formula and settings on
    hover."""
    field = field or kpi_id
    return {"field": field, "headerName": title or KPIS[kpi_id].label(), "type": "rightAligned",
            "headerTooltip": help_text(kpi_id, settings),
            "valueFormatter": {"function": f"params.data['{field}__text']"},
            "tooltipField": f"{field}__text",   # the whole text of a cell too narrow for it
            "cellClassRules": {f"cell-{s}": f"params.data['{field}__status'] == '{s}'" for s in (*STATUS, "few")}}
