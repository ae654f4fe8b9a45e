namespace Launcher.Agent.Protocol;

/// <summary>One registration file as read: complete, or what is wrong with it.</summary>
/// <param name="File">The file read.</param>
/// <param name="Registration">What it holds; null when unreadable or empty.</param>
/// <param name="Problem">Null when the registration names a process; else why not (<c>unreadable</c>, <c>empty</c>, <c>incomplete registration</c>).</param>
internal sealed record RegistrationRead(string File, WorkerRegistration? Registration, string? Problem)
{
    /// <summary>The registration when it is complete (node, pid and start ticks present), else null.</summary>
    public WorkerRegistration? Complete => Problem is null ? Registration : null;
}
