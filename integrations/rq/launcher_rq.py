"""Shared by the RQ integration scripts (ping.py, census.py, lost.py): the Redis URL, one-line errors, RQ's keys.

Written against RQ 1.13 and redis-py 4.3 (Debian 12's python3-rq and python3-redis, under /usr/bin/python3).
Exit codes of every script: 0 done, 1 a negative answer (ping: not alive; lost: refused), 2 bad usage or a wrong
URL, 3 Redis unreachable or failing. Every failure is one line on stderr, prefixed with the script's name.
"""
import os
import sys
import urllib.parse
from datetime import timezone

from redis import Redis
from redis.exceptions import RedisError
from rq.utils import utcparse

DEFAULT_URL = "redis://127.0.0.1:6379/0"
URL_VARIABLES = ("RQ_REDIS_URL", "REDIS_URL")

EXIT_OK = 0
EXIT_NEGATIVE = 1
EXIT_USAGE = 2
EXIT_BROKER = 3

WORKERS_KEY = "rq:workers"
WORKER_PREFIX = "rq:worker:"


class Failure(Exception):
    """One line for stderr and the exit code that goes with it."""

    def __init__(self, line, code):
        super().__init__(line)
        self.line = line
        self.code = code


def add_url_argument(parser):
    parser.add_argument("--url", metavar="URL",
                        help=f"Redis URL, e.g. redis://127.0.0.1:6379/0 (default: ${URL_VARIABLES[0]}, else ${URL_VARIABLES[1]}, else {DEFAULT_URL})")


def resolve_url(given):
    """The URL to use and where it came from (for error lines)."""
    if given:
        return given, "--url"
    for name in URL_VARIABLES:
        if os.environ.get(name):
            return os.environ[name], name
    return DEFAULT_URL, "the default"


def redacted(url):
    """The URL without its password, for messages."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return "<unparsable URL>"
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urllib.parse.urlunsplit((parts.scheme, f"{user}:***@{netloc}", parts.path, parts.query, parts.fragment))


def connect(given_url, timeout=5.0):
    """A Redis client for the URL (checked with a PING), or Failure: exit 2 for a wrong URL, 3 when unreachable."""
    url, source = resolve_url(given_url)
    shown = redacted(url)
    try:
        check_url(url)
        redis = Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
    except ValueError as error:
        raise Failure(f"wrong Redis URL {shown!r} (from {source}): {error}", EXIT_USAGE) from error
    try:
        redis.ping()
    except RedisError as error:
        raise Failure(f"cannot reach Redis at {shown} (from {source}): {one_line(error)}", EXIT_BROKER) from error
    return redis, shown


def check_url(url):
    """What redis-py would silently ignore: a database that is not a number (it then uses db 0), a bad port."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme in ("redis", "rediss"):
        _ = parts.port  # raises ValueError for a port that is not a number or out of range
        db = parts.path.lstrip("/")
        if db and not db.isdigit():
            raise ValueError(f"the database {db!r} is not a number (redis://host:port/<db>)")


def one_line(error):
    text = " ".join(str(error).split())
    return text or type(error).__name__


def run(name, main, argv):
    """Runs main(argv); turns Failure and Redis errors into one line on stderr and the matching exit code."""
    try:
        return main(argv)
    except Failure as failure:
        print(f"{name}: {failure.line}", file=sys.stderr)
        return failure.code
    except RedisError as error:
        print(f"{name}: Redis failed: {one_line(error)}", file=sys.stderr)
        return EXIT_BROKER
    except KeyboardInterrupt:
        print(f"{name}: interrupted", file=sys.stderr)
        return 130


def text_fields(redis, key):
    return {k.decode(): v.decode() for k, v in redis.hgetall(key).items()}


def worker_key(node):
    return WORKER_PREFIX + node


def heartbeat_of(fields):
    """The registration's last heartbeat as an aware UTC datetime, or None."""
    beat = fields.get("last_heartbeat") or fields.get("birth")
    if not beat:
        return None
    try:
        return utcparse(beat).replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def iso(moment):
    """ISO 8601 UTC with microseconds: the census protocol's heartbeat (never rounded up or down to the second)."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
