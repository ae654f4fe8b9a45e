using System.Diagnostics;
using CliWrap;

namespace Launcher.Spawn;

/// <summary>
/// Starts a CliWrap command and reports the process's own exit. CliWrap's task completes only when stdout and
/// stderr close, which a grandchild holding them can delay forever; the exit event of the process does not wait.
/// </summary>
internal static class ExitEventStart
{
    public static CommandTask<CommandResult> StartWithExitEvent(this Command command, Action<Process> onExit) =>
        command.ExecuteAsync(
            null,
            process =>
            {
                process.Exited += (_, _) => onExit(process);
                // The process may have exited before the handler was attached.
                if (process.HasExited)
                    onExit(process);
            },
            CancellationToken.None,
            CancellationToken.None);
}
