namespace Launcher.Supervise;

/// <summary>The command-line switches of `launcher run`, as given; <see cref="EffectiveSpec.Resolve"/> decides what they mean.</summary>
internal sealed record RunFlags(bool Debug, bool NoKill, bool Standby = false, bool Replace = false, string? WindowsService = null);
