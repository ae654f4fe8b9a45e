using System.Text;

namespace Launcher.Service;

/// <summary>
/// A systemd service unit for <c>launcher run</c>. <c>Type=notify</c>: the launcher sends READY=1 only after
/// verification, so <c>systemctl start</c> returns when exactly N workers answer. Exit codes 2 (config) and 3
/// (instance held) are not retried: a restart cannot fix them. See systemd.service(5), systemd.exec(5).
/// </summary>
internal static class SystemdUnit
{
    /// <summary><c>WatchdogSec=</c>: well above <see cref="Supervise.SupervisionHeartbeat.StaleAfter"/> so only a real wedge trips it.</summary>
    public const int WatchdogSeconds = 30;

    /// <summary>The unit file's text; <paramref name="user"/> for the per-user manager (<c>systemctl --user</c>).</summary>
    public static string Render(ServiceTarget target, bool user)
    {
        var unit = new StringBuilder();
        unit.Append("[Unit]\n");
        unit.Append("Description=").Append(target.Description).Append('\n');
        // network-online.target is a system unit: the user manager cannot order against it.
        if (!user)
            unit.Append("After=network-online.target\nWants=network-online.target\n");
        unit.Append('\n');
        unit.Append("[Service]\n");
        unit.Append("Type=notify\n");
        unit.Append("NotifyAccess=main\n");
        // WATCHDOG=1 comes every 15 s while the supervision loop turns (SystemdWatchdog); a loop wedged for longer
        // than this is killed (SIGABRT) and restarted by Restart=on-failure. Generous: a loaded host is not a hang.
        unit.Append("WatchdogSec=").Append(WatchdogSeconds).Append('\n');
        // A path setting, not a command line: taken verbatim to the end of the line, only specifiers expand.
        unit.Append("WorkingDirectory=").Append(target.WorkingDirectory.Replace("%", "%%", StringComparison.Ordinal)).Append('\n');
        if (target.RuntimeDir is not null)
            unit.Append("Environment=").Append(Quote("LAUNCHER_RUNTIME_DIR=" + target.RuntimeDir, commandLine: false)).Append('\n');
        unit.Append("ExecStart=").Append(string.Join(' ', new[] { target.LauncherPath }.Concat(target.RunArguments).Select(word => Quote(word)))).Append('\n');
        unit.Append("ExecReload=/bin/kill -HUP $MAINPID\n");
        // SIGTERM to the launcher alone: it stops its workers itself (grace, then SIGKILL); systemd kills what is
        // left of the cgroup only after TimeoutStopSec.
        unit.Append("KillMode=mixed\n");
        unit.Append("TimeoutStopSec=").Append(target.StopTimeoutSeconds).Append('\n');
        unit.Append("Restart=on-failure\n");
        unit.Append("RestartPreventExitStatus=2 3\n");
        unit.Append('\n');
        unit.Append("[Install]\n");
        unit.Append("WantedBy=").Append(user ? "default.target" : "multi-user.target").Append('\n');
        return unit.ToString();
    }

    /// <summary>
    /// One word of a unit file: <c>%</c> doubled (specifier), in a <paramref name="commandLine"/> (Exec*=) also
    /// <c>$</c> doubled (variable expansion; Environment= does not expand), double quotes around words with spaces,
    /// quotes or backslashes (systemd.syntax(7) C-style escapes).
    /// </summary>
    internal static string Quote(string word, bool commandLine = true)
    {
        var escaped = word.Replace("%", "%%", StringComparison.Ordinal);
        if (commandLine)
            escaped = escaped.Replace("$", "$$", StringComparison.Ordinal);
        if (escaped.Length > 0 && !escaped.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '\\' or ';'))
            return escaped;
        return "\"" + escaped.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
    }
}
