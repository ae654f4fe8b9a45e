namespace Launcher.Platform;

/// <summary>Turns the current process into another program, keeping its pid (the exec shim's last step).</summary>
internal interface IProgramImage
{
    /// <summary>
    /// Replaces this process's program with <paramref name="argv"/>[0], run with <paramref name="argv"/> and exactly
    /// <paramref name="environment"/> (<c>NAME=value</c> entries). Returns only when that failed, with the reason.
    /// </summary>
    string Replace(IReadOnlyList<string> argv, IReadOnlyList<string> environment);
}
