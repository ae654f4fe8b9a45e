using Launcher.Agent.Protocol;
using Launcher.Config;
using Launcher.Guard;
using Launcher.Platform;
using Launcher.Strays;
using Launcher.Supervise;
using Launcher.Verify;

namespace Launcher.Cli;

/// <summary>What the read-only commands (status, ping, strays, stop) need: the config, paths and a live look.</summary>
internal sealed class InstanceView(LauncherSpec spec, RuntimePaths paths, PlatformServices platform)
{
    private WorkerFinder? _finder;

    public LauncherSpec Spec { get; } = spec;

    public RuntimePaths Paths { get; } = paths;

    public PlatformServices Platform { get; } = platform;

    /// <summary>
    /// Discovery, built at first use: a running launcher that answers over its control socket makes it unnecessary,
    /// and building it reads the worker program's file (<see cref="ConfiguredProgram"/>).
    /// </summary>
    public WorkerFinder Finder => _finder ??= new WorkerFinder(Platform.Processes, Paths, Spec.StrayPatterns, new ConfiguredProgram(Spec.Command.Program, Platform));

    public static InstanceView Open(string? configPath)
    {
        var platform = PlatformServices.ForCurrentOs();
        // The light load: stopping or inspecting a running launcher must work after its worker binary or log
        // directory is gone (a clean rebuild), so no file-system checks of command or logDir here.
        var spec = ConfigLoader.LoadForReading(configPath);
        return new InstanceView(spec, new RuntimePaths(RuntimePaths.DefaultRoot(), spec.Instance), platform);
    }

    /// <summary>The launcher holding the instance now, or null when none is alive.</summary>
    public GuardHolder? LiveHolder()
    {
        var holder = GuardHolder.TryRead(Paths.HolderFile);
        return holder is not null && Platform.Processes.IsAlive(new ProcessIdentity(holder.Pid, holder.StartTicks)) ? holder : null;
    }

    /// <summary>
    /// What the live launcher publishes about its run (state, expected workers, recent events), or null when none
    /// is alive or the file was left by an earlier launcher that was killed (its worker list is history).
    /// </summary>
    public StatusFile? LiveStatus(GuardHolder? holder)
    {
        if (holder is null)
            return null;
        var published = StatusFile.TryRead(Paths.StatusFile);
        return published is not null && published.LauncherPid == holder.Pid ? published : null;
    }

    /// <summary>How many workers should answer: what the live launcher runs (1 under --debug), else the config's count.</summary>
    public int ExpectedWorkers(StatusFile? published) => published?.Expected ?? Spec.Workers;

    public WorkerPinger Pinger() => new(Spec, Paths, new Spawn.ContainedCommand(null, new Spawn.ChildRegistry(), Platform.Containment, null));
}
