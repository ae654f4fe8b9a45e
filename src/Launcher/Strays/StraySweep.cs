using Launcher.Agent.Protocol;
using Launcher.Exceptions;
using Launcher.Kill;
using Launcher.Logging;
using Launcher.Platform;
using Microsoft.Extensions.Logging;

namespace Launcher.Strays;

/// <summary>
/// The first step of `launcher run` after the guard: removes stale registrations, refuses to start beside another
/// live launcher of the instance, and kills every stray worker tree (or refuses, with --no-kill) before a worker
/// of ours is spawned.
/// </summary>
internal sealed class StraySweep(
    WorkerFinder finder,
    IProcessTable processes,
    TreeKiller killer,
    RuntimePaths paths,
    string instance,
    TimeSpan grace,
    bool noKill,
    ILogger logger)
{
    /// <summary>Sweeps once; <paramref name="onKilled"/> runs for each killed stray that had a node and a pid.</summary>
    public async Task SweepAsync(Func<string, int, CancellationToken, Task> onKilled, CancellationToken cancellationToken)
    {
        var discovery = finder.Find();
        if (discovery.Candidates.Count > 0)
            Log.UnconfirmedStraysLeft(logger, discovery.Candidates.Count, finder.Program, string.Join(", ", discovery.Candidates.Select(u => u.Display)));
        foreach (var stale in discovery.Stale)
        {
            File.Delete(stale.File);
            File.Delete(Path.ChangeExtension(stale.File, ".sock"));
            Log.StaleRegistrationRemoved(logger, stale.Node ?? Path.GetFileName(stale.File), stale.Reason);
        }

        // The rule `launcher strays` and `launcher status` use too: a worker a live launcher owns is not a stray.
        // Another launcher running this instance (the same name under another runtime directory, where its lock
        // is not ours to see) means this one must not start: killing its workers only makes it restart them.
        var ownership = new Ownership(processes, holder: null);
        var strays = new List<WorkerUnit>();
        foreach (var unit in discovery.Units)
        {
            switch (ownership.OwnerOf(unit))
            {
                case null:
                    strays.Add(unit);
                    break;
                case { IsSelf: false } other:
                    throw GuardHeldException.WorkerOwned(
                        instance, new Guard.GuardHolder(other.Pid, other.StartTicks, other.StartedAt, other.CommandLine, ConfigFile: ""), other.RuntimeDir, unit.Display);
            }
        }

        if (strays.Count == 0)
            return;

        var names = string.Join(", ", strays.Select(u => $"{u.Display} [{u.FoundBy}, {u.Members.Count} process(es)]"));
        if (noKill)
            throw new VerificationFailedException($"--no-kill: {strays.Count} stray worker(s) of instance '{instance}' are running: {names}. Stop them (launcher strays --kill) or run without --no-kill.");

        Log.StraysFound(logger, strays.Count, names);
        var results = await killer.KillAsync(strays.Select(u => (u.Display, u.Members)).ToList(), grace, cancellationToken);
        foreach (var (unit, result) in strays.Zip(results))
        {
            Log.StrayKilled(logger, result.ToString());
            if (unit.Registration is { } registration)
            {
                File.Delete(paths.RegistrationFile(registration.Pid));
                File.Delete(paths.SocketFile(registration.Pid));
            }
            if (unit.Node is { } node && unit.Pid is { } pid)
                await onKilled(node, pid, cancellationToken);
        }

        if (results.FirstOrDefault(r => r.Survivors > 0) is { } survivor)
            throw new VerificationFailedException($"could not kill stray {survivor}; not starting beside it");
    }
}
