"""The data grids of every page in one style: as tall as their rows, columns sharing the
screen's width (a header wraps rather than push the table sideways), formulas on hover."""
from __future__ import annotations

import dash_ag_grid as dag

from components.kpi import help_text
from metrics.registry import KPIS
from metrics.targets import STATUS
from settings import KpiSettings

FIT = {"flex": 1, "minWidth": 105, "wrapHeaderText": True, "autoHeaderHeight": True}


def grid(grid_id: str, extra_class: str = "", options: dict | None = None, **props) -> dag.AgGrid:
    """A grid; ``options`` adds to its grid options, ``props`` to the component's."""
    return dag.AgGrid(id=grid_id, className=f"ag-theme-alpine explore-grid {extra_class}".strip(),
                      style={"height": None}, defaultColDef=FIT,
                      dashGridOptions={"domLayout": "autoHeight", "animateRows": False, "tooltipShowDelay": 300,
                                       **(options or {})}, **props)


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
