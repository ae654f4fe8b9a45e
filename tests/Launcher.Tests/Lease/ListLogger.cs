using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Launcher.Tests.Lease;

/// <summary>Keeps every log event (id and rendered message) so tests can assert on event ids, not wording.</summary>
internal sealed class ListLogger : ILogger
{
    private readonly ConcurrentQueue<(int EventId, string Message)> _events = new();

    public IReadOnlyList<(int EventId, string Message)> Events => [.. _events];

    public int Count(int eventId) => _events.Count(e => e.EventId == eventId);

    public string Text => string.Join('\n', _events.Select(e => $"[{e.EventId}] {e.Message}"));

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _events.Enqueue((eventId.Id, formatter(state, exception)));
}
