#!/usr/bin/python3
"""A plain SQL jobs table in SQLite (python3 stdlib only), and a worker that takes jobs from it.

The seed of "running forever after a crash": a worker marks a row `running` with its own node name, does the
work, and marks it `done`. When the worker dies in between (SIGKILL, OOM, its container killed), nothing ever
touches that row again. lost.py, run by the launcher as onWorkerExit, is the fix. The table (`init` makes it):

  CREATE TABLE jobs (id INTEGER PRIMARY KEY, seconds REAL NOT NULL,
                     state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued','running','done','failed')),
                     worker_id TEXT, attempts INTEGER NOT NULL DEFAULT 0, error TEXT,
                     enqueued_at TEXT NOT NULL, started_at TEXT, ended_at TEXT)
  CREATE TABLE workers (node TEXT PRIMARY KEY, pid INTEGER NOT NULL, heartbeat_at TEXT NOT NULL)

commands (database from --db or $JOBS_DB):
  jobs.py init                       create the table (idempotent)
  jobs.py enqueue SECONDS            add a job that sleeps SECONDS; prints its id
  jobs.py worker --node NODE         take queued jobs one at a time, forever (the launcher's worker command)
  jobs.py ping NODE PID              exit 0 printing NODE when that worker's heartbeat is fresh (ping.command)
  jobs.py show ID                    print one job as a JSON line

example: JOBS_DB=/srv/app/jobs.db jobs.py worker --node api4242@host
"""
import argparse
import json
import os
import signal
import sqlite3
import sys
import time
from datetime import datetime, timezone

import launcher_sqlite as ls

SCHEMA = """CREATE TABLE IF NOT EXISTS jobs (
  id INTEGER PRIMARY KEY,
  seconds REAL NOT NULL,
  state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
  worker_id TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  enqueued_at TEXT NOT NULL,
  started_at TEXT,
  ended_at TEXT);
CREATE TABLE IF NOT EXISTS workers (node TEXT PRIMARY KEY, pid INTEGER NOT NULL, heartbeat_at TEXT NOT NULL)"""

# One statement: a job is claimed by exactly one worker even with several polling (SQLite serialises writers).
CLAIM = """UPDATE jobs SET state = 'running', worker_id = ?, attempts = attempts + 1, started_at = ?
           WHERE id = (SELECT id FROM jobs WHERE state = 'queued' ORDER BY id LIMIT 1) RETURNING id, seconds"""

NAME = "sqlite jobs"


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="jobs.py", description=__doc__.split("\n\n")[0],
                                     epilog="example: jobs.py --db jobs.db enqueue 30")
    ls.add_db_argument(parser)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("init", help="create the table (idempotent)")
    enqueue = commands.add_parser("enqueue", help="add a job that sleeps SECONDS; prints its id")
    enqueue.add_argument("seconds", type=float)
    worker = commands.add_parser("worker", help="take queued jobs one at a time, forever")
    worker.add_argument("--node", default=os.environ.get("LAUNCHER_NODE"), help="this worker's name (default: $LAUNCHER_NODE)")
    worker.add_argument("--poll-seconds", type=float, default=0.2, help="how often to look for a queued job (default 0.2)")
    ping = commands.add_parser("ping", help="exit 0 printing NODE when that worker's heartbeat is fresh")
    ping.add_argument("node")
    ping.add_argument("pid", type=int)
    ping.add_argument("--max-heartbeat-age", type=float, default=10.0, metavar="SECONDS", help="default 10 (workers beat every second)")
    show = commands.add_parser("show", help="print one job as a JSON line")
    show.add_argument("id", type=int)
    return parser.parse_args(argv)


def work(db, node, poll):
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    print(f"{NAME}: worker {node} (pid {os.getpid()}) started", flush=True)
    beat = 0.0
    while not stopping:
        if time.monotonic() - beat >= 1.0:
            with db:
                db.execute("INSERT INTO workers (node, pid, heartbeat_at) VALUES (?, ?, ?) "
                           "ON CONFLICT (node) DO UPDATE SET pid = excluded.pid, heartbeat_at = excluded.heartbeat_at",
                           (node, os.getpid(), ls.now()))
            beat = time.monotonic()
        with db:
            row = db.execute(CLAIM, (node, ls.now())).fetchone()
        if row is None:
            time.sleep(poll)
            continue
        job_id, seconds = row
        print(f"{NAME}: {node} running job {job_id} ({seconds:g} s)", flush=True)
        time.sleep(seconds)  # the work
        with db:
            db.execute("UPDATE jobs SET state = 'done', ended_at = ? WHERE id = ? AND state = 'running' AND worker_id = ?",
                       (ls.now(), job_id, node))
        print(f"{NAME}: {node} finished job {job_id}", flush=True)
    with db:
        db.execute("DELETE FROM workers WHERE node = ? AND pid = ?", (node, os.getpid()))
    print(f"{NAME}: worker {node} stopped", flush=True)


def main(argv):
    args = parse_args(argv)
    if args.command == "init":
        db = ls.open_db(args.db, create=True)
        with db:
            db.executescript(SCHEMA)
        return ls.EXIT_OK
    db = ls.open_db(args.db)
    if args.command == "enqueue":
        with db:
            job_id = db.execute("INSERT INTO jobs (seconds, enqueued_at) VALUES (?, ?)", (args.seconds, ls.now())).lastrowid
        print(job_id)
    elif args.command == "worker":
        if not args.node:
            raise ls.Failure("no worker name: LAUNCHER_NODE is not set and --node not given", ls.EXIT_USAGE)
        work(db, args.node, args.poll_seconds)
    elif args.command == "ping":
        row = db.execute("SELECT pid, heartbeat_at FROM workers WHERE node = ?", (args.node,)).fetchone()
        problem = (f"{args.node} has no row in workers" if row is None
                   else f"{args.node} is registered by pid {row[0]}, not {args.pid}" if row[0] != args.pid
                   else None)
        if problem is None:
            age = (datetime.now(timezone.utc) - datetime.strptime(row[1], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)).total_seconds()
            if age > args.max_heartbeat_age:
                problem = f"{args.node}'s last heartbeat is {age:.0f} s old (limit {args.max_heartbeat_age:g} s)"
        if problem:
            print(f"not alive: {problem}")
            return ls.EXIT_NEGATIVE
        print(args.node)
    elif args.command == "show":
        db.row_factory = sqlite3.Row
        row = db.execute("SELECT * FROM jobs WHERE id = ?", (args.id,)).fetchone()
        if row is None:
            raise ls.Failure(f"no job {args.id}", ls.EXIT_NEGATIVE)
        print(json.dumps(dict(row)))
    return ls.EXIT_OK


if __name__ == "__main__":
    sys.exit(ls.run(NAME, main, sys.argv[1:]))
