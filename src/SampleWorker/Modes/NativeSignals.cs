using System.Runtime.InteropServices;

namespace SampleWorker.Modes;

/// <summary>The few libc calls the misbehaviour modes need.</summary>
internal static partial class NativeSignals
{
    private const int SigTerm = 15;
    private const int SigStop = 19;
    private static readonly nint SigIgn = 1;

    /// <summary>Replaces the runtime's SIGTERM handler with SIG_IGN, so the kernel drops SIGTERM for good.</summary>
    public static void IgnoreSigterm() => _ = Signal(SigTerm, SigIgn);

    /// <summary>Freezes this process: it stays alive but answers nothing, which is what a hung worker looks like.</summary>
    public static void StopSelf() => _ = Kill(Environment.ProcessId, SigStop);

    [LibraryImport("libc", EntryPoint = "signal")]
    private static partial nint Signal(int signal, nint handler);

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}
