namespace Launcher.Kill;

/// <summary>How one worker tree ended: how many processes, which signal finished it, how long it took.</summary>
internal sealed record KillResult(string Worker, int TreeSize, string EndedBy, TimeSpan Elapsed, int Survivors)
{
    public override string ToString() =>
        $"{Worker}: {TreeSize} process(es) ended by {EndedBy} in {Elapsed.TotalMilliseconds:F0} ms" +
        (Survivors > 0 ? $", {Survivors} STILL ALIVE" : "");
}
