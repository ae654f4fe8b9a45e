#!/usr/bin/python3
"""Issue 12, part 6: the launcher beside supervisord and pm2, each supervising the same `sleep` workers.

For each supervisor that is installed (bench/install-peers.sh installs the peers): idle CPU of the supervisor's
own processes over IDLE seconds (utime+stime from /proc/<pid>/stat), their RSS, status latency (`launcher status`,
`supervisorctl status`, `pm2 jlist`; median of 10), restart latency (SIGKILL one worker -> a new worker process runs;
median of ROUNDS), time to ready for 1/10/50 workers (launcher: its `ready:` line, after verification; the peers:
every worker process running, they verify nothing), stop time (SIGTERM / `pm2 kill` -> every worker gone), and the
workers still alive 2 s after a SIGKILL of the supervisor. Workers are `sleep <marker>`, found by that exact argv.
Prints one table, with the launcher's ratio to the best peer.

Then the goals of issue 12 that have no peer, each beside its reference measured in the same run: `launcher status`,
`status --json` and `ping` (10 workers, by `ping.command`; and 10 SampleWorkers answering on their agent sockets,
against a launcher of their own) next to `launcher --version` (the binary's own start is the floor; the commands are
timed in interleaved rounds so that load hits them alike; the ping.command row also beside the same ten `echo`s
started at once from this script, the process starts no supervisor can skip), and `run` -> ready for 10 and 50
SampleWorkers next to the same workers started directly (each its own instance) until every one answers pings (its
`Registered as` line; a SampleWorker prints `Ready.` seconds before its agent can answer, no end point for a launcher
that verifies).
Not part of CI.
"""
import json, os, shutil, signal, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LAUNCHER = os.path.join(ROOT, "artifacts", "launcher", "launcher")
IDLE = float(os.environ.get("IDLE", "60"))
ROUNDS = int(os.environ.get("ROUNDS", "10"))
CLI_ROUNDS = int(os.environ.get("CLI_ROUNDS", "20"))
READY_ROUNDS = int(os.environ.get("READY_ROUNDS", "3"))
SAMPLE_WORKER = os.path.join(ROOT, "artifacts", "launcher", "SampleWorker")
HZ = os.sysconf("SC_CLK_TCK")
DEADLINE = 120


def pids():
    return [int(d) for d in os.listdir("/proc") if d.isdigit()]


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().rstrip(b"\0").split(b"\0")
    except OSError:
        return []


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (OSError, IndexError):
        return False


def workers(marker):
    # argv[0] is `sleep` or its full path (the launcher's exec shim passes the resolved program).
    def is_worker(argv):
        return len(argv) == 2 and os.path.basename(argv[0]) == b"sleep" and argv[1] == marker.encode()
    return sorted(p for p in pids() if is_worker(cmdline(p)) and alive(p))


def cpu_ticks(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, IndexError):
        return 0


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def wait_until(condition, deadline=DEADLINE, every=0.001):
    until = time.monotonic() + deadline
    while time.monotonic() < until:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise TimeoutError("condition not met within %s s" % deadline)


def started_at_once(argv, count):
    """ms to start `count` copies of argv at once, each writing to a pipe that is read to its end, and to see every one
    exit: what a round of `count` ping commands costs this machine's kernel, with no launcher in it."""
    start = time.perf_counter()
    children = []
    try:
        for _ in range(count):
            r, w = os.pipe()
            try:
                pid = os.posix_spawnp(argv[0], argv, os.environ,
                                      file_actions=[(os.POSIX_SPAWN_DUP2, w, 1), (os.POSIX_SPAWN_DUP2, w, 2)])
            except OSError:
                os.close(r)
                raise
            finally:
                os.close(w)
            children.append((pid, r))
        while children:
            pid, r = children[0]
            while os.read(r, 4096):
                pass
            os.close(r)
            os.waitpid(pid, 0)
            children.pop(0)
        return (time.perf_counter() - start) * 1000
    finally:
        for pid, r in children:  # only after a failure: nothing left running, no fd left open
            os.close(r)
            os.waitpid(pid, 0)


def timed(argv, env=None):
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
    return (time.perf_counter() - start) * 1000


class ForegroundSupervisor:
    """A supervisor that runs as our child (`self.proc`): stopped with SIGTERM, killed with SIGKILL."""

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(DEADLINE)

    def kill(self):
        self.proc.kill()
        self.proc.wait(DEADLINE)


class Launcher(ForegroundSupervisor):
    name = "launcher"

    def __init__(self, work, n, marker):
        self.work, self.n, self.marker = work, n, marker
        self.env = dict(os.environ, LAUNCHER_RUNTIME_DIR=os.path.join(work, "runtime"))
        self.config = os.path.join(work, "launcher.json")
        with open(self.config, "w") as f:
            json.dump({"instance": "peers%d" % os.getpid(), "command": ["sleep", marker], "workers": n,
                       "logDir": os.path.join(work, "logs"), "startTimeoutSeconds": 120,
                       "ping": {"command": ["echo", "{node}"], "intervalSeconds": 86400},
                       "restart": {"initialDelaySeconds": 0}}, f)

    def start(self):
        self.out = open(os.path.join(self.work, "out"), "w+")
        self.proc = subprocess.Popen([LAUNCHER, "run", "--config", self.config], stdout=self.out,
                                     stderr=subprocess.DEVNULL, env=self.env, cwd=self.work)
        wait_until(lambda: "ready:" in open(self.out.name).read() or self.proc.poll() is not None, every=0.002)
        if self.proc.poll() is not None:
            raise RuntimeError("launcher exited %s" % self.proc.returncode)

    def own_pids(self):
        kids = [p for p in pids() if alive(p) and b"__watchdog" in cmdline(p) and ppid(p) == self.proc.pid]
        return [self.proc.pid] + kids

    def status(self):
        return [LAUNCHER, "status", "--config", self.config], self.env

    def cli(self):
        """The floor and the commands whose goal is relative to it (issue 12, part 3), by row key."""
        return {"version_ms": [LAUNCHER, "--version"],
                "status_ms": [LAUNCHER, "status", "--config", self.config],
                "status_json_ms": [LAUNCHER, "status", "--json", "--config", self.config],
                "ping_ms": [LAUNCHER, "ping", "--config", self.config],
                # Not a command: the floor under `ping` above, the same ten `echo`s started at once from here.
                "echoes_ms": lambda: started_at_once(["echo", "api1@host"], self.n)}


class Supervisord(ForegroundSupervisor):
    name = "supervisord"

    def __init__(self, work, n, marker):
        self.work, self.n, self.marker = work, n, marker
        self.conf = os.path.join(work, "supervisord.conf")
        sock = os.path.join(work, "s.sock")
        with open(self.conf, "w") as f:
            f.write(f"""[unix_http_server]
file={sock}
[supervisord]
nodaemon=true
logfile={work}/supervisord.log
pidfile={work}/supervisord.pid
childlogdir={work}
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
[supervisorctl]
serverurl=unix://{sock}
[program:w]
command=sleep {marker}
numprocs={n}
process_name=%(program_name)s_%(process_num)02d
startsecs=0
autorestart=true
startretries=1000
stopwaitsecs=10
""")

    def start(self):
        self.proc = subprocess.Popen(["supervisord", "-c", self.conf], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, cwd=self.work)
        wait_until(lambda: len(workers(self.marker)) == self.n, every=0.002)

    def own_pids(self):
        return [self.proc.pid]

    def status(self):
        return ["supervisorctl", "-c", self.conf, "status"], None


class Pm2:
    name = "pm2"

    def __init__(self, work, n, marker):
        self.work, self.n, self.marker = work, n, marker
        self.env = dict(os.environ, PM2_HOME=os.path.join(work, "pm2"))
        self.eco = os.path.join(work, "ecosystem.json")
        with open(self.eco, "w") as f:
            json.dump({"apps": [{"name": "w%d" % i, "script": "sleep", "args": marker, "interpreter": "none",
                                 "autorestart": True, "restart_delay": 0} for i in range(n)]}, f)

    def start(self):
        subprocess.run(["pm2", "start", self.eco], env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        wait_until(lambda: len(workers(self.marker)) == self.n, every=0.002)

    def daemon(self):
        with open(os.path.join(self.env["PM2_HOME"], "pm2.pid")) as f:
            return int(f.read().strip())

    def own_pids(self):
        return [self.daemon()]

    def status(self):
        return ["pm2", "jlist"], self.env

    def stop(self):
        subprocess.run(["pm2", "kill"], env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)

    def kill(self):
        os.kill(self.daemon(), signal.SIGKILL)


def ppid(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError):
        return 0


def cleanup(marker):
    for p in workers(marker):
        try:
            os.kill(p, signal.SIGKILL)
        except ProcessLookupError:
            pass


def measure(kind, n, full):
    work = tempfile.mkdtemp(prefix="lp-")
    marker = str(700000 + (os.getpid() * 7 + n + hash(kind.name)) % 99999)
    sup = kind(work, n, marker)
    row = {}
    try:
        t0 = time.perf_counter()
        sup.start()
        row["ready_ms"] = (time.perf_counter() - t0) * 1000
        if full:
            time.sleep(3)
            own = sup.own_pids()
            before = sum(cpu_ticks(p) for p in own)
            time.sleep(IDLE)
            row["idle_cpu_ms"] = (sum(cpu_ticks(p) for p in own) - before) * 1000 / HZ
            row["rss_mib"] = sum(rss_kib(p) for p in sup.own_pids()) / 1024
            argv, env = sup.status()
            row["status_ms"] = statistics.median(timed(argv, env) for _ in range(10))
            if hasattr(sup, "cli"):
                # Interleaved, so that a burst of load on this shared machine hits the floor and the commands alike.
                commands = sup.cli()
                times = {key: [] for key in commands}
                for _ in range(CLI_ROUNDS):
                    for key, command in commands.items():
                        times[key].append(command() if callable(command) else timed(command, sup.env))
                row.update({key: statistics.median(values) for key, values in times.items()})
            restarts = []
            for _ in range(ROUNDS):
                old = set(workers(marker))
                if not old:
                    raise RuntimeError("%s: no worker left to kill (the supervisor gave up?); see %s" % (kind.name, work))
                victim = min(old)
                t = time.perf_counter()
                os.kill(victim, signal.SIGKILL)
                wait_until(lambda: len(set(workers(marker)) - old) >= 1, every=0.0002)
                restarts.append((time.perf_counter() - t) * 1000)
                wait_until(lambda: len(workers(marker)) == n)
                time.sleep(0.5)
            row["restart_ms"] = statistics.median(restarts)
            t = time.perf_counter()
            sup.stop()
            wait_until(lambda: not workers(marker), every=0.001)
            row["stop_ms"] = (time.perf_counter() - t) * 1000
            sup.start()
            sup.kill()
            time.sleep(2)
            row["orphans"] = len(workers(marker))
        else:
            sup.stop()
            wait_until(lambda: not workers(marker))
    except Exception:
        keep = work + ".failed"
        shutil.copytree(work, keep, dirs_exist_ok=True, ignore_dangling_symlinks=True, ignore=shutil.ignore_patterns("*.sock", "s.sock"))
        print("peers: %s failed; its files are in %s" % (kind.name, keep), file=sys.stderr)
        raise
    finally:
        try:
            sup.kill()
        except Exception:
            pass
        cleanup(marker)
        shutil.rmtree(work, ignore_errors=True)
    return row


def now_ready(paths, text):
    ready = 0
    for path in paths:
        try:
            with open(path) as f:
                ready += text in f.read()
        except OSError:
            pass
    return ready


def sample_ready(n, direct):
    """ms from starting n SampleWorkers to all of them ready: directly (each its own instance, every one registered,
    that is answering pings), or under `launcher run` (its `ready:` line, after verification)."""
    work = tempfile.mkdtemp(prefix="lp-sw-")
    env = dict(os.environ, LAUNCHER_RUNTIME_DIR=os.path.join(work, "runtime"))
    procs, outs = [], []
    try:
        t0 = time.perf_counter()
        if direct:
            for i in range(n):
                out = open(os.path.join(work, "direct.%d.out" % i), "w")
                outs.append(out)
                procs.append(subprocess.Popen([SAMPLE_WORKER, "--tick-seconds", "60"], stdout=out, stderr=subprocess.STDOUT,
                                              env=dict(env, LAUNCHER_INSTANCE="direct%d" % i), cwd=work))
            wait_until(lambda: now_ready([o.name for o in outs], "Registered as") == n, every=0.005)
        else:
            config = os.path.join(work, "launcher.json")
            with open(config, "w") as f:
                json.dump({"instance": "sw%d" % os.getpid(), "command": [SAMPLE_WORKER, "--tick-seconds", "60"], "workers": n,
                           "logDir": os.path.join(work, "logs"), "startTimeoutSeconds": 300, "stopGraceSeconds": 10}, f)
            out = open(os.path.join(work, "run.out"), "w")
            outs.append(out)
            procs.append(subprocess.Popen([LAUNCHER, "run", "--config", config], stdout=out, stderr=subprocess.STDOUT, env=env, cwd=work))
            wait_until(lambda: now_ready([out.name], "ready:") or procs[0].poll() is not None, every=0.005)
            if procs[0].poll() is not None:
                raise RuntimeError("launcher exited %s; see %s" % (procs[0].returncode, work))
        return (time.perf_counter() - t0) * 1000
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(60)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        for out in outs:
            out.close()
        shutil.rmtree(work, ignore_errors=True)


def agent_ping():
    """`launcher ping` of 10 SampleWorkers (the agent answers on its socket, no process per ping) and `launcher
    --version`, in interleaved rounds against one running launcher (scheduled pings once a day); medians, ms."""
    work = tempfile.mkdtemp(prefix="lp-ap-")
    env = dict(os.environ, LAUNCHER_RUNTIME_DIR=os.path.join(work, "runtime"))
    config = os.path.join(work, "launcher.json")
    with open(config, "w") as f:
        json.dump({"instance": "ap%d" % os.getpid(), "command": [SAMPLE_WORKER, "--tick-seconds", "60"], "workers": 10,
                   "logDir": os.path.join(work, "logs"), "startTimeoutSeconds": 300, "stopGraceSeconds": 10,
                   "ping": {"intervalSeconds": 86400}}, f)
    out = open(os.path.join(work, "run.out"), "w")
    proc = subprocess.Popen([LAUNCHER, "run", "--config", config], stdout=out, stderr=subprocess.STDOUT, env=env, cwd=work)
    try:
        wait_until(lambda: now_ready([out.name], "ready:") or proc.poll() is not None, every=0.005)
        if proc.poll() is not None:
            raise RuntimeError("launcher exited %s; see %s" % (proc.returncode, work))
        commands = {"version_ms": [LAUNCHER, "--version"], "ping_ms": [LAUNCHER, "ping", "--config", config]}
        # The workers are JIT-compiled: their ping path is rejitted at full optimization after 30 calls, in the
        # background; pings timed before that measure the workers' compiler, not the launcher.
        for _ in range(40):
            for command in commands.values():
                timed(command, env)
        settle()
        times = {key: [] for key in commands}
        for _ in range(3 * CLI_ROUNDS):  # more rounds than the other rows: ten workers answering spread it wider
            for key, command in commands.items():
                times[key].append(timed(command, env))
        return {key: statistics.median(values) for key, values in times.items()}
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        out.close()
        shutil.rmtree(work, ignore_errors=True)


def settle(busy_share=0.2, limit=90):
    """Waits (at most `limit` s) until the machine's CPUs are busy less than `busy_share` of a second: ten SampleWorkers
    go on warming up for seconds after they answer, and what ran before them may still be ending; pings timed
    meanwhile measure that, not the ping."""
    def busy_idle():
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
        return sum(fields) - fields[3] - fields[4], fields[3] + fields[4]
    until = time.monotonic() + limit
    while time.monotonic() < until:
        busy, idle = busy_idle()
        time.sleep(1)
        busy2, idle2 = busy_idle()
        if (busy2 - busy) < busy_share * ((busy2 - busy) + (idle2 - idle)):
            return


def goals(launcher):
    """Issue 12's goals that have no peer, each next to its reference from this same run."""
    rows = []
    floor = launcher["version_ms"]
    for key, label, slack in (("status_ms", "`launcher status`, 10 workers", 3), ("status_json_ms", "`launcher status --json`, 10 workers", 3),
                              ("ping_ms", "`launcher ping`, 10 workers (ping.command)", 5)):
        value = launcher[key]
        rows.append((label, value, "`launcher --version` %.1f" % floor, "+%.1f ms" % (value - floor), "<= +%d ms" % slack, value - floor <= slack))
    # Where that ping's time goes: ten process starts, which no supervisor can skip (not a goal of the issue).
    echoes = launcher["echoes_ms"]
    rows.append(("`launcher ping`, 10 workers (ping.command), above its floor", launcher["ping_ms"],
                 "`--version` %.1f + ten `echo` started at once %.1f" % (floor, echoes),
                 "%+.1f ms" % (launcher["ping_ms"] - floor - echoes), "(where the time goes)", None))
    if os.access(SAMPLE_WORKER, os.X_OK):
        agent = agent_ping()
        rows.append(("`launcher ping`, 10 SampleWorkers (agent sockets)", agent["ping_ms"], "`launcher --version` %.1f" % agent["version_ms"],
                     "+%.1f ms" % (agent["ping_ms"] - agent["version_ms"]), "<= +5 ms", agent["ping_ms"] - agent["version_ms"] <= 5))
        for n in (10, 50):
            direct, run = [], []
            for i in range(READY_ROUNDS):
                # Alternating which goes first, so that neither always starts on a machine the other just warmed.
                for is_direct in ((True, False) if i % 2 == 0 else (False, True)):
                    (direct if is_direct else run).append(sample_ready(n, is_direct))
            d, r = statistics.median(direct), statistics.median(run)
            rows.append(("`run` -> ready, %d SampleWorkers" % n, r, "started directly, all answering %.0f" % d, "x%.2f" % (r / d), "<= x1.10", r <= d * 1.10))
    else:
        print("peers: %s missing (scripts/build.sh): no SampleWorker rows" % SAMPLE_WORKER, file=sys.stderr)
    print()
    print("| goal (issue 12) | launcher (ms) | reference (ms), same run | launcher vs reference | goal | met |")
    print("|---|---|---|---|---|---|")
    for label, value, reference, versus, goal, met in rows:
        print("| %s | %.1f | %s | %s | %s | %s |" % (label, value, reference, versus, goal, "-" if met is None else "yes" if met else "NO"))
    print("(medians: %d interleaved rounds of the commands (%d for the agent sockets), %d of each start; load average at the end: %s)"
          % (CLI_ROUNDS, 3 * CLI_ROUNDS, READY_ROUNDS, " ".join(open("/proc/loadavg").read().split()[:3])))


def main():
    if not os.access(LAUNCHER, os.X_OK):
        sys.exit("peers: %s missing: run scripts/build.sh first" % LAUNCHER)
    kinds = [Launcher]
    for kind, exe in ((Supervisord, "supervisord"), (Pm2, "pm2")):
        if shutil.which(exe):
            kinds.append(kind)
        else:
            print("peers: %s not installed (bench/install-peers.sh); skipped" % exe, file=sys.stderr)
    results = {}
    for kind in kinds:
        print("peers: measuring %s..." % kind.name, file=sys.stderr)
        row = measure(kind, 10, full=True)
        for n in (1, 50):
            row["ready_%d_ms" % n] = measure(kind, n, full=False)["ready_ms"]
        row["ready_10_ms"] = row.pop("ready_ms")
        results[kind.name] = row

    figures = [("idle_cpu_ms", "CPU, 10 idle workers, %ds (ms)" % IDLE), ("rss_mib", "RSS of the supervisor (MiB)"),
               ("status_ms", "status command (ms)"), ("restart_ms", "SIGKILL -> replacement running (ms)"),
               ("ready_1_ms", "start -> ready, 1 worker (ms)"), ("ready_10_ms", "start -> ready, 10 workers (ms)"),
               ("ready_50_ms", "start -> ready, 50 workers (ms)"), ("stop_ms", "SIGTERM -> all workers gone (ms)"),
               ("orphans", "workers alive 2 s after SIGKILL of the supervisor")]
    names = list(results)
    print("| figure | " + " | ".join(names) + " | launcher / best peer |")
    print("|---|" + "---|" * (len(names) + 1))
    for key, label in figures:
        cells = ["%.1f" % results[n][key] for n in names]
        peers = [results[n][key] for n in names if n != "launcher"]
        best = min(peers) if peers else None
        ratio = "-" if not best else "%.2f" % (results["launcher"][key] / best)
        print("| %s | %s | %s |" % (label, " | ".join(cells), ratio))
    print("(launcher: ready = verified, pings once a day, restart.initialDelaySeconds 0; supervisord startsecs=0; "
          "pm2 restart_delay 0; peers: ready = every worker process running)")
    print("peers: measuring the goals without a peer...", file=sys.stderr)
    goals(results["launcher"])


if __name__ == "__main__":
    main()
