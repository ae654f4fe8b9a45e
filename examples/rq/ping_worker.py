"""Ping command for RQ workers under the launcher: `ping_worker.py <node> <pid>`.

RQ keeps each worker's registration in Redis: the hash `rq:worker:<name>` (pid, last_heartbeat, death once it
stopped), listed in the set `rq:workers`, expiring unless the worker heartbeats. The worker is alive when that
registration exists, is not marked dead, belongs to this pid, the pid is running, and the last heartbeat is
fresh. Prints the node name and exits 0 when alive (the launcher's rule); otherwise says why and exits 1.
Written against RQ 1.13 (Debian 12's python3-rq).
"""
import argparse
import os
import sys
from redis import Redis
from redis.exceptions import RedisError
from rq.utils import utcnow, utcparse

DEFAULT_URL = "redis://127.0.0.1:6379/0"


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("node", help="the worker's name (rq worker -n)")
    parser.add_argument("pid", type=int, help="the worker's pid")
    parser.add_argument("--max-heartbeat-age", type=float, default=90.0, metavar="SECONDS",
                        help="older heartbeats mean hung (default 90; RQ heartbeats every worker-ttl - 15 s idle, every 30 s busy)")
    return parser.parse_args(argv)


def check(redis, node, pid, max_age):
    """None when the worker is alive, else the reason it is not."""
    key = f"rq:worker:{node}"
    fields = {k.decode(): v.decode() for k, v in redis.hgetall(key).items()}
    if not fields:
        return f"{key} does not exist"
    if "death" in fields:
        return f"{node} registered its death at {fields['death']}"
    if not redis.sismember("rq:workers", key):
        return f"{key} is not in rq:workers"
    if fields.get("pid") != str(pid):
        return f"{node} is registered by pid {fields.get('pid')}, not {pid}"
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return f"pid {pid} is not running"
    except PermissionError:
        pass  # running, as another user
    beat = fields.get("last_heartbeat")
    if beat:
        age = (utcnow() - utcparse(beat)).total_seconds()
        if age > max_age:
            return f"{node}'s last heartbeat is {age:.0f} s old (limit {max_age:.0f} s)"
    return None


def main(argv):
    args = parse_args(argv)
    url = os.environ.get("RQ_REDIS_URL") or DEFAULT_URL
    try:
        problem = check(Redis.from_url(url, socket_timeout=3, socket_connect_timeout=3), args.node, args.pid, args.max_heartbeat_age)
    except RedisError as error:
        problem = f"redis at {url}: {error}"
    if problem:
        print(f"not alive: {problem}")
        return 1
    print(args.node)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
