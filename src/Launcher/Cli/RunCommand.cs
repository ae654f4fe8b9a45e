using Launcher.Agent.Protocol;
using Launcher.Config;
using Launcher.Guard;
using Launcher.Guard.Lease;
using Launcher.Kill;
using Launcher.Logging;
using Log = Launcher.Logging.Log;
using Launcher.Platform;
using Launcher.Service;
using Launcher.Spawn;
using Launcher.Strays;
using Launcher.Supervise;
using Launcher.Verify;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Extensions.Logging;

namespace Launcher.Cli;

/// <summary>
/// `launcher run`: config -> guard, then the supervisor (a hosted service) does strays -> kill -> spawn ->
/// verify -> supervise -> stop. Everything that can be refused is refused before the first side effect.
/// </summary>
internal static class RunCommand
{
    public static async Task<int> ExecuteAsync(string? configPath, RunFlags flags)
    {
        // A Windows service registers with the service control manager before anything can fail, so that every exit is
        // reported as the service's exit code (Service/WindowsServiceRun).
        if (flags.WindowsService is { } serviceName)
            return await WindowsServiceRun.RunAsync(serviceName, () => CliApp.Guarded(() => ExecuteAsync(configPath, flags with { WindowsService = null })));

        var platform = PlatformServices.ForCurrentOs();
        var config = ConfigLoader.Load(configPath);
        var effective = EffectiveSpec.Resolve(config, flags);
        var spec = effective.Spec;
        // Standing by only means something with a lease to wait for; locally a second launcher is refused at once.
        if (flags.Standby && spec.Coordination.Kind == CoordinationKind.Local)
            throw new Launcher.Exceptions.ConfigException("--standby", "needs coordination.kind redis (a standby waits for the Redis lease; with the local lock a second launcher on this host exits 3 at once)");
        var guardNote = EnvironmentGuard.Check(spec.Instance, platform.Processes);

        var paths = new RuntimePaths(RuntimePaths.DefaultRoot(), spec.Instance);
        if (System.Text.Encoding.UTF8.GetByteCount(paths.SocketFile(int.MaxValue)) is var socketBytes and > 107)
            throw new Launcher.Exceptions.EnvironmentException($"runtime directory path too long for Unix sockets ({socketBytes} > 107 bytes); set LAUNCHER_RUNTIME_DIR to a shorter path");
        RuntimeDirectory.Prepare(paths.Root, platform);
        if (flags.Replace)
            await LauncherReplacement.StopRunningAsync(spec, paths, platform, TimeProvider.System);
        using var instanceLock = InstanceLock.Acquire(paths, platform.Processes, spec.SourceDescription);
        // One launcher per user and instance even across runtime directories (an IDE's XDG_RUNTIME_DIR and a terminal's).
        using var userInstanceLock = UserInstanceLock.Acquire(spec.Instance, platform.Processes);

        Directory.CreateDirectory(spec.LogDir);
        paths.CreateWorkersDirectory();
        // Registrations are read from there: an instance or workers directory behind a symlink or of another user is refused.
        RuntimeDirectoryGate.Require(paths, platform);

        ScrubInheritedMarkers();

        await using var serilog = LauncherLogging.Create(spec.LogDir, spec.LogFileSizeLimitBytes, spec.LogFilesRetained, effective.VerboseConsole);
        using var loggerFactory = new SerilogLoggerFactory(serilog);
        var logger = loggerFactory.CreateLogger("Launcher");
        if (guardNote is not null)
            Log.EnvironmentGuardNoted(logger, guardNote);
        Log.LauncherStarting(logger, Environment.ProcessId, spec.Instance, effective.Workers, spec.Command.ToString(), spec.SourceDescription);

        // metrics.listen: bound before the lease and any worker, so a port in use is exit 2 with nothing started.
        await using var observe = Launcher.Observe.ObserveListener.Start(effective, TimeProvider.System, logger);

        await using var coordination = await CoordinationGuard.TakeAsync(spec.Coordination, spec.Instance, flags.Standby, logger);
        if (coordination is null)
            return ExitCodes.Ok; // stopped while standing by: nothing was started

        using var spawnThread = new SpawnThread();
        var children = new ChildRegistry();
        using var containment = RunContainment.Start(spec.Instance, paths.Root, platform, children, logger);
        var context = BuildContext(effective, paths, platform, spawnThread, children, containment, logger) with { Board = observe?.Board };
        // /status.json is the very document `launcher status --json` prints (the control socket's builder).
        observe?.ServeStatus(async cancellationToken =>
            Launcher.Control.StatusDocument.ToJson(await Launcher.Control.StatusDocument.BuildAsync(context.Live, context.Time, cancellationToken)));

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Logging.AddSerilog(serilog);
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.Services.Configure<HostOptions>(o =>
            o.ShutdownTimeout = spec.StopGrace + (spec.OnWorkerExit?.Timeout ?? TimeSpan.Zero) + TimeSpan.FromSeconds(15));
        builder.Services.AddSingleton(context);
        builder.Services.AddSingleton(WindowsServiceRun.Reporting(new RunReporter(logger)));
        builder.Services.AddHostedService<Supervisor>();

        using var host = builder.Build();
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        coordination.Watch(lifetime, platform, context.Guard, logger);
        WindowsServiceRun.StopWith(lifetime.StopApplication);
        // `launcher status`, `ping` and `stop` ask this launcher over <runtime>/<instance>.control.sock (Control/).
        await using var control = Launcher.Control.ControlServer.Start(paths, context.Live, lifetime.StopApplication, context.Time, logger);
        await host.RunAsync();
        if (coordination.LostMessage is { } lost)
            context.Outcome.Fail(ExitCodes.GuardHeld, lost);

        if (context.Outcome.Message is { } message)
            ConsoleErrors.Write(message);
        control?.ReportExit(context.Outcome.ExitCode);
        return context.Outcome.ExitCode;
    }

    private static RunContext BuildContext(EffectiveSpec effective, RuntimePaths paths, PlatformServices platform, SpawnThread spawnThread,
        ChildRegistry children, RunContainment containment, Microsoft.Extensions.Logging.ILogger logger)
    {
        var spec = effective.Spec;
        var time = TimeProvider.System;
        var contained = new ContainedCommand(containment.Cgroups, children, platform.Containment, logger);
        var guard = EnvironmentGuard.ForSelf(spec.Instance, platform.Processes);
        var finder = new WorkerFinder(platform.Processes, paths, spec.StrayPatterns, new ConfiguredProgram(spec.Command.Program, platform));
        var pinger = new WorkerPinger(spec, paths, contained);
        return new RunContext(
            effective,
            paths,
            guard,
            platform,
            finder,
            new TreeKiller(platform.Processes, platform.Signals, time),
            new WorkerSpawner(spec, paths, guard, spawnThread, children, containment, platform.Processes, time, echoToConsole: effective.EchoWorkerOutput,
                onLogWriteFailure: (path, error, lost) => Log.WorkerLogNotWritten(logger, path, error.Message, lost)),
            pinger,
            new Verifier(finder, pinger, time),
            new ExitHook(spec, contained, logger),
            children,
            containment,
            time,
            new RunOutcome());
    }

    // A launcher started from a worker's shell inherits that worker's markers; its helpers must not carry them.
    private static void ScrubInheritedMarkers()
    {
        Environment.SetEnvironmentVariable(EnvironmentNames.Instance, null);
        Environment.SetEnvironmentVariable(EnvironmentNames.Node, null);
        Environment.SetEnvironmentVariable(EnvironmentNames.Guard, null);
        Environment.SetEnvironmentVariable(ProcessMarkers.RoleVariable, null);
        // NOTIFY_SOCKET and WATCHDOG_* are the launcher's to answer, not its workers' (sd_notify(3) unset_environment).
        SystemdNotifier.TakeFromEnvironment();
    }
}
