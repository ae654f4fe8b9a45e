using System.Runtime.Versioning;
using Launcher.Agent.Protocol;
using Launcher.Logging;
using Launcher.Platform.Windows;
using Microsoft.Extensions.Logging;

namespace Launcher.Control;

/// <summary>
/// The control channel on Windows: the same protocol over the named pipe that stands for the control socket's path
/// (<see cref="ControlPipeListener"/>), because Wine 8 refuses <c>AF_UNIX</c>. Windows vouches for the client's user
/// through the pipe's ACL (current user only), which is the check <c>SO_PEERCRED</c> makes on Linux; its pid
/// (<c>GetNamedPipeClientProcessId</c>) is logged as the socket's is.
/// </summary>
internal sealed partial class ControlServer
{
    private readonly ControlPipeListener? _pipes;

    [SupportedOSPlatform("windows")]
    private static ControlServer? StartPipe(string path, LiveRun run, Action stop, TimeProvider time, ILogger logger)
    {
        try
        {
            var pipes = ControlPipeListener.Start(path);
            Log.ControlListening(logger, $@"\\.\pipe\{pipes.Name} (for {path})");
            return new ControlServer(path, null, pipes, run, stop, time, logger);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            Log.ControlUnavailable(logger, path, ex.Message);
            return null;
        }
    }

    [SupportedOSPlatform("windows")]
    private async Task PipeLoopAsync()
    {
        while (!_closing.IsCancellationRequested)
        {
            (Stream Connection, int ClientPid) client;
            try
            {
                client = await _pipes!.AcceptAsync(_closing.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
            {
                return;
            }

            // Only this user can open the pipe at all (its ACL), so the user is ours by construction.
            _ = Task.Run(() => AnswerAsync(client.Connection, new PeerCredentials(client.ClientPid, SelfIdentity.UserId)));
        }
    }
}
