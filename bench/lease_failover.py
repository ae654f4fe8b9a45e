#!/usr/bin/env python3
"""Issue 14 closing numbers: failover of a Redis-coordinated instance between two simulated hosts.

Each host is `launcher run --standby` in its own UTS + pid namespace (unshare, root), with its own hostname,
runtime directory and a TCP proxy in front of a private redis-server. Per round the holder is either SIGKILLed
or cut off by stalling its proxy (connections stay open, no bytes flow); the failover time is from that moment
to the standby's `ready:` line. A sampler reads /proc every 10 ms and records which hosts run a live worker of
the instance (LAUNCHER_NODE=api<pid>@<host> in the worker's environment): the longest window with zero hosts
and with two hosts (must be 0). Run by bench/lease-failover.sh.
"""
import json, os, signal, socket, statistics, subprocess, sys, tempfile, threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LAUNCHER = os.path.join(ROOT, "artifacts/launcher/launcher")
WORKER = os.path.join(ROOT, "artifacts/launcher/SampleWorker")
ROUNDS = int(os.environ.get("ROUNDS", "10"))
TTL = float(os.environ.get("TTL", "5"))
INSTANCE = f"leasebench{os.getpid()}"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Proxy:
    """Forwards 127.0.0.1:port to redis; stall() holds every byte in both directions, connections stay open."""

    def __init__(self, target):
        self.target, self.flowing, self.sockets = target, threading.Event(), []
        self.flowing.set()
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target))
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, a, b):
        try:
            while data := a.recv(65536):
                self.flowing.wait()
                b.sendall(data)
        except OSError:
            pass
        for s in (a, b):
            try:
                s.close()
            except OSError:
                pass

    def stall(self):
        self.flowing.clear()

    def resume_fresh(self):
        """Drop the stalled connections (their launcher is gone) and forward again."""
        for s in self.sockets:
            try:
                s.close()
            except OSError:
                pass
        self.sockets = []
        self.flowing.set()


class Host:
    def __init__(self, work, name, proxy):
        self.name, self.proxy = name, proxy
        d = os.path.join(work, name)
        os.makedirs(os.path.join(d, "runtime"), exist_ok=True)
        self.config = os.path.join(d, "launcher.json")
        with open(self.config, "w") as f:
            json.dump({"instance": INSTANCE, "command": [WORKER, "--tick-seconds", "5"], "workers": 1, "logDir": "logs",
                       "stopGraceSeconds": 2, "coordination": {"kind": "redis", "url": f"redis://127.0.0.1:{proxy.port}", "ttlSeconds": TTL}}, f)
        self.env = dict(os.environ, LAUNCHER_RUNTIME_DIR=os.path.join(d, "runtime"))
        self.proc, self.ready_at, self.lines = None, None, []

    def start(self):
        self.ready_at, self.lines = None, []
        self.proc = subprocess.Popen(
            ["unshare", "--uts", "--pid", "--fork", "--mount-proc", "--kill-child=SIGKILL", "/bin/bash", "-c",
             'hostname "$0" && "$@"; exit $?', self.name, LAUNCHER, "run", "--standby", "--config", self.config],
            env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=self._read, args=(self.proc,), daemon=True).start()

    def _read(self, proc):
        for line in proc.stdout:
            self.lines.append(line.rstrip())
            if "ready:" in line and self.ready_at is None:
                self.ready_at = time.monotonic()

    def launcher_pid(self):
        for pid in descendants(self.proc.pid):
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    if f.read().split(b"\0")[:2] == [LAUNCHER.encode(), b"run"]:
                        return pid
            except OSError:
                pass
        return None

    def wait_gone(self, timeout=60):
        self.proc.wait(timeout)


def descendants(root):
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    out, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


class Sampler(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.marker = f"LAUNCHER_INSTANCE={INSTANCE}".encode()
        self.stop, self.longest = False, {0: 0.0, 2: 0.0}
        self.samples = 0

    def hosts(self):
        found = set()
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/environ", "rb") as f:
                    env = f.read().split(b"\0")
                with open(f"/proc/{entry}/stat") as f:
                    if f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X"):
                        continue
            except OSError:
                continue
            if self.marker in env:
                node = next((e for e in env if e.startswith(b"LAUNCHER_NODE=")), None)
                if node and b"@" in node:
                    found.add(node.split(b"@", 1)[1].decode())
        return found

    def run(self):
        since = {0: None, 2: None}
        seen = False
        while not self.stop:
            n = len(self.hosts())
            now = time.monotonic()
            self.samples += 1
            seen |= n > 0
            for k, hit in ((0, n == 0 and seen), (2, n >= 2)):
                if hit:
                    since[k] = since[k] or now
                    self.longest[k] = max(self.longest[k], now - since[k])
                else:
                    since[k] = None
            time.sleep(0.01)


def wait_for(predicate, timeout, what):
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        if predicate():
            return
        time.sleep(0.01)
    raise SystemExit(f"lease-failover: timed out waiting for {what}")


def main():
    if os.geteuid() != 0:
        raise SystemExit("lease-failover: needs root (unshare --uts --pid)")
    work = tempfile.mkdtemp(prefix="lf-")
    port = free_port()
    redis = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                             stdout=subprocess.DEVNULL)
    hosts = []
    try:
        wait_for(lambda: subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True).stdout.strip() == "PONG", 10, "redis")
        subprocess.run(["redis-cli", "-p", str(port), "set", f"launcher:{{{INSTANCE}}}:fence", "0"], capture_output=True)
        hosts = [Host(work, name, Proxy(port)) for name in ("alpha", "bravo")]
        for h in hosts:
            h.start()
        wait_for(lambda: any(h.ready_at for h in hosts), 60, "the first ready line")
        sampler = Sampler()
        sampler.start()
        results = {"SIGKILL": [], "stall": []}
        for kind in ("SIGKILL", "stall"):
            for _ in range(ROUNDS):
                holder = next(h for h in hosts if h.ready_at and h.proc.poll() is None)
                standby = next(h for h in hosts if h is not holder)
                wait_for(lambda: any("Standing by" in l for l in standby.lines), 60, "the standby")
                time.sleep(TTL / 2)  # a few renewals in the holder's steady state
                start = time.monotonic()
                if kind == "SIGKILL":
                    os.kill(holder.launcher_pid(), signal.SIGKILL)
                else:
                    holder.proxy.stall()
                wait_for(lambda: standby.ready_at is not None, TTL * 4 + 60, f"{standby.name} ready after {kind}")
                results[kind].append(standby.ready_at - start)
                holder.wait_gone()
                holder.proxy.resume_fresh()
                holder.start()
        sampler.stop = True
        sampler.join()
        print(f"lease failover: {ROUNDS} rounds each, TTL {TTL:g} s, 2 hosts (UTS+pid namespaces), {sampler.samples} samples every 10 ms")
        for kind, times in results.items():
            ms = [t * 1000 for t in times]
            print(f"  after {kind:7}: median {statistics.median(ms):6.0f} ms, max {max(ms):6.0f} ms (until the standby's worker is verified)")
        print(f"  longest window with zero hosts running a worker: {sampler.longest[0] * 1000:.0f} ms")
        print(f"  longest window with two hosts running a worker:  {sampler.longest[2] * 1000:.0f} ms")
        if sampler.longest[2] > 0:
            sys.exit(1)
    finally:
        for h in hosts:
            if h.proc and h.proc.poll() is None:
                h.proc.kill()  # unshare --kill-child takes the namespace down with it
                h.proc.wait()
        redis.kill()
        redis.wait()
        subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    main()
