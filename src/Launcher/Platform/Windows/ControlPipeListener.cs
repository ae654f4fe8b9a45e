using System.IO.Pipes;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Launcher.Agent.Platform;

namespace Launcher.Platform.Windows;

/// <summary>
/// The control channel's transport on Windows: the named pipe that stands for the control socket's path
/// (<see cref="WindowsPipe.NameFor"/>, as the agent's pipes stand for theirs), because Wine 8 refuses <c>AF_UNIX</c>.
/// Only the current user may open it (<see cref="PipeOptions.CurrentUserOnly"/>: an ACL naming our SID alone), and the
/// first instance is created with <see cref="PipeOptions.FirstPipeInstance"/>, so a program that took the name first
/// makes the launcher refuse the pipe (and say so) instead of sharing a name with it. One instance is always waiting:
/// the next is created before a connected one is handed over.
/// </summary>
[SupportedOSPlatform("windows")]
internal sealed partial class ControlPipeListener : IDisposable
{
    private readonly string _name;
    private NamedPipeServerStream _waiting;

    private ControlPipeListener(string name, NamedPipeServerStream first)
    {
        _name = name;
        _waiting = first;
    }

    /// <summary>The pipe name (without <c>\\.\pipe\</c>), for the log.</summary>
    public string Name => _name;

    /// <summary>Creates the pipe; throws <see cref="IOException"/> or <see cref="UnauthorizedAccessException"/> when the name is taken.</summary>
    public static ControlPipeListener Start(string socketPath)
    {
        var name = WindowsPipe.NameFor(socketPath);
        return new ControlPipeListener(name, Instance(name, PipeOptions.FirstPipeInstance));
    }

    /// <summary>The next client's connection and its process id (<c>GetNamedPipeClientProcessId</c>; 0 when Windows does not say).</summary>
    public async Task<(Stream Connection, int ClientPid)> AcceptAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var pipe = _waiting;
            try
            {
                await pipe.WaitForConnectionAsync(cancellationToken);
            }
            catch (IOException) when (!cancellationToken.IsCancellationRequested)
            {
                // A client that hung up between connecting and being accepted: this instance is broken, not the listener.
                _waiting = Instance(_name, PipeOptions.None);
                await pipe.DisposeAsync();
                continue;
            }

            _waiting = Instance(_name, PipeOptions.None);
            return (pipe, GetNamedPipeClientProcessId(pipe.SafePipeHandle, out var pid) ? (int)pid : 0);
        }
    }

    /// <summary>The process id of the server at the other end of a connected client pipe, or null when Windows does not say.</summary>
    public static int? ServerProcessId(NamedPipeClientStream pipe) =>
        GetNamedPipeServerProcessId(pipe.SafePipeHandle, out var pid) ? (int)pid : null;

    public void Dispose() => _waiting.Dispose();

    private static NamedPipeServerStream Instance(string name, PipeOptions extra) =>
        new(name, PipeDirection.InOut, NamedPipeServerStream.MaxAllowedServerInstances, PipeTransmissionMode.Byte,
            PipeOptions.Asynchronous | PipeOptions.CurrentUserOnly | extra);

    [LibraryImport("kernel32", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool GetNamedPipeClientProcessId(Microsoft.Win32.SafeHandles.SafePipeHandle pipe, out uint clientProcessId);

    [LibraryImport("kernel32", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool GetNamedPipeServerProcessId(Microsoft.Win32.SafeHandles.SafePipeHandle pipe, out uint serverProcessId);
}
