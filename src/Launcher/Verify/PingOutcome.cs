namespace Launcher.Verify;

/// <summary>One ping's answer: who answered (null node when nobody did) and why not, if not.</summary>
internal sealed record PingOutcome(bool Answered, string? Node, string? Problem)
{
    public static PingOutcome Silent(string problem) => new(false, null, problem);
}
