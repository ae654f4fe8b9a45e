using System.Collections.Concurrent;
using System.Diagnostics;

namespace Launcher.Tests.WindowsTier;

/// <summary>A Windows program started by the tier, its output collected line by line.</summary>
internal sealed class WindowsProcess : IDisposable
{
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();

    public WindowsProcess(Process process)
    {
        Process = process;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                _stdout.Enqueue(e.Data.TrimEnd('\r'));
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                _stderr.Enqueue(e.Data.TrimEnd('\r'));
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Process Process { get; }

    public IReadOnlyList<string> Stdout => [.. _stdout];

    public string Output => string.Join('\n', _stdout) + "\n--- stderr ---\n" + string.Join('\n', _stderr);

    /// <summary>The <c>ready:</c> line, or null while there is none.</summary>
    public string? ReadyLine => _stdout.FirstOrDefault(line => line.StartsWith("ready:", StringComparison.Ordinal));

    public void Dispose() => Process.Dispose();
}
