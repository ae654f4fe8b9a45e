using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Launcher.Agent.Protocol;
using NUnit.Framework;

namespace Launcher.Tests.Support;

/// <summary>
/// One test's private world: a fresh short directory (<c>/tmp/lt-xxxxxxxx</c>, short because Unix socket paths
/// must stay under 108 bytes) with a <c>runtime/</c> directory passed to every launcher as
/// <c>LAUNCHER_RUNTIME_DIR</c>, and a unique instance name. Disposing it SIGKILLs every process the test tracked
/// and every process carrying this instance's marker, then deletes the directory: a failing test leaves nothing
/// running, and tests never see each other's workers, guards or registrations.
/// </summary>
internal sealed class Sandbox : IAsyncDisposable
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static readonly TimeSpan KillDeadline = TimeSpan.FromSeconds(10);
    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
    };

    private bool _disposed;
    private bool _sharesNamespace;

    /// <summary>Creates the directory and its <c>runtime/</c> subdirectory.</summary>
    public Sandbox()
    {
        var tempRoot = OperatingSystem.IsWindows() ? Path.GetTempPath() : "/tmp";
        string dir;
        do
        {
            dir = Path.Combine(tempRoot, "lt-" + RandomNumberGenerator.GetString(Alphabet, 8));
        }
        while (Directory.Exists(dir));

        Dir = Directory.CreateDirectory(dir).FullName;
        RuntimeDir = Directory.CreateDirectory(Path.Combine(Dir, "runtime")).FullName;
        Instance = "t" + RandomNumberGenerator.GetString(Alphabet, 8);
    }

    /// <summary>The sandbox directory; the default working directory of launchers started in it.</summary>
    public string Dir { get; }

    /// <summary><c>&lt;Dir&gt;/runtime</c>, passed as <c>LAUNCHER_RUNTIME_DIR</c>.</summary>
    public string RuntimeDir { get; }

    /// <summary>A unique instance name, <c>t&lt;8 random chars&gt;</c>.</summary>
    public string Instance { get; }

    /// <summary><c>&lt;Dir&gt;/launcher.json</c>, where <see cref="WriteConfig(string)"/> writes.</summary>
    public string ConfigPath => Path.Combine(Dir, "launcher.json");

    /// <summary><c>&lt;Dir&gt;/logs</c>, the default <c>logDir</c> of <see cref="LauncherConfig"/>.</summary>
    public string LogDir => Path.Combine(Dir, "logs");

    /// <summary>The runtime layout (lock, holder, registrations, sockets) of this sandbox's instance.</summary>
    public RuntimePaths Paths => new(RuntimeDir, Instance);

    /// <summary>Every process the test started or learned about; all are killed on dispose.</summary>
    public ProcessTracker Processes { get; } = new();

    /// <summary>
    /// The pid namespace every program of this sandbox runs in (see <see cref="InPidNamespaceAsync"/>), or null:
    /// then they run in the test's own.
    /// </summary>
    public PidNamespace? Namespace { get; private set; }

    /// <summary>
    /// A sandbox whose programs (<see cref="LauncherProcess.StartProgram"/>, so every launcher, CLI call, stray and
    /// worker it starts) all run in one private pid namespace: the norm for tests of kill paths. Skips the test,
    /// saying why, when pid namespaces are not permitted. Disposing the sandbox ends the namespace.
    /// </summary>
    public static async Task<Sandbox> InPidNamespaceAsync(CancellationToken cancellationToken = default)
    {
        var sandbox = new Sandbox();
        try
        {
            sandbox.Namespace = await PidNamespace.StartAsync(cancellationToken);
            return sandbox;
        }
        catch
        {
            await sandbox.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// A second sandbox (own directory, runtime directory and instance) whose programs run in
    /// <paramref name="owner"/>'s pid namespace, so launchers of both see each other (pids are per namespace).
    /// The namespace ends with <paramref name="owner"/>.
    /// </summary>
    public static Sandbox SharingNamespaceOf(Sandbox owner)
    {
        ArgumentNullException.ThrowIfNull(owner);
        return new Sandbox { Namespace = owner.Namespace, _sharesNamespace = true };
    }

    /// <summary>
    /// A live process the sandbox's programs can see, as <c>(pid, start ticks)</c> (a guard or registration that
    /// must name something alive): this test process, or in a pid namespace its init.
    /// </summary>
    public (int Pid, ulong StartTicks) LiveProcessInside =>
        Namespace is null
            ? (Environment.ProcessId, ProcessProbe.StartTicks(Environment.ProcessId)!.Value)
            : (1, ProcessProbe.StartTicks(Namespace.InitPid)!.Value);

    /// <summary>
    /// The pid the test sees (probes, signals) of a process the sandbox's programs know as
    /// <paramref name="pidInside"/> (a node name <c>api&lt;pid&gt;@host</c>, a registration, a report): the same
    /// number without a namespace. Fails the test when the namespace has no such process.
    /// </summary>
    public int SeenFromTest(int pidInside)
    {
        if (Namespace is null)
            return pidInside;
        return Namespace.OuterPid(pidInside)
            ?? throw new InvalidOperationException($"{Namespace} has no process with pid {pidInside}");
    }

    /// <summary>
    /// The pid the sandbox's programs know a process by (what the launcher prints and writes) for the pid
    /// <paramref name="pid"/> the test sees: the same number without a namespace.
    /// </summary>
    public int SeenInside(int pid)
    {
        if (Namespace is null)
            return pid;
        return Namespace.InnerPid(pid)
            ?? throw new InvalidOperationException($"pid {pid} is not a process in {Namespace}");
    }

    /// <summary>
    /// Serializes <paramref name="config"/> (an anonymous object, a dictionary or a <see cref="JsonNode"/>;
    /// property names camelCased) to <see cref="ConfigPath"/>. When it is an object without an <c>instance</c>
    /// key, this sandbox's <see cref="Instance"/> is added. Returns the path.
    /// </summary>
    public string WriteConfig(object config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var node = config is JsonNode given ? given.DeepClone() : JsonSerializer.SerializeToNode(config, JsonOptions);
        if (node is JsonObject json && !json.ContainsKey("instance"))
            json.Insert(0, "instance", Instance);

        return WriteConfig(node?.ToJsonString(JsonOptions) ?? "null");
    }

    /// <summary>Writes <paramref name="json"/> verbatim to <see cref="ConfigPath"/> (bad input too). Returns the path.</summary>
    public string WriteConfig(string json)
    {
        File.WriteAllText(ConfigPath, json);
        return ConfigPath;
    }

    /// <summary>Live processes this test left: tracked ones and any carrying this instance's marker.</summary>
    public IReadOnlyList<int> Survivors() => Processes.Survivors(Instance);

    /// <summary>Kills every survivor (SIGKILL), then deletes the directory. Safe to call twice.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;

        // The namespace first: its end kills everything in it at once, whatever the test knew about.
        if (Namespace is not null && !_sharesNamespace)
            await Namespace.DisposeAsync();
        var survivors = await Processes.KillAllAsync(Instance, KillDeadline);
        await DeleteDirectoryAsync();

        if (survivors.Count > 0)
        {
            var described = string.Join(", ", survivors.Select(pid => $"{pid} ({ProcessProbe.CommandLine(pid)})"));
            throw new InvalidOperationException(
                $"sandbox {Instance}: processes still alive {KillDeadline.TotalSeconds} s after SIGKILL: {described}");
        }
    }

    private async Task DeleteDirectoryAsync()
    {
        // A process killed a moment ago may still be closing a log file; retry briefly, then leave it to /tmp.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (Directory.Exists(Dir))
                    Directory.Delete(Dir, recursive: true);
                return;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                if (attempt == 5)
                {
                    TestContext.Progress.WriteLine($"sandbox {Instance}: could not delete {Dir}: {ex.Message}");
                    return;
                }

                await Task.Delay(100);
            }
        }
    }
}
