using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using NUnit.Framework;

namespace Launcher.Tests.Support;

/// <summary>
/// Runs the shipped examples (<c>examples/celery</c>, <c>examples/rq</c>, <c>examples/shell</c>) for real: a copy
/// of the example's files in the sandbox, and the example's own <c>launcher.json</c> with only what must differ per
/// test replaced (instance, directories, Redis URL, and stray patterns limited to the sandbox's copy).
/// </summary>
internal static partial class Examples
{
    private static readonly TimeSpan CommandDeadline = TimeSpan.FromSeconds(30);
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary><c>examples/&lt;name&gt;</c> in the repository.</summary>
    public static string SourceDir(string name) => Path.Combine(Repo.Root, "examples", name);

    /// <summary><c>integrations/</c> in the repository: the RQ, Celery and SQLite scripts the examples use.</summary>
    public static string IntegrationsDir => Path.Combine(Repo.Root, "integrations");

    /// <summary>
    /// Copies the example's files (not its logs) to <c>&lt;sandbox&gt;/examples/&lt;name&gt;</c> and the repository's
    /// <c>integrations/</c> to <c>&lt;sandbox&gt;/integrations</c>, the layout of the repository, so the example's
    /// <c>{configDir}/../../integrations/...</c> commands find the copy; returns the example's directory.
    /// </summary>
    public static string CopyInto(Sandbox sandbox, string name)
    {
        var target = Path.Combine(sandbox.Dir, "examples", name);
        CopyFiles(SourceDir(name), target);
        CopyIntegrations(sandbox);
        return target;
    }

    /// <summary>Copies <c>integrations/</c> (its scripts, not caches) to <c>&lt;sandbox&gt;/integrations</c> once; returns that directory.</summary>
    public static string CopyIntegrations(Sandbox sandbox)
    {
        var target = Path.Combine(sandbox.Dir, "integrations");
        if (Directory.Exists(target))
            return target;
        foreach (var directory in Directory.EnumerateDirectories(IntegrationsDir).Where(d => Path.GetFileName(d) != "__pycache__"))
            CopyFiles(directory, Path.Combine(target, Path.GetFileName(directory)));
        CopyFiles(IntegrationsDir, target);
        return target;
    }

    private static void CopyFiles(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(source).Where(f => !f.EndsWith(".pyc", StringComparison.Ordinal)))
        {
            var copy = Path.Combine(target, Path.GetFileName(file));
            File.Copy(file, copy);
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(copy, File.GetUnixFileMode(file));
        }
    }

    /// <summary>The example's <c>launcher.json</c>, parsed.</summary>
    public static JsonObject LoadConfig(string name) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(SourceDir(name), "launcher.json")))!.AsObject();

    /// <summary>
    /// Overwrites the copy's <c>launcher.json</c> with the example's, changed only where a test must differ: the
    /// sandbox's instance, <paramref name="environment"/> merged in, and each <c>strays.match</c> pattern limited to
    /// command lines naming the copy (so a test never kills another test's, or a developer's, workers). Paths in it
    /// stay relative to the copy, as in the example. Returns the config path.
    /// </summary>
    public static string WriteConfig(Sandbox sandbox, string name, string copy, IReadOnlyDictionary<string, string?>? environment = null, Action<JsonObject>? adjust = null)
    {
        var config = LoadConfig(name);
        config["instance"] = sandbox.Instance;
        if (environment is not null)
        {
            var env = config["environment"] as JsonObject ?? [];
            foreach (var (key, value) in environment)
                env[key] = value;
            config["environment"] = env;
        }

        if (config["strays"]?["match"] is JsonArray patterns)
        {
            for (var i = 0; i < patterns.Count; i++)
                patterns[i] = ScopedTo(copy, patterns[i]!.GetValue<string>());
        }

        adjust?.Invoke(config);
        var path = Path.Combine(copy, "launcher.json");
        File.WriteAllText(path, config.ToJsonString(Indented));
        return path;
    }

    /// <summary>The example's first <c>strays.match</c> pattern, as the launcher compiles it.</summary>
    public static Regex StrayPattern(string name) =>
        new(LoadConfig(name)["strays"]!["match"]![0]!.GetValue<string>(), RegexOptions.CultureInvariant);

    /// <summary><paramref name="pattern"/>, matching only command lines that also name <paramref name="directory"/>.</summary>
    public static string ScopedTo(string directory, string pattern) => $"(?=.*{Regex.Escape(directory)}(/| |$))(?:{pattern})";

    /// <summary>Live processes whose command line satisfies <paramref name="predicate"/>.</summary>
    public static IReadOnlyList<int> ProcessesWhere(Func<string, bool> predicate) =>
        ProcessProbe.AllPids()
            .Where(pid => ProcessProbe.CommandLine(pid) is { } line && predicate(line) && ProcessProbe.IsAlive(pid))
            .Order()
            .ToList();

    /// <summary>The pids of the <c>Started worker ... (pid N)</c> lines a launcher printed so far, in order.</summary>
    public static IReadOnlyList<int> StartedPids(LauncherProcess launcher) =>
        launcher.StdoutLines.Concat(launcher.StderrLines)
            .Select(line => StartedLine().Match(line))
            .Where(match => match.Success)
            .Select(match => int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture))
            .ToList();

    /// <summary>
    /// Runs a short command to completion (tracked by the sandbox) and returns its exit code and output; fails the
    /// test with the output when it runs longer than 30 s.
    /// </summary>
    public static async Task<(int ExitCode, string Stdout, string Output)> RunAsync(
        Sandbox sandbox,
        string program,
        IEnumerable<string> args,
        string workingDirectory,
        IReadOnlyDictionary<string, string?>? environment,
        CancellationToken cancellationToken)
    {
        await using var process = LauncherProcess.StartProgram(sandbox, program, args, workingDirectory, environment);
        var exitCode = await process.WaitForExitAsync(CommandDeadline, cancellationToken);
        return (exitCode, string.Join('\n', process.StdoutLines), process.Output);
    }

    /// <summary><c>redis-cli --raw</c> against <paramref name="redis"/>; the reply's lines (empty for nil or an empty list).</summary>
    public static async Task<IReadOnlyList<string>> RedisAsync(RedisServer redis, CancellationToken cancellationToken, params string[] command)
    {
        var cli = Path.Combine(Path.GetDirectoryName(RedisServer.Executable!)!, "redis-cli");
        var startInfo = new ProcessStartInfo(File.Exists(cli) ? cli : "redis-cli")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in (string[])["-h", "127.0.0.1", "-p", redis.Port.ToString(CultureInfo.InvariantCulture), "--raw", .. command])
            startInfo.ArgumentList.Add(arg);

        using var process = Process.Start(startInfo)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CommandDeadline);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw;
        }

        var output = await stdout;
        Assert.That(process.ExitCode, Is.Zero, $"redis-cli {string.Join(' ', command)} failed: {output}{await stderr}");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    [GeneratedRegex(@"Started worker \S+ \(pid (\d+)\)")]
    private static partial Regex StartedLine();
}
