"""Loads started from the app run in the background, one at a time, in the app's own process.

Why not a separate worker process (Dash's background callbacks with diskcache or Celery):
DuckDB lets one process open a database file for writing, and the app already has it open.
In the same process, readers keep reading the last committed data while a load writes (each
query sees a snapshot), so the dashboard stays usable; loads wait for each other, the
database taking one writer at a time.

A job's steps are told in the language of the one who starts it: ``start`` makes its first
two in the caller's language, and the work makes the others (``components.imports`` runs it
in the requester's language: a thread has no request of its own).
"""
from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from typing import Any, Callable

from i18n import _


@dataclass
class Job:
    id: str
    total: int                      # steps expected
    done: int = 0
    step: str = ""                  # the step under way, as the page shows it
    state: str = "queued"           # queued | running | done | failed
    result: Any = None
    error: Exception | None = None

    @property
    def progress(self) -> float:
        return 1.0 if self.state in ("done", "failed") else min(self.done / max(self.total, 1), 0.99)


class Jobs:
    def __init__(self, keep: int = 50):
        self._jobs: dict[str, Job] = {}
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._one_at_a_time = threading.Lock()   # the database takes one writer at a time
        self._keep = keep

    def start(self, work: Callable[[Callable[[str], None]], Any], total: int) -> Job:
        """Run ``work(on_step)`` in the background; ``on_step(message)`` advances the job."""
        job = Job(uuid.uuid4().hex, total, step=_("waiting for the previous load to finish"))
        starting = _("starting")

        def on_step(message: str) -> None:
            job.done += 1
            job.step = message

        def run() -> None:
            with self._one_at_a_time:
                job.state, job.step = "running", starting
                try:
                    job.result = work(on_step)
                    job.state = "done"
                except Exception as exc:  # the page shows it; nothing is lost (loads are all or nothing)
                    job.error, job.state = exc, "failed"

        thread = threading.Thread(target=run, name=f"pilotage-load-{job.id[:8]}")
        with self._lock:
            self._jobs[job.id] = job
            for old in list(self._jobs)[:-self._keep]:
                if self._jobs[old].state in ("done", "failed"):
                    del self._jobs[old]
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()
        return job

    def exclusive(self):
        """The lane loads take one at a time (the database takes one writer at a time), for
        work that runs in a thread of its own, such as the inbox's."""
        return self._one_at_a_time

    def wait(self) -> None:
        """Until every job started so far has ended (for tests)."""
        for thread in list(self._threads):
            thread.join()

    def get(self, job_id: str | None) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id or "")


JOBS = Jobs()
