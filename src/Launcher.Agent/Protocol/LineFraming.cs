using System.Text;

namespace Launcher.Agent.Protocol;

/// <summary>
/// The protocol's framing (docs/PROTOCOL.md): one UTF-8 line, <c>\n</c>-terminated, each way. Shared by the worker
/// ping (<see cref="PingClient"/>) and the launcher's control socket, so there is one framing, not two.
/// </summary>
internal static class LineFraming
{
    /// <summary>Writes <paramref name="line"/> and its terminating newline.</summary>
    public static async Task WriteLineAsync(Stream stream, string line, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"), cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }
}
