using SampleWorker.Modes;

namespace SampleWorker;

/// <summary>The sample's actual work: a tick line every few seconds, plus whichever misbehaviour was asked for.</summary>
internal sealed class Worker(SampleWorkerOptions options, IHostApplicationLifetime lifetime) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var pid = Environment.ProcessId;
        var node = Environment.GetEnvironmentVariable("LAUNCHER_NODE") ?? "(no launcher)";
        if (options.IgnoreSigterm)
            NativeSignals.IgnoreSigterm();
        if (options.SpawnGrandchild)
            Console.WriteLine($"grandchild: {Grandchildren.StartChild()}");
        if (options.SetsidGrandchild)
            Console.WriteLine($"detached grandchild via setsid: {Grandchildren.StartDetached()}");

        // Printed once every handler above is in place, so tests may signal us from here on.
        Console.WriteLine($"Ready. pid={pid} node={node}");
        await Console.Error.WriteLineAsync($"stderr check from pid {pid}");

        // Each misbehaviour is its own timer, and ticks are a periodic timer: an idle worker costs no CPU
        // (a benchmark runs a hundred of these at once).
        _ = After(options.CrashAfterSeconds, () =>
        {
            Console.WriteLine($"crashing with exit code {options.CrashExitCode}");
            Environment.Exit(options.CrashExitCode);
        }, stoppingToken);
        _ = After(options.ExitAfterSeconds, () =>
        {
            Console.WriteLine("work done, exiting cleanly");
            lifetime.StopApplication();
        }, stoppingToken);
        _ = After(options.HangAfterSeconds, () =>
        {
            Console.WriteLine("hanging now (SIGSTOP)");
            NativeSignals.StopSelf();
        }, stoppingToken);

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.TickSeconds));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
                Console.WriteLine($"tick {DateTime.UtcNow:O}");
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        Console.WriteLine($"stopping gracefully (pid {pid})");
    }

    private static async Task After(double? seconds, Action action, CancellationToken stoppingToken)
    {
        if (seconds is not { } delay)
            return;
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(delay), stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        action();
    }
}
