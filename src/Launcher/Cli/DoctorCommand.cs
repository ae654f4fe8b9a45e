using Launcher.Guard;
using Launcher.Platform;

namespace Launcher.Cli;

/// <summary>
/// `launcher doctor`: checks that this machine can give the launcher's guarantees, and says what to fix.
/// It only looks: nothing is created or changed, except a temporary lock file in the runtime directory (removed).
/// Exit 0 when every check passes, 1 otherwise.
/// </summary>
internal static class DoctorCommand
{
    public static int Execute(string? configPath)
    {
        var failures = 0;
        void Check(string what, Func<string?> test)
        {
            string? problem;
            try
            {
                problem = test();
            }
            catch (Exception ex)
            {
                problem = ex.Message;
            }

            Console.WriteLine(problem is null ? $"ok    {what}" : $"FAIL  {what}: {problem}");
            if (problem is not null)
                failures++;
        }

        Check("operating system is Linux or Windows (macOS is planned)", () => OperatingSystem.IsLinux() || OperatingSystem.IsWindows() ? null : "unsupported");
        var view = InstanceView.Open(configPath);
        Console.WriteLine($"      config: {view.Spec.SourceDescription}, instance '{view.Spec.Instance}'");
        string? runtimeNote = null;
        var runtimeUsable = false;
        Check($"runtime directory {view.Paths.Root} is private and ours", () =>
        {
            var problem = RuntimeDirectory.Inspect(view.Paths.Root, view.Platform, out runtimeNote);
            runtimeUsable = problem is null && Directory.Exists(view.Paths.Root);
            return problem;
        });
        if (runtimeNote is not null)
            Console.WriteLine($"      runtime directory {runtimeNote}");
        if (runtimeUsable)
            Check("file locking works (a second exclusive open of a locked file fails)", () => ProbeLocking(view.Paths.Root));
        else
            Console.WriteLine("      file locking: not checked (no usable runtime directory yet)");
        Check("the process table is readable (identities)", () =>
            view.Platform.Processes.ReadStartTicks(Environment.ProcessId) is null ? "cannot read this process's start time" : null);
        Check("signals are race-free (pidfd_open)", () =>
            view.Platform.Signals.IsRaceFree ? null : "kernel older than 5.3: falls back to check-then-kill");
        Console.WriteLine($"      containment: {CgroupSupport.DescribeForDoctor()}");
        Check($"worker program exists and is executable: {view.Spec.Command.Program}", () =>
            !File.Exists(view.Spec.Command.Program) ? "missing"
            : !ExecutableLookup.IsExecutable(view.Spec.Command.Program) ? "not executable"
            : null);
        return failures == 0 ? ExitCodes.Ok : ExitCodes.Failure;
    }

    // The launcher's guard is flock on <instance>.lock; prove it works here, in a file of our own.
    private static string? ProbeLocking(string runtimeDir)
    {
        if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_IO_DISABLEFILELOCKING") is "1" or "true")
            return "DOTNET_SYSTEM_IO_DISABLEFILELOCKING is set";

        var probe = Path.Combine(runtimeDir, $".doctor-{Environment.ProcessId}.tmp");
        try
        {
            // FileShare.None takes flock(LOCK_EX | LOCK_NB); a second open of its own gets a new open file description.
            using var held = new FileStream(probe, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
            try
            {
                using var second = new FileStream(probe, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
                return "a second exclusive open of a locked file succeeded: flock does not work on this file system";
            }
            catch (IOException)
            {
                return null;
            }
        }
        finally
        {
            File.Delete(probe);
        }
    }
}
