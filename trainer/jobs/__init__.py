"""Background jobs on Redis with RQ, and the embedded fallback that runs them inline.

Slow or external work (sending mail, rendering documents, daily runs) leaves the web
request as a job. With `REDIS_URL` answering, jobs go to an RQ queue and a worker started
by `flask jobs worker` runs them; where no Redis answers (development, `make run` on a bare
machine) they run inline, in the process that asked, and the app says so once at start.
Production refuses to start without Redis.
"""

from trainer.jobs.queue import (
    enqueue,
    enqueue_after_commit,
    enqueue_in,
    init_app,
    inline_mode,
    run,
)

__all__ = [
    "enqueue",
    "enqueue_after_commit",
    "enqueue_in",
    "init_app",
    "inline_mode",
    "run",
]
