using Launcher.Platform;

namespace Launcher.Cli;

/// <summary>`launcher stop`: SIGTERM to the running launcher of the instance, then waits until it has stopped its workers and exited.</summary>
internal static class StopCommand
{
    public static async Task<int> ExecuteAsync(string? configPath)
    {
        var view = InstanceView.Open(configPath);
        var holder = view.LiveHolder();
        if (holder is null)
        {
            Console.WriteLine($"no launcher is running instance '{view.Spec.Instance}'");
            return ExitCodes.Ok;
        }

        var identity = new ProcessIdentity(holder.Pid, holder.StartTicks);
        Console.WriteLine($"stopping launcher pid {holder.Pid} (instance '{view.Spec.Instance}') ...");
        view.Platform.Signals.Send(identity, Signal.Terminate);

        var deadline = DateTime.UtcNow + view.Spec.StopGrace + TimeSpan.FromSeconds(30);
        while (view.Platform.Processes.IsAlive(identity))
        {
            if (DateTime.UtcNow > deadline)
            {
                ConsoleErrors.Write($"launcher pid {holder.Pid} did not exit in time; it may still be stopping its workers");
                return ExitCodes.Failure;
            }

            await Task.Delay(50);
        }

        Console.WriteLine("stopped");
        return ExitCodes.Ok;
    }
}
