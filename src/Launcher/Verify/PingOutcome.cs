namespace Launcher.Verify;

/// <summary>One ping's answer: who answered (null node when nobody did) and why not, if not.</summary>
internal sealed record PingOutcome(bool Answered, string? Node, string? Problem)
{
    /// <summary>True when the probe itself is broken (ping command missing, not executable, exit 126/127): no verdict on the worker.</summary>
    public bool ProbeBroken { get; init; }

    public static PingOutcome Answer(string node) => new(true, node, null);

    public static PingOutcome Silent(string problem) => new(false, null, problem);

    /// <summary>A socket path <c>UnixDomainSocketEndPoint</c> refuses (over 107 bytes): a silent worker, not the end of supervision.</summary>
    public static PingOutcome UnusableSocket(ArgumentException refusal) => Silent($"its socket path cannot be used: {refusal.Message}");

    public static PingOutcome Broken(string problem) => new(false, null, problem) { ProbeBroken = true };
}
