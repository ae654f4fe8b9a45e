using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests.WindowsTier;

/// <summary>
/// A Wine prefix of its own for one service test: a hard-linked copy of the tier's prefix (instant, no wineboot) with
/// machine-wide variables in its registry, its own wineserver and services.exe (the SCM), and one idle cmd.exe holding
/// them up. Why each piece: Wine 8's services.exe ignores a service's Environment value and gives every service one
/// environment built from the registry when it first starts one (so DOTNET_EnableWriteXorExecute=0 and
/// LAUNCHER_RUNTIME_DIR go into Session Manager\Environment before it boots); and a Wine prefix whose last program
/// exits shuts services.exe down, whose next boot starts every start= auto service again. Disposing kills the
/// prefix's wineserver (and with it every Wine process in it) and deletes the copy.
/// </summary>
internal sealed partial class WineServicePrefix : IAsyncDisposable
{
    private readonly Sandbox _sandbox;
    private readonly string _wine;
    private static int _commands;
    private Process? _keeper;

    private WineServicePrefix(Sandbox sandbox, string wine, string prefix)
    {
        _sandbox = sandbox;
        _wine = wine;
        Prefix = prefix;
    }

    public string Prefix { get; }

    /// <summary>The copy of the tier's prefix, with <paramref name="machineEnvironment"/> set for every program in it.</summary>
    public static async Task<WineServicePrefix> CreateAsync(Sandbox sandbox, IReadOnlyDictionary<string, string> machineEnvironment, CancellationToken cancellationToken)
    {
        var wine = WindowsBuild.Wine ?? throw new InvalidOperationException("no wine");
        var source = Environment.GetEnvironmentVariable("WINEPREFIX") is { Length: > 0 } set ? set : Path.Combine(WindowsBuild.Dir, "wineprefix");
        if (!File.Exists(Path.Combine(source, "system.reg")))
            Assert.Ignore($"windows-tier: no Wine prefix at {source} to copy (scripts/test-windows.sh creates it)");

        // Beside the source: hard links need the same file system.
        var prefix = source.TrimEnd('/') + "-service-" + sandbox.Instance;
        var copy = await RunAsync(sandbox, "/bin/cp", ["-al", source, prefix], new Dictionary<string, string>(), cancellationToken);
        Assert.That(copy.ExitCode, Is.EqualTo(0), copy.ToString());
        var created = new WineServicePrefix(sandbox, wine, prefix);
        // The registry files are rewritten by this prefix's wineserver: real copies, so the tier's prefix keeps its own.
        foreach (var hive in new[] { "user.reg", "userdef.reg" })
        {
            var path = Path.Combine(prefix, hive);
            var text = await File.ReadAllTextAsync(path, cancellationToken);
            File.Delete(path);
            await File.WriteAllTextAsync(path, text, cancellationToken);
        }

        var system = Path.Combine(prefix, "system.reg");
        var lines = (await File.ReadAllTextAsync(system, cancellationToken)).Split('\n').ToList();
        var section = lines.FindIndex(line => line.StartsWith(@"[System\\CurrentControlSet\\Control\\Session Manager\\Environment]", StringComparison.Ordinal));
        Assert.That(section, Is.GreaterThanOrEqualTo(0), $"{system} has no Session Manager\\Environment key");
        var at = section + 1;
        while (at < lines.Count && lines[at].StartsWith('#'))
            at++;
        lines.InsertRange(at, machineEnvironment.Select(pair => $"\"{pair.Key}\"=\"{pair.Value.Replace(@"\", @"\\", StringComparison.Ordinal)}\""));
        File.Delete(system);
        await File.WriteAllTextAsync(system, string.Join('\n', lines), cancellationToken);

        // The keeper: a cmd.exe waiting on its standard input for the whole test.
        var keeper = new ProcessStartInfo(wine) { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        keeper.ArgumentList.Add("cmd.exe");
        keeper.ArgumentList.Add("/k");
        foreach (var (name, value) in created.Variables())
            keeper.Environment[name] = value;
        created._keeper = Process.Start(keeper)!;
        sandbox.Processes.Track(created._keeper.Id);
        created._keeper.OutputDataReceived += (_, _) => { };
        created._keeper.ErrorDataReceived += (_, _) => { };
        created._keeper.BeginOutputReadLine();
        created._keeper.BeginErrorReadLine();
        return created;
    }

    /// <summary>Runs a Windows program (<c>sc.exe</c>, <c>launcher.exe</c>) in this prefix to its end.</summary>
    public Task<CliResult> WineAsync(string program, IEnumerable<string> arguments, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? environment = null)
    {
        return RunAsync(_sandbox, _wine, [program, .. arguments], Variables(environment), cancellationToken);
    }

    /// <summary>The service's state as <c>sc.exe query</c> prints it (1 STOPPED, 2 START_PENDING, 3 STOP_PENDING, 4 RUNNING), its exit codes and the whole output.</summary>
    public async Task<ServiceState> QueryAsync(string service, CancellationToken cancellationToken)
    {
        var query = await WineAsync("sc.exe", ["query", service], cancellationToken);
        int Field(Regex regex) => regex.Match(query.Stdout) is { Success: true } match ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : -1;
        return new ServiceState(Field(StateField()), Field(Win32ExitField()), Field(ServiceExitField()), query.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        var wineserver = Path.Combine(Path.GetDirectoryName(_wine)!, "wineserver");
        if (File.Exists(wineserver))
            await RunAsync(_sandbox, wineserver, ["-k"], Variables(), CancellationToken.None);
        if (_keeper is not null)
        {
            if (!_keeper.HasExited)
                _keeper.Kill();
            _keeper.Dispose();
        }

        for (var attempt = 1; attempt <= 5 && Directory.Exists(Prefix); attempt++)
        {
            try
            {
                Directory.Delete(Prefix, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt));
            }
        }
    }

    private Dictionary<string, string> Variables(IReadOnlyDictionary<string, string>? extra = null)
    {
        var variables = new Dictionary<string, string>
        {
            ["WINEPREFIX"] = Prefix,
            ["WINEDEBUG"] = "-all",
            ["WINEDLLOVERRIDES"] = "winedbg.exe=d",
            ["DOTNET_EnableWriteXorExecute"] = "0",
        };
        foreach (var (name, value) in extra ?? new Dictionary<string, string>())
            variables[name] = value;
        return variables;
    }

    private static async Task<CliResult> RunAsync(Sandbox sandbox, string program, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        // Output into files, not pipes: a Wine program that boots the prefix passes its handles on to services.exe and
        // friends, and a pipe would not reach its end until they exit.
        var output = Path.Combine(sandbox.Dir, $"wine-{Interlocked.Increment(ref _commands)}");
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = sandbox.Dir };
        foreach (var argument in (string[])["-c", "exec \"$0\" \"$@\" <" + "/dev/null >\"$WINE_TEST_OUT.out\" 2>\"$WINE_TEST_OUT.err\"", program, .. arguments])
            start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        start.Environment["WINE_TEST_OUT"] = output;
        using var process = Process.Start(start)!;
        sandbox.Processes.Track(process.Id);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        string Read(string suffix) => File.Exists(output + suffix) ? File.ReadAllText(output + suffix).Replace("\r", "", StringComparison.Ordinal) : "";
        return new CliResult(process.ExitCode, Read(".out"), Read(".err"));
    }

    [GeneratedRegex(@"STATE\s*:\s*(\d+)")]
    private static partial Regex StateField();

    [GeneratedRegex(@"WIN32_EXIT_CODE\s*:\s*(\d+)")]
    private static partial Regex Win32ExitField();

    [GeneratedRegex(@"SERVICE_EXIT_CODE\s*:\s*(\d+)")]
    private static partial Regex ServiceExitField();
}
