namespace Launcher.Guard;

/// <summary>The inherited guards that let a start go on.</summary>
internal enum EnvironmentGuardNoteKind
{
    /// <summary>Not <c>instance:pid:ticks</c>.</summary>
    Malformed,

    /// <summary>Names a launcher that is gone.</summary>
    Stale,

    /// <summary>Names a live launcher of another instance: we run beside it.</summary>
    OtherInstance,
}
