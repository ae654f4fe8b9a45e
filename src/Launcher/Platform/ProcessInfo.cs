namespace Launcher.Platform;

/// <summary>One row of the process table, as read at one moment.</summary>
internal sealed record ProcessInfo(ProcessIdentity Identity, int ParentPid, int UserId, char State, IReadOnlyList<string> CommandLine)
{
    public int Pid => Identity.Pid;

    /// <summary>A zombie has exited; only its parent's wait is missing.</summary>
    public bool IsZombie => State is 'Z' or 'X';

    public string CommandText => CommandLine.Count == 0 ? "" : string.Join(' ', CommandLine);
}
