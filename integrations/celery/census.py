#!/usr/bin/python3
"""Who consumes through this Celery broker right now: the launcher's census.command for Celery.

Broadcasts Celery's `ping` control command (what `celery inspect ping` does, through the app's control API) and
waits --timeout seconds for every reply, then asks the nodes that answered for `active_queues` and `stats` (their
pid). Prints one JSON line per reply (docs/PROTOCOL.md, "Census"):
  {"node": "celery@web-1", "pid": 4242, "host": "web-1", "heartbeat": "2026-11-29T21:00:00.123456Z", "queues": ["celery"]}
`heartbeat` is the moment of the reply: a node that answers is alive now (the launcher never takes it for lost).
Two workers sharing one node name answer twice, and are printed twice (Celery itself only warns on the inspect
side); their queues are then the union of theirs. --queue keeps only nodes consuming one of the given queues. Exit 0 with the list (possibly empty); a wrong
URL or app exits 2, the broker unreachable 3, each with one line on stderr.

example: census.py -A tasks --queue celery
"""
import argparse
import json
import sys
from datetime import datetime, timezone

import launcher_celery as lc

NAME = "celery census"


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="census.py", description=__doc__.split("\n\n")[0],
                                     epilog="example: census.py -A tasks --queue celery   (or --broker redis://127.0.0.1:6379/0)")
    lc.add_arguments(parser)
    parser.add_argument("--queue", action="append", default=[], metavar="NAME",
                        help="only nodes consuming this queue (repeatable; default: every node)")
    parser.add_argument("--names", action="store_true", help="print bare node names instead of JSON lines")
    return parser.parse_args(argv)


def by_node(replies):
    """{node: [reply, ...]} from a broadcast's list of {node: reply}, duplicates kept in order."""
    found = {}
    for reply in replies or []:
        for node, answer in reply.items():
            found.setdefault(node, []).append(answer)
    return found


def census(app, connection, timeout, queues):
    pongs = []
    app.control.broadcast("ping", reply=True, timeout=timeout, connection=connection,
                          callback=lambda reply: pongs.append((datetime.now(timezone.utc), reply)))
    nodes = [node for _, reply in pongs for node in reply]
    if not nodes:
        return []
    # Only the nodes that answered, and no longer than until each has: limit = the number of replies expected.
    ask = {"destination": sorted(set(nodes)), "reply": True, "timeout": timeout, "limit": len(nodes), "connection": connection}
    stats = by_node(app.control.broadcast("stats", **ask))
    active = by_node(app.control.broadcast("active_queues", **ask))
    records = []
    seen = {}
    for moment, reply in pongs:
        for node in reply:
            k = seen[node] = seen.get(node, -1) + 1
            record = {"node": node}
            # The k-th answer of a name takes the k-th pid its stats replies gave (sorted: replies come in any order).
            pids = sorted(s.get("pid") for s in stats.get(node, []) if isinstance(s, dict) and isinstance(s.get("pid"), int))
            if k < len(pids):
                record["pid"] = pids[k]
            if "@" in node:
                record["host"] = node.rsplit("@", 1)[1]
            record["heartbeat"] = moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            # active_queues replies carry no pid: a name answered by several workers gets the union of their queues.
            names = {q.get("name") for reply_queues in active.get(node, []) for q in reply_queues or [] if isinstance(q, dict)}
            record["queues"] = sorted(n for n in names if n)
            if queues and not set(record["queues"]) & set(queues):
                continue
            records.append(record)
    return sorted(records, key=lambda r: r["node"])


def main(argv):
    args = parse_args(argv)
    app, connection, _ = lc.connect(args)
    with connection:
        records = census(app, connection, args.timeout, args.queue)
    for record in records:
        print(record["node"] if args.names else json.dumps(record, separators=(",", ":")))
    return lc.EXIT_OK


if __name__ == "__main__":
    sys.exit(lc.run(NAME, main, sys.argv[1:]))
