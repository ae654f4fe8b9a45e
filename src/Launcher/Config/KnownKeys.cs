using Microsoft.Extensions.Configuration;

namespace Launcher.Config;

/// <summary>
/// Every key launcher.json may hold. A misspelt key would otherwise be ignored in silence and its default
/// used, which is exactly the kind of surprise this tool exists to remove.
/// </summary>
internal static class KnownKeys
{
    private static readonly Dictionary<string, string[]?> Sections = new(StringComparer.OrdinalIgnoreCase)
    {
        [""] =
        [
            "instance", "command", "workingDirectory", "environment", "workers", "logDir", "startTimeoutSeconds",
            "stopGraceSeconds", "logFileSizeLimitBytes", "logFilesRetained", "ping", "restart", "strays", "onWorkerExit",
            "$schema", "comment",
        ],
        ["ping"] = ["command", "intervalSeconds", "timeoutSeconds", "missedLimit"],
        ["restart"] = ["enabled", "initialDelaySeconds", "maxDelaySeconds", "resetAfterSeconds", "crashLoopCount", "crashLoopWindowSeconds"],
        ["strays"] = ["match"],
        ["onWorkerExit"] = ["command", "timeoutSeconds"],
    };

    // Sections whose children are free-form (arrays and the environment map).
    private static readonly HashSet<string> OpenSections = new(StringComparer.OrdinalIgnoreCase)
    {
        "command", "environment", "ping:command", "strays:match", "onWorkerExit:command",
    };

    /// <summary>The first key that is not part of the schema, as a full path (e.g. <c>ping:intervall</c>), or null.</summary>
    public static string? FindUnknown(IConfiguration configuration) => FindUnknown(configuration.GetChildren(), "");

    private static string? FindUnknown(IEnumerable<IConfigurationSection> children, string sectionPath)
    {
        var allowed = Sections.GetValueOrDefault(sectionPath);
        foreach (var child in children)
        {
            if (allowed is null || !allowed.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
                return child.Path;
            if (OpenSections.Contains(child.Path) || !Sections.ContainsKey(child.Key))
                continue;
            if (FindUnknown(child.GetChildren(), child.Key) is { } unknown)
                return unknown;
        }

        return null;
    }
}
