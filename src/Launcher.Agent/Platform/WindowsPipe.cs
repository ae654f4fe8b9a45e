using System.IO.Pipes;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;

namespace Launcher.Agent.Platform;

/// <summary>
/// The ping protocol's transport on Windows: a named pipe instead of the Unix domain socket. Windows 10 has
/// AF_UNIX, but Wine 8 (the only Windows this project is tested on) refuses it (WSAEAFNOSUPPORT), so every Windows
/// build uses pipes. The pipe's name is derived from the socket path the registration names
/// (<c>\\.\pipe\launcher-&lt;sha256 of the path&gt;</c>), so registrations and the protocol stay the same; the pipe is
/// for the current user only (<see cref="PipeOptions.CurrentUserOnly"/>).
/// </summary>
[SupportedOSPlatform("windows")]
internal static class WindowsPipe
{
    private static readonly TimeSpan ConnectRetry = TimeSpan.FromMilliseconds(20);

    /// <summary>The pipe name that stands for <paramref name="socketPath"/> (case-insensitive, as Windows paths are).</summary>
    public static string NameFor(string socketPath)
    {
        var full = Path.GetFullPath(socketPath).ToUpperInvariant();
        return "launcher-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(full)))[..40];
    }

    /// <summary>A server end for one client; the caller waits for the connection and disposes it.</summary>
    public static NamedPipeServerStream Listen(string socketPath) =>
        new(NameFor(socketPath), PipeDirection.InOut, NamedPipeServerStream.MaxAllowedServerInstances, PipeTransmissionMode.Byte,
            PipeOptions.Asynchronous | PipeOptions.CurrentUserOnly);

    /// <summary>Connects to the pipe that stands for <paramref name="socketPath"/>, trying until <paramref name="cancellationToken"/> fires.</summary>
    /// <remarks>
    /// Not <see cref="NamedPipeClientStream.ConnectAsync(CancellationToken)"/>: that is a blocking wait loop run on the
    /// thread pool, which spins on a pool thread for as long as the pipe does not exist (a dead worker's registration:
    /// the whole ping timeout). Here each try is one non-waiting <c>CreateFile</c> and the pause between tries is a timer.
    /// </remarks>
    public static async Task<Stream> ConnectAsync(string socketPath, CancellationToken cancellationToken)
    {
        var client = new NamedPipeClientStream(".", NameFor(socketPath), PipeDirection.InOut, PipeOptions.Asynchronous | PipeOptions.CurrentUserOnly);
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    client.Connect(0);
                    return client;
                }
                catch (TimeoutException)
                {
                    // No such pipe yet, or every instance busy: try again shortly.
                    await Task.Delay(ConnectRetry, cancellationToken);
                }
            }
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }
}
