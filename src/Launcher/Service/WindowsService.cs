using System.Globalization;
using System.Text;

namespace Launcher.Service;

/// <summary>
/// A Windows service for <c>launcher run</c>, as the <c>sc.exe</c> commands (a .cmd script) that create it, with
/// what the launcher still needs before such a service can start, in its comments. See
/// https://learn.microsoft.com/windows-server/administration/windows-commands/sc-create.
/// </summary>
internal static class WindowsService
{
    public static string Render(ServiceTarget target)
    {
        var name = target.ServiceName;
        var script = new StringBuilder();
        script.Append("@echo off\n");
        script.Append("REM ").Append(target.Description).Append(", written by `launcher service print --windows`.\n");
        script.Append("REM Run from an elevated command prompt; `launcher service install --windows` does the same through the\n");
        script.Append("REM service control manager's API. sc.exe wants a space after every \"option=\".\n");
        script.Append("REM\n");
        script.Append("REM  1. The service protocol. `run --windows-service NAME` registers with the Service Control Manager: the\n");
        script.Append("REM     service is START_PENDING while strays are swept and the workers spawned and verified, RUNNING only\n");
        script.Append("REM     from the ready line on, and sc.exe stop is the launcher's graceful stop. A failed run stops it with\n");
        script.Append("REM     error 1066 (service-specific) and the launcher's exit code (SERVICE_EXIT_CODE in sc.exe query).\n");
        script.Append("REM  2. Full paths. A service starts in %SystemRoot%\\System32: the config is passed by its full path, and\n");
        script.Append("REM     the launcher resolves the worker command, its working directory and logDir against it.\n");
        script.Append("REM  3. An account. LocalSystem by default; add obj= \"DOMAIN\\user\" password= \"...\" to run the workers as\n");
        script.Append("REM     a user, who then owns the runtime directory (LAUNCHER_RUNTIME_DIR) and the log directory.\n");
        script.Append("REM  4. Restarts. sc.exe failure and failureflag below restart the launcher after it fails (any non-zero\n");
        script.Append("REM     exit, including 2 and 3, which a restart cannot fix: Windows cannot spare exit codes).\n");
        var binPath = BinPath(target);
        script.Append("sc.exe create ").Append(name)
            .Append(" binPath= ").Append(CmdQuote(binPath))
            .Append(" start= auto DisplayName= ").Append(CmdQuote(target.Description)).Append('\n');
        script.Append("sc.exe description ").Append(name).Append(' ').Append(CmdQuote(LongDescription(target))).Append('\n');
        script.Append("sc.exe failure ").Append(name).Append(" reset= ").Append(FailureResetSeconds).Append(" actions= ")
            .AppendJoin('/', RestartDelays.Select(delay => "restart/" + ((long)delay.TotalMilliseconds).ToString(CultureInfo.InvariantCulture))).Append('\n');
        // Without it only a crash counts: a launcher that reports STOPPED with exit 5 (crash loop) would stay down.
        script.Append("sc.exe failureflag ").Append(name).Append(" 1\n");
        if (target.RuntimeDir is not null)
        {
            // A service's own environment variables live in its registry key (REG_MULTI_SZ "Environment").
            script.Append("reg add HKLM\\SYSTEM\\CurrentControlSet\\Services\\").Append(name)
                .Append(" /v Environment /t REG_MULTI_SZ /d ").Append(CmdQuote(string.Join("\\0", EnvironmentBlock(target)))).Append(" /f\n");
        }

        script.Append("REM Then: sc.exe start ").Append(name).Append("   (remove with: sc.exe stop ").Append(name)
            .Append(" and sc.exe delete ").Append(name).Append(")\n");
        return script.ToString();
    }

    /// <summary>Seconds without a failure after which the failure count starts again (sc.exe failure reset=).</summary>
    public const int FailureResetSeconds = 86400;

    /// <summary>The restart delays after the first, second and later failures (sc.exe failure actions=).</summary>
    public static readonly TimeSpan[] RestartDelays = [TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60)];

    /// <summary>
    /// The service's command line (its binPath): the launcher and <c>run</c> with the config, then
    /// <c>--windows-service NAME</c>, which makes the run register with the service control manager.
    /// </summary>
    public static string BinPath(ServiceTarget target) =>
        string.Join(' ', new[] { target.LauncherPath }.Concat(target.RunArguments).Append(ServiceFlag).Append(target.ServiceName).Select(ArgvQuote));

    /// <summary>The option of <c>launcher run</c> that the service's command line carries.</summary>
    public const string ServiceFlag = "--windows-service";

    /// <summary>The service's description (sc.exe description).</summary>
    public static string LongDescription(ServiceTarget target) => $"Runs `launcher run` for instance {target.Instance} in {target.WorkingDirectory}";

    /// <summary>The service's own environment (its registry value Environment): LAUNCHER_RUNTIME_DIR when the user set it.</summary>
    public static IReadOnlyList<string> EnvironmentBlock(ServiceTarget target) =>
        target.RuntimeDir is null ? [] : ["LAUNCHER_RUNTIME_DIR=" + target.RuntimeDir];

    /// <summary>One argument as CommandLineToArgvW reads it: quoted when it holds a space, tab or quote.</summary>
    internal static string ArgvQuote(string argument)
    {
        if (argument.Length > 0 && !argument.Any(c => c is ' ' or '\t' or '"'))
            return argument;

        var quoted = new StringBuilder("\"");
        var backslashes = 0;
        foreach (var c in argument)
        {
            if (c == '\\')
            {
                backslashes++;
                continue;
            }

            // Backslashes are literal unless they precede a quote: then each is doubled, and the quote escaped.
            quoted.Append('\\', c == '"' ? (backslashes * 2) + 1 : backslashes).Append(c);
            backslashes = 0;
        }

        return quoted.Append('\\', backslashes * 2).Append('"').ToString();
    }

    /// <summary>One sc.exe option value in a .cmd script: quoted, inner quotes escaped for sc.exe, % doubled for cmd.</summary>
    internal static string CmdQuote(string value) =>
        "\"" + value.Replace("\"", "\\\"", StringComparison.Ordinal).Replace("%", "%%", StringComparison.Ordinal) + "\"";
}
