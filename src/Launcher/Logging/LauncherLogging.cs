using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace Launcher.Logging;

/// <summary>The launcher's own log: the console and <c>logs/launcher.log</c> (rolled by size).</summary>
internal static class LauncherLogging
{
    /// <summary>The message template of <see cref="Log.Ready"/>.</summary>
    public const string ReadyTemplate = "{ReadyLine}";

    public static Logger Create(string logDir, long fileSizeLimitBytes, int retainedFiles, bool verbose)
    {
        return new LoggerConfiguration()
            .MinimumLevel.Is(verbose ? LogEventLevel.Debug : LogEventLevel.Information)
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            // The ready line is already printed plainly on stdout for scripts; the console need not show it twice.
            .WriteTo.Logger(console => console
                .Filter.ByExcluding(e => e.MessageTemplate.Text == ReadyTemplate)
                .WriteTo.Console(outputTemplate: "{Timestamp:HH:mm:ss} {Level:u3} {Message:lj}{NewLine}{Exception}"))
            .WriteTo.File(
                Path.Combine(logDir, "launcher.log"),
                outputTemplate: "{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {Message:lj}{NewLine}{Exception}",
                fileSizeLimitBytes: fileSizeLimitBytes,
                rollOnFileSizeLimit: true,
                retainedFileCountLimit: retainedFiles)
            .CreateLogger();
    }
}
