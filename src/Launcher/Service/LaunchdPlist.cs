using System.Security;
using System.Text;

namespace Launcher.Service;

/// <summary>
/// A launchd property list (launchd.plist(5)) for <c>launcher run</c>, for
/// <c>~/Library/LaunchAgents</c> or <c>/Library/LaunchDaemons</c>. KeepAlive with SuccessfulExit=false restarts the
/// launcher when it fails, like systemd's Restart=on-failure; launchd cannot spare exit codes 2 and 3, it only
/// throttles (ThrottleInterval, 10 s by default).
/// </summary>
internal static class LaunchdPlist
{
    /// <summary>launchd's label: reverse-DNS style, unique per instance.</summary>
    public static string Label(ServiceTarget target) => "launcher." + target.Instance;

    public static string Render(ServiceTarget target)
    {
        var plist = new StringBuilder();
        plist.Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        plist.Append("<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n");
        plist.Append("<!--\n");
        plist.Append("  ").Append(InComment(target.Description)).Append(", written by `launcher service print` for launchd.\n");
        plist.Append("  Install: save as ~/Library/LaunchAgents/").Append(InComment(Label(target))).Append(".plist (or /Library/LaunchDaemons/ as root), then\n");
        plist.Append("    launchctl bootstrap gui/$(id -u) ~/Library/LaunchAgents/").Append(InComment(Label(target))).Append(".plist\n");
        plist.Append("  The launcher refuses to run on macOS until its process table and signal layers exist (docs/ARCHITECTURE.md).\n");
        plist.Append("  launchd has no readiness protocol: it considers the job started at exec, not at the ready line.\n");
        plist.Append("  The stdout/stderr files below are not rotated by launchd (newsyslog.conf(5) can).\n");
        plist.Append("-->\n");
        plist.Append("<plist version=\"1.0\">\n");
        plist.Append("<dict>\n");
        Key(plist, "Label").Append("  <string>").Append(Escape(Label(target))).Append("</string>\n");
        Key(plist, "ProgramArguments").Append("  <array>\n");
        foreach (var argument in new[] { target.LauncherPath }.Concat(target.RunArguments))
            plist.Append("    <string>").Append(Escape(argument)).Append("</string>\n");
        plist.Append("  </array>\n");
        Key(plist, "WorkingDirectory").Append("  <string>").Append(Escape(target.WorkingDirectory)).Append("</string>\n");
        Key(plist, "RunAtLoad").Append("  <true/>\n");
        Key(plist, "KeepAlive").Append("  <dict>\n");
        plist.Append("    <key>SuccessfulExit</key>\n    <false/>\n");
        plist.Append("  </dict>\n");
        // launchd sends SIGTERM, then SIGKILL after ExitTimeOut seconds (default 20): room for the stop grace.
        Key(plist, "ExitTimeOut").Append("  <integer>").Append(target.StopTimeoutSeconds).Append("</integer>\n");
        Key(plist, "StandardOutPath").Append("  <string>").Append(Escape(Path.Combine(target.LogDir, "launchd.stdout.log"))).Append("</string>\n");
        Key(plist, "StandardErrorPath").Append("  <string>").Append(Escape(Path.Combine(target.LogDir, "launchd.stderr.log"))).Append("</string>\n");
        if (target.RuntimeDir is not null)
        {
            Key(plist, "EnvironmentVariables").Append("  <dict>\n");
            plist.Append("    <key>LAUNCHER_RUNTIME_DIR</key>\n    <string>").Append(Escape(target.RuntimeDir)).Append("</string>\n");
            plist.Append("  </dict>\n");
        }

        plist.Append("</dict>\n");
        plist.Append("</plist>\n");
        return plist.ToString();
    }

    private static StringBuilder Key(StringBuilder plist, string key) => plist.Append("  <key>").Append(key).Append("</key>\n");

    // XML text: &, <, > and quotes as entities.
    private static string Escape(string text) => SecurityElement.Escape(text);

    // Entities are not decoded in a comment, and "--" may not appear in one: an instance named "a--b" stays well-formed.
    private static string InComment(string text)
    {
        while (text.Contains("--", StringComparison.Ordinal))
            text = text.Replace("--", "- -", StringComparison.Ordinal);
        return text;
    }
}
