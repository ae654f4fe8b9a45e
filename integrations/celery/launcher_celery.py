"""Shared by the Celery integration scripts (ping.py, census.py): the app or broker URL, one-line errors.

Written against Celery 5.2 and kombu 5.2 (Debian 12's python3-celery, under /usr/bin/python3). Both scripts use
the app's control API (app.control: the broadcast `celery inspect` uses), so they see every worker consuming
through this broker, started by the launcher or not. Exit codes: 0 done, 1 a negative answer (ping: no reply),
2 bad usage, a wrong URL or an app that cannot be imported, 3 the broker unreachable or failing. Every failure is
one line on stderr, prefixed with the script's name.
"""
import importlib
import os
import sys
import urllib.parse

DEFAULT_URL = "redis://127.0.0.1:6379/0"
URL_VARIABLES = ("CELERY_BROKER_URL", "REDIS_URL")

EXIT_OK = 0
EXIT_NEGATIVE = 1
EXIT_USAGE = 2
EXIT_BROKER = 3


class Failure(Exception):
    """One line for stderr and the exit code that goes with it."""

    def __init__(self, line, code):
        super().__init__(line)
        self.line = line
        self.code = code


def add_arguments(parser):
    parser.add_argument("-A", "--app", metavar="MODULE[:ATTRIBUTE]",
                        help="your Celery app, imported from the working directory as `celery -A` does "
                             "(its broker and control settings are used); without it a bare app on the broker URL")
    parser.add_argument("--broker", metavar="URL",
                        help=f"broker URL, overriding the app's (default: the app's, else ${URL_VARIABLES[0]}, "
                             f"else ${URL_VARIABLES[1]}, else {DEFAULT_URL})")
    parser.add_argument("--timeout", type=float, default=2.0, metavar="SECONDS",
                        help="how long to wait for replies (default 2)")


def one_line(error):
    text = " ".join(str(error).split())
    return text or type(error).__name__


def redacted(url):
    """The URL without its password, for messages."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return "<unparsable URL>"
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    return urllib.parse.urlunsplit((parts.scheme, f"{parts.username or ''}:***@{netloc}", parts.path, parts.query, parts.fragment))


def load_app(spec):
    """The user's app (module or module:attribute, like `celery -A`), imported from the working directory."""
    sys.path.insert(0, os.getcwd())
    module_name, _, attribute = spec.partition(":")
    try:
        module = importlib.import_module(module_name)
    except Exception as error:  # anything the user's module raises on import
        raise Failure(f"cannot import the app {spec!r} from {os.getcwd()}: {type(error).__name__}: {one_line(error)}", EXIT_USAGE) from error
    from celery import Celery
    candidates = [attribute] if attribute else ["app", "celery"]
    for name in candidates:
        if isinstance(getattr(module, name, None), Celery):
            return getattr(module, name)
    raise Failure(f"module {module_name!r} has no Celery app named {' or '.join(candidates)}", EXIT_USAGE)


def connect(args):
    """(app, connection, shown URL): the connection is checked, or Failure (exit 2 wrong URL/app, 3 unreachable)."""
    from celery import Celery
    from kombu.exceptions import OperationalError

    app = load_app(args.app) if args.app else None
    if args.broker:
        url, source = args.broker, "--broker"
    elif app is not None and app.conf.broker_url:
        url, source = app.conf.broker_url, f"the app {args.app}"
    else:
        url, source = next(((os.environ[n], n) for n in URL_VARIABLES if os.environ.get(n)), (DEFAULT_URL, "the default"))
    if app is None:
        app = Celery("launcher-census", set_as_current=False)
    app.conf.broker_url = url
    shown = redacted(url)
    try:
        check_url(url)
        connection = app.connection_for_write()
    except (KeyError, ValueError) as error:  # kombu: KeyError for an unknown transport
        raise Failure(f"wrong broker URL {shown!r} (from {source}): {one_line(error)}", EXIT_USAGE) from error
    try:
        # One attempt, bounded: kombu's default retries a refused connection for several seconds.
        connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0.2, interval_max=0.2, timeout=5)
    except (OperationalError, OSError) as error:
        connection.release()
        raise Failure(f"cannot reach the broker at {shown} (from {source}): {one_line(error)}", EXIT_BROKER) from error
    except (KeyError, ValueError) as error:
        connection.release()
        raise Failure(f"wrong broker URL {shown!r} (from {source}): {one_line(error)}", EXIT_USAGE) from error
    return app, connection, shown


def check_url(url):
    """What would be silently ignored in a Redis URL: a database that is not a number, a bad port."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme in ("redis", "rediss"):
        _ = parts.port  # raises ValueError for a port that is not a number or out of range
        db = parts.path.lstrip("/")
        if db and not db.isdigit():
            raise ValueError(f"the database {db!r} is not a number (redis://host:port/<db>)")


def run(name, main, argv):
    """Runs main(argv); turns Failure and broker errors into one line on stderr and the matching exit code."""
    from kombu.exceptions import OperationalError
    try:
        return main(argv)
    except Failure as failure:
        print(f"{name}: {failure.line}", file=sys.stderr)
        return failure.code
    except (OperationalError, OSError) as error:
        print(f"{name}: the broker failed: {one_line(error)}", file=sys.stderr)
        return EXIT_BROKER
    except KeyboardInterrupt:
        print(f"{name}: interrupted", file=sys.stderr)
        return 130
