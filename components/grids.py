"""The data grids of every page in one style: as tall as their rows, columns sharing the
screen's width (a header wraps rather than push the table sideways), formulas on hover."""
from __future__ import annotations

import dash_ag_grid as dag

FIT = {"flex": 1, "minWidth": 90, "wrapHeaderText": True, "autoHeaderHeight": True}


def grid(grid_id: str, extra_class: str = "", options: dict | None = None, **props) -> dag.AgGrid:
    """A grid; ``options`` adds to its grid options, ``props`` to the component's."""
    return dag.AgGrid(id=grid_id, className=f"ag-theme-alpine explore-grid {extra_class}".strip(),
                      style={"height": None}, defaultColDef=FIT,
                      dashGridOptions={"domLayout": "autoHeight", "animateRows": False, "tooltipShowDelay": 300,
                                       **(options or {})}, **props)
