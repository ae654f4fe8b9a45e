namespace Launcher.Logs;

/// <summary>One line of a log file, with the node it belongs to and the time it was written.</summary>
/// <param name="Timestamp">From the line's own timestamp; a continuation line (an exception's stack) takes its entry's.</param>
/// <param name="Node">The worker's node name, or "launcher".</param>
/// <param name="Text">The line as written, timestamp included.</param>
internal sealed record LogEntry(DateTimeOffset Timestamp, string Node, string Text);
