"""Requests forged as a browser sends them, for tests that attack the server's callbacks
through its own routes: every callback of ``/_dash-dependencies``, with the values a test
chooses in every input and state."""
from __future__ import annotations

import base64
import io
import json
import shutil
import subprocess

from dash._utils import split_callback_id, stringify_id

# the keys of the pattern-matched controls in the pages: one concrete id each
PATTERN_KEYS = {"filter": ("channel", "client", "queue", "campaign", "team", "agent"),
                "control": ("by", "kpi", "dim", "cols", "dkpi", "pkpi", "sort", "show")}


def dependencies(client) -> list[dict]:
    """The app's server callbacks (the clientside ones never reach the server)."""
    return [cb for cb in client.get("/_dash-dependencies").get_json() if not cb.get("clientside_function")]


def page_callback(client) -> dict:
    """Dash's own callback that lays out the page of a URL."""
    return next(cb for cb in dependencies(client) if any(i["property"] == "pathname" for i in cb["inputs"]))


def is_wildcard(id_text: str) -> bool:
    return id_text.startswith("{") and any(isinstance(v, list) for v in json.loads(id_text).values())


def concrete_ids(id_text: str) -> list:
    """The concrete ids an id stands for in the pages: a wildcard one each of the filter
    bar's and the pages' controls, a pattern's other wildcards made ``"x"``, else the id."""
    if not id_text.startswith("{"):
        return [id_text]
    pattern = json.loads(id_text)
    keys = PATTERN_KEYS.get(pattern.get("role"))
    if keys and isinstance(pattern.get("key"), list):
        return [{**pattern, "key": k} for k in keys]
    return [{k: ("x" if isinstance(v, list) else v) for k, v in pattern.items()}]


def entries(items: list[dict], value) -> list:
    """The inputs (or states) of a request: ``value(component_id, prop)`` for each."""
    out = []
    for item in items:
        prop = item["property"].split("@")[0]
        concrete = [{"id": c, "property": prop, "value": c if prop == "id" else value(c, prop)}
                    for c in concrete_ids(item["id"])]
        out.append(concrete if is_wildcard(item["id"]) else concrete[0])
    return out


def forged(client, cb: dict, value, changed: str | None = None):
    """POST one callback as the browser would, every input and state ``value(id, prop)``;
    ``changed`` names the input that triggered it (default: the first)."""
    split = split_callback_id(cb["output"])
    outputs = []
    for o in split if isinstance(split, list) else [split]:
        ids = concrete_ids(o["id"])
        found = [{"id": i, "property": o["property"].split("@")[0]} for i in ids]
        outputs.append(found if is_wildcard(o["id"]) else found[0])
    inputs = entries(cb["inputs"], value)
    first = inputs[0][0] if isinstance(inputs[0], list) else inputs[0]
    body = {"output": cb["output"], "outputs": outputs if len(outputs) > 1 else outputs[0], "inputs": inputs,
            "state": entries(cb.get("state", []), value),
            "changedPropIds": [changed or f"{stringify_id(first['id'])}.{first['property']}"]}
    return client.post("/_dash-update-component", json=body)


def files(node):
    """The files a response sends: every {content, filename} in it."""
    if isinstance(node, dict):
        if "content" in node and "filename" in node:
            yield node
        for item in node.values():
            yield from files(item)
    elif isinstance(node, list):
        for item in node:
            yield from files(item)


def file_bytes(found: dict) -> bytes:
    return base64.b64decode(found["content"]) if found.get("base64") else str(found["content"]).encode()


def files_text(payload: str) -> list[str]:
    """The text of every file a response sends (CSV, Excel, PDF), decoded."""
    try:
        sent = list(files(json.loads(payload)))
    except ValueError:
        return []
    texts = []
    for found in sent:
        content, name = file_bytes(found), found["filename"]
        if name.endswith(".xlsx"):
            from openpyxl import load_workbook
            book = load_workbook(io.BytesIO(content))
            texts.append(" ".join(str(c.value) for ws in book for row in ws.iter_rows() for c in row if c.value))
        elif name.endswith(".pdf") and shutil.which("pdftotext"):
            texts.append(subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True).stdout.decode())
        else:
            texts.append(content.decode("utf-8", "replace"))
    return texts
