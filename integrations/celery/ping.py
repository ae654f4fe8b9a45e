#!/usr/bin/python3
"""Does this Celery node answer? The launcher's ping.command for Celery: `ping.py {node} -A tasks`.

Sends Celery's `ping` control command to that one node (what `celery inspect ping -d <node>` does) and waits for
its reply: prints the node name and exits 0 when it answers (the launcher's rule for "alive"), prints
`not alive: <why>` and exits 1 when it does not within --timeout. The broker unreachable: one line on stderr and
exit 3; a wrong URL or an app that cannot be imported: exit 2.

example: ping.py api4242@host -A tasks --timeout 5
"""
import argparse
import sys

import launcher_celery as lc

NAME = "celery ping"


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="ping.py", description=__doc__.split("\n\n")[0],
                                     epilog="example: ping.py api4242@host -A tasks   (or --broker redis://127.0.0.1:6379/0)")
    parser.add_argument("node", help="the worker's node name (celery worker -n)")
    lc.add_arguments(parser)
    return parser.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    app, connection, _ = lc.connect(args)
    with connection:
        replies = app.control.broadcast("ping", destination=[args.node], reply=True, timeout=args.timeout,
                                        limit=1, connection=connection)
    if any(args.node in reply for reply in replies or []):
        print(args.node)
        return lc.EXIT_OK
    print(f"not alive: {args.node} did not answer ping within {args.timeout:g} s")
    return lc.EXIT_NEGATIVE


if __name__ == "__main__":
    sys.exit(lc.run(NAME, main, sys.argv[1:]))
