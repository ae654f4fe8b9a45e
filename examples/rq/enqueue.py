"""Enqueue one job from jobs.py on queue 'default' and print its id: `enqueue.py sleep_for 30`, `enqueue.py add 2 3`."""
import os
import sys

from redis import Redis
from rq import Queue

import jobs

DEFAULT_URL = "redis://127.0.0.1:6379/0"


def main(argv):
    if len(argv) < 2 or not hasattr(jobs, argv[1]):
        print(f"usage: {argv[0]} <job> [int args...]; jobs: add, sleep_for", file=sys.stderr)
        return 2
    args = [int(a) for a in argv[2:]]
    queue = Queue("default", connection=Redis.from_url(os.environ.get("RQ_REDIS_URL") or DEFAULT_URL))
    job = queue.enqueue(getattr(jobs, argv[1]), *args, job_timeout=3600)
    print(job.id)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
