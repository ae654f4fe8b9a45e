#!/usr/bin/python3
"""A dead worker's running jobs in a SQL jobs table are failed (or requeued): the launcher's onWorkerExit recipe.

The launcher runs it after any worker ends, with the worker's name in LAUNCHER_NODE and why in
LAUNCHER_EXIT_REASON (crashed, hung, stopped, stray-killed, and lost: a worker that died unseen, found by a
census at start). Every row the dead worker still holds (state 'running', worker_id = its node) is, in one
transaction (and its row in `workers` goes):
  failed:   UPDATE jobs SET state = 'failed', error = <reason>, ended_at = now
  requeued: UPDATE jobs SET state = 'queued', worker_id = NULL, started_at = NULL   (--requeue; also without it
            while attempts < --max-attempts)
Rows of other workers are never touched: only this node's, and only running ones. A worker that stopped cleanly
holds none, and the script reports 0 jobs. The same two statements work on PostgreSQL or MySQL (see
integrations/README.md). No database at the path: exit 2; the database failing or locked for 10 s: exit 3.

example: LAUNCHER_NODE=api12@web-1 lost.py --db /srv/app/jobs.db --max-attempts 3
"""
import argparse
import os
import sys

import launcher_sqlite as ls

NAME = "sqlite lost"


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="lost.py", description=__doc__.split("\n\n")[0],
                                     epilog="example: LAUNCHER_NODE=api12@web-1 lost.py --db jobs.db --requeue")
    ls.add_db_argument(parser)
    parser.add_argument("--node", default=os.environ.get("LAUNCHER_NODE"), help="the dead worker's name (default: $LAUNCHER_NODE)")
    parser.add_argument("--requeue", action="store_true", help="requeue every running job of the worker instead of failing it")
    parser.add_argument("--max-attempts", type=int, default=1, metavar="N",
                        help="requeue a job that has been tried fewer than N times, fail it after (default 1: fail at once)")
    return parser.parse_args(argv)


def how_it_ended():
    signal = os.environ.get("LAUNCHER_EXIT_SIGNAL")
    code = os.environ.get("LAUNCHER_EXIT_CODE")
    reason = os.environ.get("LAUNCHER_EXIT_REASON") or "ended"
    pid = os.environ.get("LAUNCHER_WORKER_PID") or os.environ.get("LAUNCHER_PID") or "?"
    ended = f"killed by signal {signal}" if signal else f"exit code {code}" if code else "unknown exit"
    return f"{reason}, pid {pid}, {ended}"


def main(argv):
    args = parse_args(argv)
    if not args.node:
        raise ls.Failure("no worker name: LAUNCHER_NODE is not set and --node not given", ls.EXIT_USAGE)
    db = ls.open_db(args.db)
    ended = how_it_ended()
    reason = f"worker {args.node} died while running this job ({ended}); failed by the launcher's integrations/sqlite/lost.py"
    db.execute("BEGIN IMMEDIATE")  # the write lock first: no worker claims or finishes a row in between
    try:
        held = db.execute("SELECT id, attempts FROM jobs WHERE state = 'running' AND worker_id = ? ORDER BY id", (args.node,)).fetchall()
        for job_id, attempts in held:
            if args.requeue or attempts < args.max_attempts:
                db.execute("UPDATE jobs SET state = 'queued', worker_id = NULL, started_at = NULL WHERE id = ?", (job_id,))
                outcome = f"requeued (attempt {attempts} of {'any' if args.requeue else args.max_attempts})"
            else:
                db.execute("UPDATE jobs SET state = 'failed', error = ?, ended_at = ? WHERE id = ?", (reason, ls.now(), job_id))
                outcome = f"failed: {reason}"
            print(f"{NAME}: {args.node} ({ended}): job {job_id} {outcome}")
        db.execute("DELETE FROM workers WHERE node = ?", (args.node,))
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    print(f"{NAME}: {args.node} ({ended}): {len(held)} job(s) handled")
    return ls.EXIT_OK


if __name__ == "__main__":
    sys.exit(ls.run(NAME, main, sys.argv[1:]))
