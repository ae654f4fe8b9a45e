#!/usr/bin/env python3
"""Helper for bench/restart-latency.sh (issue 4). Standard library only.

  restart_probe.py measure RUNTIME_DIR INSTANCE LAUNCHER_LOG ROUNDS
      ROUNDS times: SIGKILL the one live worker, then time
        noticed  = the launcher's "Worker api<old>@...#<old> ended" log line (logs/launcher.log, ms precision)
        started  = its "Started worker ... (pid <new>)" line
        answered = the replacement answering the worker protocol ping (docs/PROTOCOL.md) on its socket with
                   its own pid: the check `launcher ping` makes, polled every 5 ms from here
      all relative to the moment of the kill(2). Prints one line per round, then "median ..." lines.
  restart_probe.py marked INSTANCE
      Pids of live processes of this user whose environment holds LAUNCHER_INSTANCE=INSTANCE.
  restart_probe.py fastpath LAUNCHER_PID LAUNCHER_LOG MARKER ROUNDS
      Issue 12, part 4: the launcher supervises `sleep MARKER` workers with restart.initialDelaySeconds 0. ROUNDS times:
      SIGKILL the oldest worker, then time, from the kill(2):
        forked   = a new child of the launcher appears (/proc/<launcher>/task/*/children: the exec shim is running)
        running  = that child runs `sleep MARKER` (its cmdline: the shim has exec'd the real program)
      polled every 0.1 ms reading only the launcher's children, never the whole process table; and, from the
      launcher's Debug event 1100 in LAUNCHER_LOG, its own steps after the exit event (slot awake, leftover check,
      end reported, backoff over, fork returned). Prints one line per round, then median and p90 of each.
"""
import datetime
import json
import os
import re
import signal
import socket
import statistics
import sys
import time

POLL = 0.005
ROUND_DEADLINE = 30.0


def marked(instance):
    entry = f"LAUNCHER_INSTANCE={instance}".encode()
    me, uid = os.getpid(), os.getuid()
    pids = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == me:
            continue
        try:
            if os.stat(f"/proc/{name}").st_uid != uid:
                continue
            with open(f"/proc/{name}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
            with open(f"/proc/{name}/environ", "rb") as f:
                environ = f.read().split(b"\0")
        except OSError:
            continue
        if state not in ("Z", "X") and entry in environ:
            pids.append(int(name))
    return sorted(pids)


def ping(sock_path, timeout=0.5):
    """The worker protocol: send 'ping\\n', read one JSON line {"node":..,"pid":..}. None when no answer."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect(sock_path)
            s.sendall(b"ping\n")
            data = b""
            while not data.endswith(b"\n"):
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
        return json.loads(data.decode())
    except (OSError, ValueError):
        return None


def answering_workers(workers_dir, skip=None):
    """Pids whose registration socket answers for that same pid (never pinging pid skip)."""
    found = []
    try:
        names = os.listdir(workers_dir)
    except OSError:
        return found
    for name in names:
        if name.endswith(".sock") and name[:-5].isdigit():
            pid = int(name[:-5])
            if pid == skip:
                continue
            reply = ping(os.path.join(workers_dir, name))
            if reply and reply.get("pid") == pid:
                found.append(pid)
    return found


LOG_LINE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} [+-]\d\d:\d\d) \[\w+\] (.*)$")


def log_time(log_path, pattern):
    """Wall-clock time (epoch seconds) of the first launcher.log line whose message matches pattern."""
    try:
        with open(log_path, encoding="utf-8", errors="replace") as f:
            for line in f:
                m = LOG_LINE.match(line.rstrip("\n"))
                if m and re.search(pattern, m.group(2)):
                    return datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S.%f %z").timestamp()
    except OSError:
        pass
    return None


def wait_for(condition, deadline):
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(POLL)
    return None


def measure(runtime_dir, instance, log_path, rounds):
    workers_dir = os.path.join(runtime_dir, instance, "workers")
    results = []
    for round_no in range(1, rounds + 1):
        current = wait_for(lambda: answering_workers(workers_dir), time.time() + ROUND_DEADLINE)
        if not current or len(current) != 1:
            print(f"round {round_no}: expected one answering worker, found {current}", file=sys.stderr)
            return 1
        old = current[0]

        killed_at = time.time()
        os.kill(old, signal.SIGKILL)
        deadline = killed_at + ROUND_DEADLINE

        # One phase at a time, so the probe's own polling stays light while the launcher works.
        noticed_at = wait_for(lambda: log_time(log_path, rf"^Worker api{old}@\S+#{old} ended:"), deadline)

        def replacement():
            pids = [p for p in answering_workers(workers_dir, skip=old) if p != old]
            return pids[0] if pids else None

        new = wait_for(replacement, deadline)
        answered_at = time.time()
        if new is None:
            print(f"round {round_no}: no replacement for {old} answered within {ROUND_DEADLINE} s", file=sys.stderr)
            return 1
        started_at = log_time(log_path, rf"^Started worker api{new}@\S+ \(pid {new}\)")
        if noticed_at is None or started_at is None:
            print(f"round {round_no}: launcher.log lacks the ended/started lines for {old}/{new}", file=sys.stderr)
            return 1
        row = {
            "noticed": (noticed_at - killed_at) * 1000,
            "started": (started_at - killed_at) * 1000,
            "answered": (answered_at - killed_at) * 1000,
        }
        results.append(row)
        print(f"round {round_no:2d}: worker {old} -> {new}: noticed {row['noticed']:7.1f} ms, "
              f"replacement started {row['started']:7.1f} ms, answered {row['answered']:7.1f} ms")

    for key in ("noticed", "started", "answered"):
        values = [r[key] for r in results]
        print(f"median {key} {statistics.median(values):.1f} min {min(values):.1f} max {max(values):.1f}")
    return 0


def children_of(pid):
    kids = set()
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{task}/children") as f:
                    kids.update(int(k) for k in f.read().split())
            except OSError:
                pass
    except OSError:
        pass
    return kids


def argv_of(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().rstrip(b"\0").split(b"\0")
    except OSError:
        return []


def is_worker(argv, marker):
    return len(argv) == 2 and os.path.basename(argv[0]) == b"sleep" and argv[1] == marker.encode()


TIMED = re.compile(r"Restart of slot #\d+: \S+#(\d+) exit event -> slot awake ([\d.]+) ms, leftover check ([\d.]+) ms, "
                   r"end reported ([\d.]+) ms, backoff over ([\d.]+) ms, replacement forked \(pid (\d+)\) ([\d.]+) ms, "
                   r"spawn done ([\d.]+) ms")


def internal_steps(log_path, old):
    try:
        with open(log_path, encoding="utf-8", errors="replace") as f:
            for line in f:
                m = TIMED.search(line)
                if m and int(m.group(1)) == old:
                    return {"slot": float(m.group(2)), "leftovers": float(m.group(3)), "reported": float(m.group(4)),
                            "backoff": float(m.group(5)), "fork_in": float(m.group(7)), "spawn_done": float(m.group(8))}
    except OSError:
        pass
    return None


def p90(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]


def fastpath(launcher_pid, log_path, marker, rounds):
    results = []
    for round_no in range(1, rounds + 1):
        workers = wait_for(lambda: sorted(p for p in children_of(launcher_pid) if is_worker(argv_of(p), marker)),
                           time.time() + ROUND_DEADLINE)
        if not workers:
            print(f"round {round_no}: no sleep worker of the launcher found", file=sys.stderr)
            return 1
        time.sleep(0.3)  # let the previous round's verification and log writes finish
        before = children_of(launcher_pid)
        old = workers[0]
        killed = time.perf_counter()
        os.kill(old, signal.SIGKILL)
        forked = running = None
        new = None
        deadline = killed + ROUND_DEADLINE
        while time.perf_counter() < deadline and running is None:
            if new is None:
                fresh = [p for p in children_of(launcher_pid) - before if p != old]
                for pid in fresh:
                    argv = argv_of(pid)
                    if argv and (is_worker(argv, marker) or b"__exec" in argv[:2]):
                        new, forked = pid, time.perf_counter()
                        break
            if new is not None and is_worker(argv_of(new), marker):
                running = time.perf_counter()
                break
            time.sleep(0.0001)
        if running is None:
            print(f"round {round_no}: no replacement for {old} ran within {ROUND_DEADLINE} s", file=sys.stderr)
            return 1
        row = {"forked": (forked - killed) * 1000, "running": (running - killed) * 1000}
        steps = wait_for(lambda: internal_steps(log_path, old), time.time() + 2) or {}  # an older launcher logs none
        row.update(steps)
        results.append(row)
        inside = ", ".join(f"{k} {v:.2f}" for k, v in steps.items())
        print(f"round {round_no:2d}: worker {old} -> {new}: forked {row['forked']:6.2f} ms, running {row['running']:6.2f} ms"
              f" (launcher, after the exit event: {inside or 'no Debug event 1100'})")

    for key in ("forked", "running", "slot", "leftovers", "reported", "backoff", "fork_in", "spawn_done"):
        values = [r[key] for r in results if key in r]
        if values:
            print(f"median {key} {statistics.median(values):.2f} p90 {p90(values):.2f} min {min(values):.2f} max {max(values):.2f}")
    return 0


def main(argv):
    if len(argv) == 3 and argv[1] == "marked":
        print(" ".join(str(p) for p in marked(argv[2])))
        return 0
    if len(argv) == 6 and argv[1] == "fastpath":
        return fastpath(int(argv[2]), argv[3], argv[4], int(argv[5]))
    if len(argv) == 6 and argv[1] == "measure":
        return measure(argv[2], argv[3], argv[4], int(argv[5]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
