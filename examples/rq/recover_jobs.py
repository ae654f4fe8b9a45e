"""onWorkerExit hook for RQ workers under the launcher: a dead worker's jobs leave StartedJobRegistry at once.

When an RQ worker dies mid-job (SIGKILL, OOM, a crash), RQ itself notices only when the job's registry entry
expires and a maintenance pass runs, and refuses a new worker under the dead one's name until its key expires
(about 7 minutes). The launcher runs this script right after any worker ends, with the worker's name in
LAUNCHER_NODE, and by then has killed what was left of its process tree (RQ's work horse). This script:

1. finds the jobs the dead worker was running: the `current_job` of its hash `rq:worker:<name>`, and every job
   in a StartedJobRegistry of its queues whose `worker_name` is the dead worker;
2. takes each out of StartedJobRegistry: requeued when the job has retries left (RQ's own Retry policy) or when
   --requeue is given, otherwise failed (FailedJobRegistry) with a reason naming the worker and how it ended;
3. removes the worker's registration (`rq:worker:<name>`, and the key from `rq:workers` and `rq:workers:<queue>`).

A worker that stopped cleanly has already done all of this itself; the script then finds nothing to do.
Written against RQ 1.13 (Debian 12's python3-rq); Redis URL from RQ_REDIS_URL, as for `rq worker`.
"""
import argparse
import os
import sys

from redis import Redis
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry
from rq.utils import utcnow

DEFAULT_URL = "redis://127.0.0.1:6379/0"


def how_it_ended():
    signal = os.environ.get("LAUNCHER_EXIT_SIGNAL")
    code = os.environ.get("LAUNCHER_EXIT_CODE")
    reason = os.environ.get("LAUNCHER_EXIT_REASON") or "ended"
    pid = os.environ.get("LAUNCHER_WORKER_PID") or "?"
    ended = f"killed by signal {signal}" if signal else f"exit code {code}" if code else "unknown exit"
    return f"{reason}, pid {pid}, {ended}"


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
            reason = f"worker {node} died while running this job ({ended}); failed by the launcher's recover_jobs.py"
            job.ended_at = utcnow()
            job.set_status(JobStatus.FAILED, pipeline=pipe)
            job._handle_failure(reason, pipeline=pipe)  # as RQ's worker does: FailedJobRegistry + the failure result
            outcome = f"failed: {reason}"
        pipe.execute()
    if not requeue and job.get_status() == JobStatus.FAILED:
        queue.enqueue_dependents(job)  # those that allow failed dependencies, as RQ does
    return outcome


def unregister(redis, node, queues):
    key = f"rq:worker:{node}"
    with redis.pipeline() as pipe:
        pipe.srem("rq:workers", key)
        for queue in queues:
            pipe.srem(f"rq:workers:{queue}", key)
        pipe.delete(key)
        pipe.execute()


def main(argv):
    parser = argparse.ArgumentParser(description="Recover the jobs of a dead RQ worker (launcher onWorkerExit hook).")
    parser.add_argument("--requeue", action="store_true", help="requeue every job at the front of its queue instead of failing it")
    parser.add_argument("--node", default=os.environ.get("LAUNCHER_NODE"), help="the dead worker's name (default: LAUNCHER_NODE)")
    args = parser.parse_args(argv)
    if not args.node:
        print("recover_jobs: no worker name (LAUNCHER_NODE is not set and --node not given)", file=sys.stderr)
        return 2

    redis = Redis.from_url(os.environ.get("RQ_REDIS_URL") or DEFAULT_URL, socket_timeout=10, socket_connect_timeout=5)
    fields = {k.decode(): v.decode() for k, v in redis.hgetall(f"rq:worker:{args.node}").items()}
    queues = queue_names(redis, fields)
    ended = how_it_ended()
    job_ids = jobs_of(redis, args.node, fields, queues)
    for job_id in job_ids:
        print(f"recover_jobs: {args.node} ({ended}): job {job_id} {recover(redis, job_id, args.node, ended, args.requeue)}")
    unregister(redis, args.node, queues)
    print(f"recover_jobs: {args.node}: {len(job_ids)} job(s) handled, registration removed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
