"""Plotly figures in one house style."""
from __future__ import annotations

import plotly.graph_objects as go

COLOURS = {"delivered": "#2c3e50", "perceived": "#18bc9c", "accent": "#3498db",
           "muted": "#95a5a6", "target": "#e74c3c"}
FONT = dict(family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", size=12)


def base_figure(height: int = 320, **layout) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(template="plotly_white", height=height, font=FONT,
                      margin=dict(l=50, r=50, t=40, b=40), hovermode="x unified",
                      legend=dict(orientation="h", y=1.12, x=0), **layout)
    return fig


def sparkline(x, y, colour: str) -> go.Figure:
    fig = go.Figure(go.Scatter(x=list(x), y=list(y), mode="lines", line=dict(color=colour, width=1.5),
                               connectgaps=False, hoverinfo="skip"))
    fig.update_layout(height=40, margin=dict(l=0, r=0, t=2, b=2), template="plotly_white",
                      xaxis=dict(visible=False), yaxis=dict(visible=False), showlegend=False,
                      paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)")
    return fig


def empty_figure(message: str, height: int = 320) -> go.Figure:
    fig = base_figure(height)
    fig.add_annotation(text=message, showarrow=False, font=dict(size=14, color=COLOURS["muted"]),
                       xref="paper", yref="paper", x=0.5, y=0.5)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig
