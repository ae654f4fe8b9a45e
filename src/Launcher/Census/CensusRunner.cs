using System.Globalization;
using Launcher.Agent.Protocol;
using Launcher.Config;
using Launcher.Logging;
using Launcher.Platform;
using Launcher.Spawn;

namespace Launcher.Census;

/// <summary>
/// Runs <c>census.command</c> the way ping commands run (<see cref="ContainedCommand"/>: its own process group and
/// cgroup, judged by its own exit, its leftovers killed), in the config's <c>workingDirectory</c> with its
/// <c>environment</c> (the broker's URL) but without the instance marker, so it is never taken for a worker. Exit 0
/// and stdout in the census format (<see cref="CensusOutput"/>) is a census; a non-zero exit, no exit within
/// <c>census.timeoutSeconds</c>, a program that cannot start or output that is not a census is a failure, described
/// in one line that names the command and ends with the last line it wrote to stderr.
/// </summary>
internal sealed class CensusRunner(LauncherSpec spec, CensusSpec census, ContainedCommand runner, TimeProvider time)
{
    /// <summary>At most this much stdout is read as the list (about 7000 JSON lines); more is a failure, not half a census.</summary>
    public const int MaxOutputChars = 1024 * 1024;

    private readonly IReadOnlyDictionary<string, string?> _environment = UnmarkedEnvironment.From(spec.Environment);

    /// <summary>The command as run, for messages.</summary>
    public string CommandText => string.Join(' ', Argv());

    public async Task<CensusResult> RunAsync(CancellationToken cancellationToken)
    {
        var argv = Argv();
        var output = new BoundedTextCapture(MaxOutputChars);
        var error = new LastLineTarget();
        var at = time.GetUtcNow();
        ContainedResult result;
        try
        {
            result = await runner.RunCensusAsync(argv, spec.WorkingDirectory, _environment, output, error, census.Timeout, cancellationToken);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return Failed($"could not start: {ex.Message}", null, at);
        }

        if (result.ExitCode is not { } exitCode)
            return Failed($"did not finish within {census.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s (census.timeoutSeconds) and was killed", error.LastLine, at);
        if (exitCode != 0)
            return Failed($"exited {exitCode}", error.LastLine, at);
        if (output.TotalChars > MaxOutputChars)
            return Failed($"printed more than {MaxOutputChars} characters", error.LastLine, at);

        var parsed = CensusOutput.Parse(output.ToString());
        return parsed.Ok
            ? new CensusResult(parsed.Entries, null, at)
            : Failed($"printed something that is not a census: {parsed.Problem}", error.LastLine, at);
    }

    private IReadOnlyList<string> Argv() => census.Command.Expand(PlaceholderValues.For(spec, 0));

    private CensusResult Failed(string reason, string? stderr, DateTimeOffset at) =>
        new([], $"census command `{CommandText}` {reason}{(stderr is null ? "" : $"; its stderr said: {stderr}")}", at);
}
