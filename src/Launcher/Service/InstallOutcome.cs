namespace Launcher.Service;

/// <summary>What <see cref="SystemdInstaller.Install"/> did.</summary>
internal enum InstallOutcome
{
    /// <summary>The unit was written (new, or replacing a different file with --force).</summary>
    Written,

    /// <summary>The same unit was there already; nothing written.</summary>
    Unchanged,

    /// <summary>A different file is there and --force was not given; nothing written.</summary>
    Different,
}
