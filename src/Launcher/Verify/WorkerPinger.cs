using System.Globalization;
using System.Text;
using CliWrap;
using Launcher.Agent.Protocol;
using Launcher.Config;
using Launcher.Spawn;

namespace Launcher.Verify;

/// <summary>
/// Readiness and liveness use the same check: the socket protocol (docs/PROTOCOL.md) by default, or the
/// configured <c>ping.command</c> for workers that do not speak it (Celery, RQ, any command).
/// </summary>
internal sealed class WorkerPinger(PingSpec ping, RuntimePaths paths, string instance, ChildRegistry children)
{
    public bool UsesCommand => ping.Command is not null;

    public async Task<PingOutcome> PingAsync(string? node, int pid, string? socket, int index, CancellationToken cancellationToken)
    {
        if (ping.Command is null)
        {
            var reply = await PingClient.PingAsync(socket ?? paths.SocketFile(pid), ping.Timeout, cancellationToken);
            if (reply is null)
                return PingOutcome.Silent("no answer on its socket");
            return reply.Pid == pid
                ? new PingOutcome(true, reply.Node, null)
                : PingOutcome.Silent($"its socket answered for pid {reply.Pid}");
        }

        if (node is null)
            return PingOutcome.Silent("no node name known, so it cannot be pinged by command");
        return await PingByCommandAsync(node, pid, index, cancellationToken);
    }

    private async Task<PingOutcome> PingByCommandAsync(string node, int pid, int index, CancellationToken cancellationToken)
    {
        var argv = ping.Command!.Expand(new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["node"] = node,
            ["pid"] = pid.ToString(CultureInfo.InvariantCulture),
            ["host"] = SelfIdentity.HostName,
            ["instance"] = instance,
            ["index"] = index.ToString(CultureInfo.InvariantCulture),
        });

        var output = new StringBuilder();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ping.Timeout);
        try
        {
            var task = CliWrap.Cli.Wrap(argv[0])
                .WithArguments(argv.Skip(1))
                .WithValidation(CommandResultValidation.None)
                .WithStandardOutputPipe(PipeTarget.ToStringBuilder(output))
                .WithStandardErrorPipe(PipeTarget.ToStringBuilder(output))
                .ExecuteAsync(timeout.Token);
            children.Add(task.ProcessId);
            try
            {
                var result = await task;
                if (result.ExitCode == 0 && output.ToString().Contains(node, StringComparison.Ordinal))
                    return new PingOutcome(true, node, null);
                return PingOutcome.Silent($"ping command exited {result.ExitCode}: {Shorten(output.ToString())}");
            }
            finally
            {
                children.Remove(task.ProcessId);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return PingOutcome.Silent($"ping command gave no answer within {ping.Timeout.TotalSeconds:F0} s");
        }
    }

    private static string Shorten(string text)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length <= 200 ? line : line[..200] + "...";
    }
}
