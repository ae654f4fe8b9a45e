namespace Launcher.Guard;

/// <summary>Why an inherited <c>LAUNCHER_GUARD</c> did not stop this start; logged once the log is open.</summary>
/// <param name="Kind">Which case it is.</param>
/// <param name="Value">The variable's raw value.</param>
/// <param name="LauncherPid">The pid it names (0 when malformed).</param>
/// <param name="LauncherInstance">The instance it names (null when malformed).</param>
internal sealed record EnvironmentGuardNote(EnvironmentGuardNoteKind Kind, string Value, int LauncherPid, string? LauncherInstance);
