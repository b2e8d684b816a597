"""The comments page's parts: the counts of what the comments say, their trend per category,
the split by a dimension and the risk list, as plain functions over ``metrics.comments``."""
from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from comments.analysis import evidence_words
from comments.rules import categories
from components.charts import COLOURS, base_layout, empty_figure, plot_text, title_layout
from components.explore import DIMENSION_LABELS, UNKNOWN
from components.view import View
from i18n import N_, _, current, formats
from i18n.labels import channel_label, survey_label, tone_label
from metrics.comments import RISKS, comment_list, counts, disagrees
from components.state import grain_for

BY = ("channel", "queue", "agent", "client", "team", "reason")     # what the split may be by
EXTREME = N_("Extreme dissatisfaction")
LIST_SIZE = 200
CATEGORY_COLOURS = {"legal_risk": "#c0392b", "churn_risk": "#e67e22", "repeat_contact": "#8e44ad",
                    "wait": "#2980b9", "unresolved": "#7f8c8d", "rudeness": "#d35400", "praise": COLOURS["perceived"]}


def shown_categories() -> list:
    """The categories in the order a reader takes them: the risks first."""
    return sorted(categories(), key=lambda c: (c.id not in RISKS, RISKS.index(c.id) if c.id in RISKS else 0))


def category_label(category_id: str) -> str:
    """A category's name in the current language (from its rule file); ``extreme`` too."""
    if category_id == "extreme":
        return _(EXTREME)
    found = {c.id: c for c in categories()}.get(category_id)
    return found.label(current()) if found else str(category_id)


def chosen_by(extra: dict) -> str:
    return extra.get("by") if extra.get("by") in BY else "channel"


def chosen_category(extra: dict) -> str | None:
    known = [c.id for c in shown_categories()] + ["extreme"]
    return extra.get("category") if extra.get("category") in known else None


def _share(part: int, whole: int) -> str:
    return f"{formats.number(part)} ({formats.percent(100 * part / whole, 1)})" if whole else "–"


def summary_cards(total: dict) -> dbc.Row:
    """How many answers carry a comment, and how many of them show a risk, extreme
    dissatisfaction or a negative tone."""
    n = int(total.get("comments") or 0)
    shown = [(_("Comments"), formats.number(n), None, "comments"),
             (category_label("legal_risk"), _share(int(total.get("legal_risk") or 0), n), "legal_risk", "legal"),
             (category_label("churn_risk"), _share(int(total.get("churn_risk") or 0), n), "churn_risk", "churn"),
             (_(EXTREME), _share(int(total.get("extreme") or 0), n), "extreme", "extreme"),
             (_("Negative tone (indicative)"), _share(int(total.get("negative") or 0), n), None, "negative")]
    return dbc.Row([dbc.Col(dbc.Card(dbc.CardBody([
        html.Div(label, className="kpi-label"),
        html.Div(value, className="kpi-value", id=f"comments-{key}")]), className="kpi-card h-100"), md=True)
        for label, value, _category, key in shown], className="g-2 mb-2")


def trend_figure(view: View, by_time: pd.DataFrame, grain: str) -> dict:
    """Each category's comments per day, week or month of the period."""
    if by_time.empty:
        return empty_figure(_("No comment in this view."))
    traces = [{"type": "scatter", "mode": "lines+markers", "name": plot_text(category_label(c.id)),
               "x": [str(d) for d in by_time["group"]], "y": by_time[c.id].tolist(),
               "line": {"color": CATEGORY_COLOURS.get(c.id, COLOURS["accent"])},
               "hovertemplate": "%{y}<extra>%{fullData.name}</extra>"} for c in shown_categories()]
    title = {"day": _("Comments per category, per day"), "week": _("Comments per category, per week"),
             "month": _("Comments per category, per month")}[grain]
    layout = title_layout(base_layout(340, yaxis={"title": {"text": _("comments")}, "rangemode": "tozero"}), title)
    return {"data": traces, "layout": layout}


def trend(view: View) -> tuple[pd.DataFrame, str]:
    grain = grain_for(view.state.start, view.state.end)
    return counts(view.db, view.scope(survey=None), by=grain), grain


def split_rows(view: View, by: str) -> tuple[list[dict], list[dict]]:
    """The comments per member of a dimension, with each category's count and share."""
    table = counts(view.db, view.scope(survey=None), by=by)
    rows = []
    for r in table.to_dict("records"):
        label = r["group"]
        label = _(UNKNOWN) if label is None else channel_label(label) if by == "channel" else str(label)
        row = {"label": label, "comments": int(r["comments"])}
        for c in [*shown_categories(), None]:
            key = c.id if c else "extreme"
            row[key] = _share(int(r[key]), int(r["comments"]))
            row[f"{key}__n"] = int(r[key])
        rows.append(row)
    columns = [{"field": "label", "headerName": _(DIMENSION_LABELS[by]), "pinned": "left", "minWidth": 160},
               {"field": "comments", "headerName": _("Comments"), "type": "rightAligned", "maxWidth": 120}]
    columns += [{"field": key, "headerName": category_label(key), "type": "rightAligned",
                 "comparator": {"function": f"(a, b, na, nb) => na.data['{key}__n'] - nb.data['{key}__n']"}}
                for key in [*(c.id for c in shown_categories()), "extreme"]]
    return rows, columns


def risk_rows(view: View, category: str | None) -> tuple[list[dict], int]:
    """The comments of the list, legal risk and extreme dissatisfaction first, newest first;
    each with its analysis in words, as plain text (nothing from the data as HTML)."""
    found = comment_list(view.db, view.scope(survey=None), category=category, limit=LIST_SIZE + 1)
    rows = []
    for r in found.head(LIST_SIZE).to_dict("records"):
        scores = [f"NPS {int(r['nps'])}" if pd.notna(r["nps"]) else "",
                  _("satisfaction {value}", value=int(r["csat"])) if pd.notna(r["csat"]) else ""]
        rows.append({
            "key": f"{r['source']}|{r['response_id']}",
            "when": f"{formats.day(r['responded_at'])} {pd.Timestamp(r['responded_at']):%H:%M}",
            "channel": channel_label(r["channel"]) if pd.notna(r["channel"]) else "–",
            "where": (survey_label("cold") if r["survey"] == "cold" else
                      " · ".join(str(v) for v in (r["queue"], r["agent"]) if pd.notna(v) and v) or "–"),
            "tone": tone_label(r["tone"]) + (" · " + _(EXTREME).lower() if r["extreme"] else ""),
            "categories": ", ".join(category_label(c) for c in r["categories"]) or "–",
            "evidence": ", ".join(evidence_words(r["evidence"])) or "–",
            "scores": ", ".join(s for s in scores if s) or "–",
            "disagree": _("text and score disagree") if disagrees(r["tone"], r["nps"], r["csat"]) else "",
            "verbatim": r["verbatim"],
            "risk": "legal" if "legal_risk" in r["categories"] else "extreme" if r["extreme"] else "",
        })
    return rows, len(found)


def risk_columns() -> list[dict]:
    """The list's columns: long texts wrap within rows of a fixed height (``LIST_ROW_HEIGHT``;
    the whole comment is in its detail), so the grid draws only the rows in view without
    measuring each one."""
    return [{"field": "when", "headerName": _("Answered on"), "minWidth": 150, "maxWidth": 160},
            {"field": "channel", "headerName": _("Channel"), "maxWidth": 110},
            {"field": "where", "headerName": _("Queue · agent"), "minWidth": 150, "maxWidth": 200, "wrapText": True},
            {"field": "categories", "headerName": _("Categories"), "minWidth": 160, "wrapText": True},
            {"field": "tone", "headerName": _("Tone (indicative)"), "minWidth": 120, "maxWidth": 170,
             "wrapText": True},
            {"field": "scores", "headerName": _("Scores"), "minWidth": 120, "maxWidth": 170, "wrapText": True},
            {"field": "verbatim", "headerName": _("Comment"), "flex": 3, "minWidth": 260, "wrapText": True,
             "tooltipField": "evidence"}]


LIST_ROW_HEIGHT = 76    # px: three lines of text


def detail(view: View, key: str | None) -> tuple[bool, list]:
    """One comment in full: what the rules found in it and why, its scores, and the way to the
    contact behind it (explore's detail)."""
    if not key or "|" not in key:
        return False, []
    source, response_id = key.split("|", 1)
    found = comment_list(view.db, view.scope(survey=None), only=(source, response_id))
    if found.empty:
        return True, [dbc.Alert(_("This comment is not in the current view."), color="warning")]
    r = found.iloc[0]
    told = [html.P(r["verbatim"], className="comment-text")]
    for c, words in r["evidence"].items():
        told.append(html.Div(_("{field}: {value}", field=category_label(c), value=", ".join(words) or "–"),
                             className="small"))
    told.append(html.Div(_("Tone read from the text (indicative): {tone}", tone=tone_label(r["tone"])),
                         className="small text-muted mt-2"))
    if disagrees(r["tone"], r["nps"], r["csat"]):
        told.append(html.Div(_("The text and the scores disagree: read the comment."), className="small text-warning"))
    if r["contact_id"]:
        told.append(dbc.Button(_("Open the contact"), href=view.state.href(
            "/explore", path=None, page=None, comment=None, category=None,
            contact=f"{r['contact_source']}|{r['contact_id']}"),
            id="comments-open-contact", size="sm", color="primary", className="mt-2"))
    else:
        told.append(html.Div(_("A barometer answer: no contact behind it."), className="small text-muted mt-2"))
    return True, told
