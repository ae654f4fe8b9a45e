using System.Globalization;
using CliWrap;
using Launcher.Agent.Protocol;
using Launcher.Config;
using Launcher.Logging;
using Launcher.Platform;
using Launcher.Spawn;

namespace Launcher.Verify;

/// <summary>
/// Readiness and liveness use the same check: the socket protocol (docs/PROTOCOL.md) by default, or the
/// configured <c>ping.command</c> for workers that do not speak it (Celery, RQ, any command).
/// </summary>
/// <remarks>
/// A ping command runs like the worker it asks about: in the config's <c>workingDirectory</c> with its
/// <c>environment</c> (so <c>celery -A tasks inspect ping</c> imports the same app and talks to the same broker),
/// but without the instance marker, so it is never taken for a worker. It answers "alive" by exiting 0 with the
/// node name somewhere in its output (stdout or stderr); anything else, or no exit within
/// <c>ping.timeoutSeconds</c>, is a missed ping.
/// </remarks>
internal sealed class WorkerPinger(LauncherSpec spec, RuntimePaths paths, ContainedCommand runner)
{

    private readonly PingSpec _ping = spec.Ping;
    private readonly IReadOnlyDictionary<string, string?> _environment = UnmarkedEnvironment.From(spec.Environment);

    public bool UsesCommand => _ping.Command is not null;

    /// <summary>Where the workers register and listen.</summary>
    public RuntimePaths Paths => paths;

    public async Task<PingOutcome> PingAsync(string? node, int pid, string? socket, int index, CancellationToken cancellationToken)
    {
        if (_ping.Command is null)
        {
            PingReply? reply;
            try
            {
                reply = await PingClient.PingAsync(socket ?? paths.SocketFile(pid), _ping.Timeout, cancellationToken);
            }
            catch (ArgumentException ex)
            {
                return PingOutcome.UnusableSocket(ex);
            }

            return OutcomeOf(reply, pid);
        }

        if (node is null)
            return PingOutcome.Silent("no node name known, so it cannot be pinged by command");
        return await PingByCommandAsync(node, pid, index, cancellationToken);
    }

    /// <summary>What a socket ping's reply (null: none) says about the worker <paramref name="pid"/>.</summary>
    public static PingOutcome OutcomeOf(PingReply? reply, int pid)
    {
        if (reply is null)
            return PingOutcome.Silent("no answer on its socket");
        return reply.Pid == pid
            ? new PingOutcome(true, reply.Node, null)
            : PingOutcome.Silent($"its socket answered for pid {reply.Pid}");
    }

    private async Task<PingOutcome> PingByCommandAsync(string node, int pid, int index, CancellationToken cancellationToken)
    {
        var argv = _ping.Command!.Expand(PlaceholderValues.For(spec, index, node, pid));

        // Keeps 64 KiB and reads the rest away (a command printing 100 MB must not grow the launcher), yet still sees
        // the node name anywhere in the output.
        var output = new BoundedTextCapture(OutputBounds.MaxCapturedChars, node);
        // Judged by its own exit, in a process group (and cgroup) of its own: a background child it leaves holding
        // stdout neither turns an answer into a timeout nor outlives the ping.
        try
        {
            var result = await runner.RunProbeAsync(argv, spec.WorkingDirectory, _environment, output, _ping.Timeout, cancellationToken);
            if (result.ExitCode is not { } exitCode)
                return PingOutcome.Silent($"ping command gave no answer within {_ping.Timeout.TotalSeconds:F0} s (ping:timeoutSeconds)");
            if (exitCode == 0 && output.FoundNeedle)
                return new PingOutcome(true, node, null);
            if (exitCode is 126 or 127)
                return PingOutcome.Broken($"ping command '{argv[0]}' exited {exitCode} (cannot execute or not found): {Shorten(output.ToString())}");
            return PingOutcome.Silent(exitCode == 0
                ? $"ping command exited 0 without naming {node}: {Shorten(output.ToString())}"
                : $"ping command exited {exitCode}: {Shorten(output.ToString())}");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            // The probe is missing or not executable: its failure, not the worker's (issue 10).
            return PingOutcome.Broken($"ping command could not start: {ex.Message}");
        }
    }

    private static string Shorten(string text)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length <= 200 ? line : line[..200] + "...";
    }
}
