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
        script.Append("REM Run from an elevated command prompt. sc.exe wants a space after every \"option=\".\n");
        script.Append("REM\n");
        script.Append("REM What the launcher needs to run as a Windows service, and what is missing today:\n");
        script.Append("REM  1. Windows support. The launcher refuses to run on Windows until its process table and signal\n");
        script.Append("REM     layers exist (docs/ARCHITECTURE.md); the job object that ends the worker trees with it is written.\n");
        script.Append("REM  2. The service control protocol. The Service Control Manager waits 30 s for the program to call\n");
        script.Append("REM     StartServiceCtrlDispatcher and fails the start with error 1053 otherwise; `launcher run` does not\n");
        script.Append("REM     do that yet (UseWindowsService() of Microsoft.Extensions.Hosting.WindowsServices would). Until it\n");
        script.Append("REM     does, wrap this command line in a service host such as WinSW instead of sc.exe create.\n");
        script.Append("REM  3. Full paths. A service starts in %SystemRoot%\\System32: the config is passed by its full path, and\n");
        script.Append("REM     the launcher resolves the worker command, its working directory and logDir against it.\n");
        script.Append("REM  4. An account. LocalSystem by default; add obj= \"DOMAIN\\user\" password= \"...\" to run the workers as\n");
        script.Append("REM     a user, who then owns the runtime directory (LAUNCHER_RUNTIME_DIR) and the log directory.\n");
        script.Append("REM  5. Restarts. sc.exe failure below restarts the launcher after it fails (any non-zero exit,\n");
        script.Append("REM     including 2 and 3, which a restart cannot fix: Windows cannot spare exit codes).\n");
        var binPath = string.Join(' ', new[] { target.LauncherPath }.Concat(target.RunArguments).Select(ArgvQuote));
        script.Append("sc.exe create ").Append(name)
            .Append(" binPath= ").Append(CmdQuote(binPath))
            .Append(" start= auto DisplayName= ").Append(CmdQuote(target.Description)).Append('\n');
        script.Append("sc.exe description ").Append(name).Append(' ')
            .Append(CmdQuote($"Runs `launcher run` for instance {target.Instance} in {target.WorkingDirectory}")).Append('\n');
        script.Append("sc.exe failure ").Append(name).Append(" reset= 86400 actions= restart/5000/restart/10000/restart/60000\n");
        if (target.RuntimeDir is not null)
        {
            // A service's own environment variables live in its registry key (REG_MULTI_SZ "Environment").
            script.Append("reg add HKLM\\SYSTEM\\CurrentControlSet\\Services\\").Append(name)
                .Append(" /v Environment /t REG_MULTI_SZ /d ").Append(CmdQuote("LAUNCHER_RUNTIME_DIR=" + target.RuntimeDir)).Append(" /f\n");
        }

        script.Append("REM Then: sc.exe start ").Append(name).Append("   (remove with: sc.exe stop ").Append(name)
            .Append(" and sc.exe delete ").Append(name).Append(")\n");
        return script.ToString();
    }

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
    private static string CmdQuote(string value) =>
        "\"" + value.Replace("\"", "\\\"", StringComparison.Ordinal).Replace("%", "%%", StringComparison.Ordinal) + "\"";
}
