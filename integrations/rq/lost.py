#!/usr/bin/python3
"""A dead RQ worker's registration goes and its jobs leave StartedJobRegistry: the launcher's onWorkerExit for RQ.

The launcher runs it after any worker ends (LAUNCHER_EXIT_REASON crashed, hung, stopped, stray-killed) and, at
start, once for each registration the census lists that is of its own naming but no live worker of its own
(LAUNCHER_EXIT_REASON=lost: the launcher or its container was SIGKILLed, so nobody saw the worker die). Without
it RQ refuses a new worker of the same name until the registration expires ("There exists an active worker named
... already") and leaves the worker's job "started" until its entry expires and a maintenance pass comes by.
It:
1. finds the jobs the dead worker was running: the current_job of its hash rq:worker:<name>, and every job in a
   StartedJobRegistry of its queues whose worker_name is the dead worker;
2. takes each out of StartedJobRegistry: retried when the job has RQ retries left, requeued at the front with
   --requeue, otherwise failed (FailedJobRegistry) with a reason naming the worker and how it ended;
3. removes the registration: rq:worker:<name>, and its key from rq:workers and rq:workers:<queue>.
A worker that stopped cleanly did all of this itself; the script then reports 0 jobs. When the registration
belongs to another pid than the one the launcher names (LAUNCHER_WORKER_PID, LAUNCHER_PID or --pid), something
else registered under that name since: nothing is touched and it exits 1. Redis unreachable: one line, exit 3.

example: LAUNCHER_NODE=api12@web-1 lost.py --url redis://127.0.0.1:6379/0
"""
import argparse
import os
import sys

from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry
from rq.utils import utcnow

import launcher_rq as rq

NAME = "rq lost"


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="lost.py", description=__doc__.split("\n\n")[0],
                                     epilog="example: LAUNCHER_NODE=api12@web-1 lost.py --requeue   (Redis URL from RQ_REDIS_URL or REDIS_URL)")
    parser.add_argument("--node", default=os.environ.get("LAUNCHER_NODE"),
                        help="the dead worker's name (default: $LAUNCHER_NODE)")
    parser.add_argument("--pid", type=int, default=known_pid(),
                        help="the dead worker's pid, when known (default: $LAUNCHER_WORKER_PID, else $LAUNCHER_PID)")
    parser.add_argument("--requeue", action="store_true",
                        help="requeue every job at the front of its queue instead of failing it")
    rq.add_url_argument(parser)
    return parser.parse_args(argv)


def known_pid():
    for name in ("LAUNCHER_WORKER_PID", "LAUNCHER_PID"):
        value = os.environ.get(name, "")
        if value.isdigit() and int(value) > 0:  # 0 or empty: unknown
            return int(value)
    return None


def how_it_ended(pid):
    signal = os.environ.get("LAUNCHER_EXIT_SIGNAL")
    code = os.environ.get("LAUNCHER_EXIT_CODE")
    reason = os.environ.get("LAUNCHER_EXIT_REASON") or "ended"
    ended = f"killed by signal {signal}" if signal else f"exit code {code}" if code else "unknown exit"
    return f"{reason}, pid {pid if pid is not None else '?'}, {ended}"


def queue_names(redis, fields):
    if fields.get("queues"):
        return fields["queues"].split(",")
    # No registration left (expired or deleted): look in every queue.
    return sorted(key.decode().removeprefix("rq:queue:") for key in redis.smembers("rq:queues"))


def jobs_of(redis, node, fields, queues):
    """Ids of the jobs the worker was running, found in its hash and in the started registries."""
    ids = [fields["current_job"]] if fields.get("current_job") else []
    for queue in queues:
        # zrange, not get_job_ids(): that would first run RQ's own cleanup, which fails every expired entry.
        for raw in redis.zrange(StartedJobRegistry(queue, connection=redis).key, 0, -1):
            job_id = raw.decode()
            if job_id not in ids and (redis.hget(Job.key_for(job_id), "worker_name") or b"").decode() == node:
                ids.append(job_id)
    return ids


def recover(redis, job_id, node, ended, requeue):
    """Moves one job out of StartedJobRegistry; returns what happened to it."""
    try:
        job = Job.fetch(job_id, connection=redis)
    except NoSuchJobError:
        return "gone (no job hash)"
    registry = StartedJobRegistry(job.origin, connection=redis)
    # ZREM is the claim: whoever removes the entry handles the job, so a race with RQ's own cleanup is harmless.
    if not redis.zrem(registry.key, job.id):
        return f"not in StartedJobRegistry (status {job.get_status()})"

    queue = Queue(job.origin, connection=redis)
    with redis.pipeline() as pipe:
        if requeue:
            job.started_at = None
            job.ended_at = None
            queue.enqueue_job(job, pipeline=pipe, at_front=True)
            outcome = f"requeued at the front of '{job.origin}'"
        elif job.retries_left and job.retries_left > 0:
            job.retry(queue, pipe)
            outcome = f"retried ({job.retries_left} retries left)"
        else:
            reason = f"worker {node} died while running this job ({ended}); failed by the launcher's integrations/rq/lost.py"
            job.ended_at = utcnow()
            job.set_status(JobStatus.FAILED, pipeline=pipe)
            job._handle_failure(reason, pipeline=pipe)  # as RQ's worker does: FailedJobRegistry + the failure result
            outcome = f"failed: {reason}"
        pipe.execute()
    if not requeue and job.get_status() == JobStatus.FAILED:
        queue.enqueue_dependents(job)  # those that allow failed dependencies, as RQ does
    return outcome


def unregister(redis, node, queues):
    key = rq.worker_key(node)
    with redis.pipeline() as pipe:
        pipe.srem(rq.WORKERS_KEY, key)
        for queue in queues:
            pipe.srem(f"rq:workers:{queue}", key)
        pipe.delete(key)
        pipe.execute()


def main(argv):
    args = parse_args(argv)
    if not args.node:
        raise rq.Failure("no worker name: LAUNCHER_NODE is not set and --node not given", rq.EXIT_USAGE)
    redis, _ = rq.connect(args.url, timeout=10.0)
    fields = rq.text_fields(redis, rq.worker_key(args.node))
    registered_pid = fields.get("pid")
    if args.pid is not None and registered_pid and "death" not in fields and registered_pid != str(args.pid):
        print(f"{NAME}: {args.node} is registered by pid {registered_pid}, not the dead worker's pid {args.pid}: "
              "another worker took the name since; nothing changed")
        return rq.EXIT_NEGATIVE
    pid = args.pid if args.pid is not None else int(registered_pid) if (registered_pid or "").isdigit() else None
    queues = queue_names(redis, fields)
    ended = how_it_ended(pid)
    job_ids = jobs_of(redis, args.node, fields, queues)
    for job_id in job_ids:
        print(f"{NAME}: {args.node} ({ended}): job {job_id} {recover(redis, job_id, args.node, ended, args.requeue)}")
    unregister(redis, args.node, queues)
    print(f"{NAME}: {args.node} ({ended}): {len(job_ids)} job(s) handled, registration removed")
    return rq.EXIT_OK


if __name__ == "__main__":
    sys.exit(rq.run(NAME, main, sys.argv[1:]))
