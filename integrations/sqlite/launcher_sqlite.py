"""Shared by the SQLite recipe (jobs.py, lost.py): opening the database, one-line errors.

Exit codes: 0 done, 1 a negative answer, 2 bad usage or no database at that path, 3 the database failing
(locked past the timeout, no jobs table, corrupt). Every failure is one line on stderr, prefixed with the name.
"""
import os
import sqlite3
import sys
import urllib.parse
from datetime import datetime, timezone

EXIT_OK = 0
EXIT_NEGATIVE = 1
EXIT_USAGE = 2
EXIT_DATABASE = 3


class Failure(Exception):
    def __init__(self, line, code):
        super().__init__(line)
        self.line = line
        self.code = code


def add_db_argument(parser):
    parser.add_argument("--db", default=os.environ.get("JOBS_DB"), metavar="PATH",
                        help="the SQLite database file (default: $JOBS_DB)")


def open_db(path, create=False):
    if not path:
        raise Failure("no database: --db not given and JOBS_DB not set", EXIT_USAGE)
    if not create and not os.path.isfile(path):
        raise Failure(f"no database file at {path}", EXIT_USAGE)
    # mode=rw never creates a file: a typo in the path is an error, not an empty database.
    uri = "file:" + urllib.parse.quote(os.path.abspath(path)) + ("?mode=rwc" if create else "?mode=rw")
    try:
        db = sqlite3.connect(uri, uri=True, timeout=10, isolation_level=None if create else "DEFERRED")
        db.execute("PRAGMA busy_timeout = 10000")
    except sqlite3.Error as error:
        raise Failure(f"cannot open {path}: {error}", EXIT_DATABASE) from error
    return db


def now():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def run(name, main, argv):
    try:
        return main(argv)
    except Failure as failure:
        print(f"{name}: {failure.line}", file=sys.stderr)
        return failure.code
    except sqlite3.Error as error:
        print(f"{name}: the database failed: {' '.join(str(error).split())}", file=sys.stderr)
        return EXIT_DATABASE
    except KeyboardInterrupt:
        print(f"{name}: interrupted", file=sys.stderr)
        return 130
