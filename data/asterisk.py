"""Asterisk's queue_log, assembled into one row per call's stay in a queue.

Each line of the log is ``epoch|callid|queue|agent|event|data1|data2|...``. A call's stay
starts with ENTERQUEUE and ends with CONNECT followed by COMPLETEAGENT, COMPLETECALLER or
TRANSFER (answered), or with ABANDON, EXITWITHTIMEOUT, EXITEMPTY or EXITWITHKEY (not
answered). RINGNOANSWER lines count the agents who let it ring. Lines that are not about a
call (agent logins, queue starts: callid NONE) are skipped.

The result is a table of text cells that a profile maps to contacts:
``callid, stay, queue, agent, entered (epoch), caller, end (the closing event), wait, talk,
transferred (1/0), ring_no_answer``; a stay still open when the log ends has an empty end.
"""
from __future__ import annotations

import pandas as pd

from data.reading import LINE, ReadError
from i18n import _

COLUMNS = ["callid", "stay", "queue", "agent", "entered", "caller", "end", "wait", "talk",
           "transferred", "ring_no_answer"]
CLOSING = {  # event -> index of (wait, talk) in its data fields
    "COMPLETEAGENT": (0, 1), "COMPLETECALLER": (0, 1), "TRANSFER": (2, 3),
    "ABANDON": (2, None), "EXITWITHTIMEOUT": (2, None), "EXITEMPTY": (2, None),
    "EXITWITHKEY": (3, None),
}


def assemble(lines: list[str], name: str) -> pd.DataFrame:
    open_stays: dict[str, dict] = {}       # callid -> its stay in progress
    stays: list[dict] = []
    entries: dict[str, int] = {}
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        fields = line.rstrip("\r").split("|")
        if len(fields) < 5 or not fields[0].strip().isdigit():
            raise ReadError(_("{file}, line {line}: not a queue_log line (epoch|callid|queue|agent|event|...)",
                              file=name, line=n))
        epoch, callid, queue, agent, event, data = fields[0], fields[1], fields[2], fields[3], fields[4], fields[5:]
        if callid in ("NONE", ""):
            continue
        if event == "ENTERQUEUE":
            entries[callid] = entries.get(callid, 0) + 1
            stay = {"callid": callid, "stay": str(entries[callid]), "queue": queue, "agent": "",
                    "entered": epoch, "caller": _field(data, 1), "end": "", "wait": "", "talk": "",
                    "transferred": "0", "ring_no_answer": 0, LINE: n}
            open_stays[callid] = stay
            stays.append(stay)
            continue
        stay = open_stays.get(callid)
        if stay is None:        # the log starts in the middle of this call
            continue
        if event == "RINGNOANSWER":
            stay["ring_no_answer"] += 1
        elif event == "CONNECT":
            stay["agent"], stay["wait"], stay["end"] = agent, _field(data, 0), "CONNECT"
        elif event in CLOSING:
            wait_at, talk_at = CLOSING[event]
            stay["end"] = event
            stay["wait"] = _field(data, wait_at) or stay["wait"]
            if talk_at is not None:
                stay["agent"] = agent or stay["agent"]
                stay["talk"] = _field(data, talk_at)
            stay["transferred"] = "1" if event == "TRANSFER" else stay["transferred"]
            del open_stays[callid]
    frame = pd.DataFrame(stays, columns=COLUMNS + [LINE])
    frame["ring_no_answer"] = frame["ring_no_answer"].astype(str)
    return frame


def _field(data: list[str], i: int) -> str:
    return data[i].strip() if i < len(data) else ""
