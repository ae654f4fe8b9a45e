using Launcher.Agent.Protocol;
using Launcher.Guard;
using Launcher.Platform;

namespace Launcher.Cli;

/// <summary>`launcher doctor`: checks that this machine can give the launcher's guarantees, and says what to fix.</summary>
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

        Check("operating system is Linux (macOS and Windows are planned)", () => OperatingSystem.IsLinux() ? null : "unsupported");
        var view = InstanceView.Open(configPath);
        Console.WriteLine($"      config: {view.Spec.SourceDescription}, instance '{view.Spec.Instance}'");
        Check($"runtime directory {view.Paths.Root} is private and ours", () =>
        {
            RuntimeDirectory.Prepare(view.Paths.Root, view.Platform.Processes.CurrentUserId);
            return null;
        });
        Check("file locking is enabled", () =>
            Environment.GetEnvironmentVariable("DOTNET_SYSTEM_IO_DISABLEFILELOCKING") is "1" or "true" ? "DOTNET_SYSTEM_IO_DISABLEFILELOCKING is set" : null);
        Check("/proc is readable (process table, identities)", () => SelfIdentity.ReadStartTicks(Environment.ProcessId) is null ? "cannot read /proc/self/stat" : null);
        Check("pidfd_open is available (race-free signals)", () =>
        {
            var fd = LibC.PidFdOpen(Environment.ProcessId);
            if (fd < 0)
                return "kernel older than 5.3: falls back to check-then-kill";
            _ = LibC.Close(fd);
            return null;
        });
        Check($"worker program exists: {view.Spec.Command.Program}", () => File.Exists(view.Spec.Command.Program) ? null : "missing");
        return failures == 0 ? ExitCodes.Ok : ExitCodes.Failure;
    }
}
