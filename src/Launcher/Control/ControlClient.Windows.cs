using System.IO.Pipes;
using System.Runtime.Versioning;
using Launcher.Agent.Platform;
using Launcher.Cli;
using Launcher.Guard;
using Launcher.Platform.Windows;
using Launcher.Strays;

namespace Launcher.Control;

/// <summary>
/// The command side of the control channel on Windows (<see cref="ControlPipeListener"/>). There is no socket file to
/// look at and no <c>SO_PEERCRED</c>, so the order is turned round: first <see cref="RunningLauncher"/> proves the
/// launcher the holder file names (identity, executable), and only then is its pipe opened (opening a pipe that does
/// not exist waits for it until the deadline); the connection counts only when the pipe's server process
/// (<c>GetNamedPipeServerProcessId</c>) is that launcher and the launcher is still the same process afterwards. A pipe
/// that another program of ours created under that name is never taken for the launcher.
/// </summary>
internal sealed partial class ControlClient
{
    [SupportedOSPlatform("windows")]
    private static async Task<ControlClient?> ConnectPipeAsync(InstanceView view, string path, CancellationToken cancellationToken)
    {
        if (GuardHolder.TryRead(view.Paths.HolderFile) is not { } holder
            || RunningLauncher.Verify(view.Paths, holder, view.Platform, out _) is not { } launcher)
            return null;

        var pipe = new NamedPipeClientStream(".", WindowsPipe.NameFor(path), PipeDirection.InOut, PipeOptions.Asynchronous | PipeOptions.CurrentUserOnly);
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(ConnectDeadline);
            await pipe.ConnectAsync(deadline.Token);
            if (ControlPipeListener.ServerProcessId(pipe) != launcher.Pid || !view.Platform.Processes.IsAlive(launcher))
                return null;
            var client = new ControlClient(pipe, null, launcher);
            pipe = null;
            return client;
        }
        catch (Exception ex) when (ex is IOException or TimeoutException or UnauthorizedAccessException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        finally
        {
            pipe?.Dispose();
        }
    }
}
