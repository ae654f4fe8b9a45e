#!/usr/bin/python3
"""Is this RQ worker alive? The launcher's ping.command for RQ: `ping.py {node} {pid}`.

RQ keeps each worker's registration in Redis: the hash rq:worker:<name> (pid, last_heartbeat, death once it
stopped), listed in the set rq:workers, expiring unless the worker heartbeats. The worker is alive when that
registration exists, is not marked dead, belongs to this pid, the pid runs, and the last heartbeat is younger
than --max-heartbeat-age. Then it prints the node name and exits 0 (the launcher's rule for "alive"); otherwise it
prints `not alive: <why>` and exits 1. Redis unreachable: one line on stderr, exit 3; a wrong URL: exit 2.

example: ping.py api4242@host 4242 --url redis://127.0.0.1:6379/0
"""
import argparse
import os
import sys
from datetime import datetime, timezone

import launcher_rq as rq

NAME = "rq ping"


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="ping.py", description=__doc__.split("\n\n")[0],
                                     epilog="example: ping.py api4242@host 4242   (Redis URL from RQ_REDIS_URL or REDIS_URL)")
    parser.add_argument("node", help="the worker's name (rq worker -n)")
    parser.add_argument("pid", type=int, help="the worker's pid")
    parser.add_argument("--max-heartbeat-age", type=float, default=90.0, metavar="SECONDS",
                        help="an older heartbeat means hung (default 90; RQ heartbeats every worker-ttl - 15 s when idle, "
                             "every 30 s during a job)")
    rq.add_url_argument(parser)
    return parser.parse_args(argv)


def check(redis, node, pid, max_age):
    """None when the worker is alive, else the reason it is not."""
    key = rq.worker_key(node)
    fields = rq.text_fields(redis, key)
    if not fields:
        return f"{key} does not exist"
    if "death" in fields:
        return f"{node} registered its death at {fields['death']}"
    if not redis.sismember(rq.WORKERS_KEY, key):
        return f"{key} is not in {rq.WORKERS_KEY}"
    if fields.get("pid") != str(pid):
        return f"{node} is registered by pid {fields.get('pid')}, not {pid}"
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return f"pid {pid} is not running"
    except PermissionError:
        pass  # running, as another user
    beat = rq.heartbeat_of(fields)
    if beat:
        age = (datetime.now(timezone.utc) - beat).total_seconds()
        if age > max_age:
            return f"{node}'s last heartbeat is {age:.0f} s old (limit {max_age:.0f} s)"
    return None


def main(argv):
    args = parse_args(argv)
    redis, _ = rq.connect(args.url)
    problem = check(redis, args.node, args.pid, args.max_heartbeat_age)
    if problem:
        print(f"not alive: {problem}")
        return rq.EXIT_NEGATIVE
    print(args.node)
    return rq.EXIT_OK


if __name__ == "__main__":
    sys.exit(rq.run(NAME, main, sys.argv[1:]))
