using System.Globalization;
using System.Text.Json;

namespace Launcher.Tests.Support;

/// <summary>
/// A broker for census tests, without a broker: <c>census.py</c> in the sandbox prints, in the census format, the
/// node of every registration in the sandbox's runtime directory (the launcher's own workers), every line of
/// <c>broker.txt</c> (registrations that stay until a hook removes them), and for each <c>node pid</c> line of
/// <c>alive.txt</c> a JSON line with that pid and a heartbeat of now while the pid lives (a consumer that keeps
/// beating). <c>census-mode</c> makes it fail (exit 3 with a line on stderr), hang, or print garbage.
/// <c>hook.py</c>, the <c>onWorkerExit</c> command, appends <c>reason node pid code=...</c> to <c>hooks.log</c>, and
/// for reason <c>lost</c> removes the node from <c>broker.txt</c>, as <c>integrations/rq/lost.py</c> does in Redis.
/// </summary>
internal sealed class FakeBroker
{
    private const string CensusScript = """
        import glob, json, os, sys, datetime, time
        d, instance = sys.argv[1], sys.argv[2]
        def read(name):
            path = os.path.join(d, name)
            return open(path).read() if os.path.exists(path) else ""
        mode = read("census-mode").strip()
        if mode == "fail":
            print("starting census", file=sys.stderr); print("redis unreachable at 127.0.0.1:1", file=sys.stderr); sys.exit(3)
        if mode == "hang":
            time.sleep(3600)
        if mode == "garbage":
            print("<html>502 Bad Gateway</html>"); sys.exit(0)
        for f in sorted(glob.glob(os.path.join(os.environ["LAUNCHER_RUNTIME_DIR"], instance, "workers", "*.json"))):
            try:
                print(json.dumps({"node": json.load(open(f))["node"]}))
            except Exception:
                pass
        for line in read("broker.txt").splitlines():
            print(line)
        def alive(pid):
            try:
                os.kill(pid, 0)
            except OSError:
                return False
            try:
                return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
            except OSError:
                return True
        now = datetime.datetime.now(datetime.timezone.utc).isoformat()
        for line in read("alive.txt").splitlines():
            if line.strip():
                node, pid = line.split()
                if alive(int(pid)):
                    print(json.dumps({"node": node, "pid": int(pid), "heartbeat": now}))
        """;

    private const string HookScript = """
        import os, sys
        d = sys.argv[1]
        reason, node = os.environ["LAUNCHER_EXIT_REASON"], os.environ["LAUNCHER_NODE"]
        with open(os.path.join(d, "hooks.log"), "a") as log:
            log.write(f"{reason} {node} {os.environ.get('LAUNCHER_WORKER_PID', '')} code={os.environ.get('LAUNCHER_EXIT_CODE', '')}\n")
        broker = os.path.join(d, "broker.txt")
        if reason == "lost" and os.path.exists(broker):
            lines = [l for l in open(broker).read().splitlines() if node not in l]
            open(broker, "w").write("".join(l + "\n" for l in lines))
        """;

    private readonly Sandbox _sandbox;

    public FakeBroker(Sandbox sandbox)
    {
        _sandbox = sandbox;
        File.WriteAllText(Path.Combine(sandbox.Dir, "census.py"), CensusScript);
        File.WriteAllText(Path.Combine(sandbox.Dir, "hook.py"), HookScript);
    }

    /// <summary>This machine's host name, as node names carry it.</summary>
    public static string Host => System.Net.Dns.GetHostName();

    /// <summary>The <c>census</c> section running <c>census.py</c>.</summary>
    public static Dictionary<string, object?> Census(string scope = "host", double intervalSeconds = 30, double timeoutSeconds = 30) => new()
    {
        ["command"] = (string[])["/usr/bin/python3", "{configDir}/census.py", "{configDir}", "{instance}"],
        ["scope"] = scope,
        ["intervalSeconds"] = intervalSeconds,
        ["timeoutSeconds"] = timeoutSeconds,
    };

    /// <summary>The <c>onWorkerExit</c> section running <c>hook.py</c>.</summary>
    public static object Hook => new { command = (string[])["/usr/bin/python3", "{configDir}/hook.py", "{configDir}"], timeoutSeconds = 20 };

    /// <summary>Registrations that stay listed until a <c>lost</c> hook removes them (one census line each).</summary>
    public void Registered(params string[] lines) => File.WriteAllLines(Path.Combine(_sandbox.Dir, "broker.txt"), lines);

    /// <summary>A consumer listed with <paramref name="pid"/> and a fresh heartbeat while that pid lives.</summary>
    public void Consuming(string node, int pid) =>
        File.AppendAllText(Path.Combine(_sandbox.Dir, "alive.txt"), string.Create(CultureInfo.InvariantCulture, $"{node} {pid}\n"));

    /// <summary>"fail", "hang", "garbage", or "" (a good census).</summary>
    public void Mode(string mode) => File.WriteAllText(Path.Combine(_sandbox.Dir, "census-mode"), mode);

    /// <summary>What <c>hook.py</c> wrote: one <c>reason node pid code=...</c> line per run.</summary>
    public IReadOnlyList<string> HookRuns()
    {
        var path = Path.Combine(_sandbox.Dir, "hooks.log");
        return File.Exists(path) ? File.ReadAllLines(path) : [];
    }

    /// <summary>A JSON census line.</summary>
    public static string Json(string node, int? pid = null, string? host = null, string? heartbeat = null) =>
        JsonSerializer.Serialize(new Dictionary<string, object?> { ["node"] = node, ["pid"] = pid, ["host"] = host, ["heartbeat"] = heartbeat });
}
