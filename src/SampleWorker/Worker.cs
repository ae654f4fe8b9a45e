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

        var started = DateTime.UtcNow;
        var tick = TimeSpan.FromSeconds(options.TickSeconds);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        var nextTick = started + tick;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var elapsed = (DateTime.UtcNow - started).TotalSeconds;
                if (options.CrashAfterSeconds is { } crash && elapsed >= crash)
                {
                    Console.WriteLine($"crashing with exit code {options.CrashExitCode}");
                    Environment.Exit(options.CrashExitCode);
                }

                if (options.ExitAfterSeconds is { } exit && elapsed >= exit)
                {
                    Console.WriteLine("work done, exiting cleanly");
                    lifetime.StopApplication();
                    return;
                }

                if (options.HangAfterSeconds is { } hang && elapsed >= hang)
                {
                    Console.WriteLine("hanging now (SIGSTOP)");
                    NativeSignals.StopSelf();
                }

                if (DateTime.UtcNow >= nextTick)
                {
                    Console.WriteLine($"tick {DateTime.UtcNow:O}");
                    nextTick += tick;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        Console.WriteLine($"stopping gracefully (pid {pid})");
    }
}
