using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace Launcher.Logging;

/// <summary>
/// The launcher's own log: the console and <c>logs/launcher.log</c> (rolled by size). On the console every log line
/// goes to stderr, so stdout carries only what scripts read (the <c>ready:</c> line, and the worker's output under
/// --debug): `launcher run | grep -m1 ready:` works and `launcher run 2&gt;&gt;launcher.err` keeps the log apart.
/// The file gets Debug and up always (every run phase and slot state move); the console Information and up, or
/// Debug with --debug.
/// </summary>
internal static class LauncherLogging
{
    public static Logger Create(string logDir, long fileSizeLimitBytes, int retainedFiles, bool verboseConsole)
    {
        var failures = new LogWriteFailureReporter(TimeProvider.System, (error, lost) => Console.Error.WriteLine(
            $"{DateTime.Now:HH:mm:ss} WRN {Path.Combine(logDir, "launcher.log")} cannot be written: {error.Message}; the launcher runs on, {lost} line(s) lost since the last report (reported at most once a minute)"));
        return new LoggerConfiguration()
            .MinimumLevel.Debug()
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            // The ready line is already printed plainly on stdout for scripts; the console need not show it twice.
            .WriteTo.Logger(console => console
                .Filter.ByExcluding(e => HasEventId(e, Log.ReadyEventId))
                .WriteTo.Console(
                    restrictedToMinimumLevel: verboseConsole ? LogEventLevel.Debug : LogEventLevel.Information,
                    outputTemplate: "{Timestamp:HH:mm:ss} {Level:u3} {Message:lj}{NewLine}{Exception}",
                    standardErrorFromLevel: LogEventLevel.Verbose))
            // A full or failing log disk loses file lines, never an exit code or the cleanup (SafeSink, issue 10);
            // said on stderr at most once a minute (issue 13: not once per line).
            .WriteTo.Sink(new SafeSink(new LoggerConfiguration()
                .MinimumLevel.Verbose()
                .WriteTo.Fallible(
                    to => to.File(
                        Path.Combine(logDir, "launcher.log"),
                        outputTemplate: "{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {Message:lj}{NewLine}{Exception}",
                        fileSizeLimitBytes: fileSizeLimitBytes,
                        rollOnFileSizeLimit: true,
                        retainedFileCountLimit: retainedFiles),
                    failures)
                .CreateLogger(), failures))
            .CreateLogger();
    }

    // Serilog.Extensions.Logging carries a [LoggerMessage]'s event id as the structure EventId { Id, Name }.
    private static bool HasEventId(LogEvent logEvent, int id) =>
        logEvent.Properties.TryGetValue("EventId", out var value)
        && value is StructureValue structure
        && structure.Properties.Any(p => p.Name == "Id" && p.Value is ScalarValue { Value: int found } && found == id);
}
