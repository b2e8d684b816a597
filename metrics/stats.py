"""Small statistics shared by the pages."""
from __future__ import annotations

import pandas as pd


def pearson(a: pd.Series, b: pd.Series) -> tuple[float | None, int]:
    """Correlation of two series over the points where both have a value, and that count."""
    both = pd.DataFrame({"a": pd.to_numeric(a, errors="coerce"),
                         "b": pd.to_numeric(b, errors="coerce")}).dropna()
    if len(both) < 3 or both["a"].std() == 0 or both["b"].std() == 0:
        return None, len(both)
    return float(both["a"].corr(both["b"])), len(both)
