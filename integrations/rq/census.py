#!/usr/bin/python3
"""Who consumes from these RQ queues right now, as Redis sees it: the launcher's census.command for RQ.

Prints one JSON line per worker registration RQ counts as alive (docs/PROTOCOL.md, "Census"):
  {"node": "api12@web-1", "pid": 12, "host": "web-1", "heartbeat": "2026-11-29T21:00:00.123456Z", "queues": ["default"]}
A registration counts when it is listed in rq:workers, its hash rq:worker:<name> still exists (RQ extends the
hash's expiry at every heartbeat, so an existing hash is RQ's own "fresh heartbeat") and it has not registered
its death. That is exactly what makes RQ refuse a new worker of the same name ("There exists an active worker
named ... already"), so a dead worker's leftover registration is listed too: the launcher tells it from a live
one by its heartbeat, and a registration of its own naming that predates its start is "lost" (lost.py).
--queue keeps only workers listening on one of the given queues; --max-heartbeat-age drops older heartbeats.
Exit 0 with the list (possibly empty); a wrong URL exits 2, Redis unreachable 3, each with one line on stderr.

example: census.py --queue default --url redis://127.0.0.1:6379/0
"""
import argparse
import json
import sys
from datetime import datetime, timezone

import launcher_rq as rq

NAME = "rq census"


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="census.py", description=__doc__.split("\n\n")[0],
                                     epilog="example: census.py --queue default   (Redis URL from RQ_REDIS_URL or REDIS_URL)")
    parser.add_argument("--queue", action="append", default=[], metavar="NAME",
                        help="only workers listening on this queue (repeatable; default: every worker)")
    parser.add_argument("--max-heartbeat-age", type=float, metavar="SECONDS",
                        help="leave out registrations whose last heartbeat is older (default: RQ's own expiry decides)")
    parser.add_argument("--names", action="store_true", help="print bare node names instead of JSON lines")
    rq.add_url_argument(parser)
    return parser.parse_args(argv)


def registrations(redis, queues, max_age):
    """The registrations RQ counts as alive, as census records, sorted by node name."""
    now = datetime.now(timezone.utc)
    records = []
    for raw in sorted(redis.smembers(rq.WORKERS_KEY)):
        key = raw.decode()
        if not key.startswith(rq.WORKER_PREFIX):
            continue
        fields = rq.text_fields(redis, key)
        if not fields or "death" in fields:
            continue  # expired (RQ prunes such set members itself) or stopped: nothing blocks the name
        worker_queues = [q for q in fields.get("queues", "").split(",") if q]
        if queues and not set(worker_queues) & set(queues):
            continue
        beat = rq.heartbeat_of(fields)
        if max_age is not None and (beat is None or (now - beat).total_seconds() > max_age):
            continue
        node = key[len(rq.WORKER_PREFIX):]
        record = {"node": node}
        if fields.get("pid", "").isdigit():
            record["pid"] = int(fields["pid"])
        # RQ records socket.gethostname() of the worker: the machine (or container) it really runs on.
        host = fields.get("hostname") or (node.rsplit("@", 1)[1] if "@" in node else "")
        if host:
            record["host"] = host
        if beat:
            record["heartbeat"] = rq.iso(beat)
        record["queues"] = worker_queues
        records.append(record)
    return records


def main(argv):
    args = parse_args(argv)
    redis, _ = rq.connect(args.url)
    for record in registrations(redis, args.queue, args.max_heartbeat_age):
        print(record["node"] if args.names else json.dumps(record, separators=(",", ":")))
    return rq.EXIT_OK


if __name__ == "__main__":
    sys.exit(rq.run(NAME, main, sys.argv[1:]))
