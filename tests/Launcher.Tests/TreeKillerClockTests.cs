using Launcher.Kill;
using Launcher.Platform;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 10, item 6 of the safety brief: the kill path takes its time from an injected <see cref="TimeProvider"/>,
/// so the grace period is a rule that can be checked without processes or sleeps: SIGKILL never before the grace
/// period has passed on that clock, and a tree that honours SIGTERM never sees SIGKILL.
/// </summary>
[TestFixture]
public sealed class TreeKillerClockTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(20);

    [Test, CancelAfter(10_000)]
    public async Task A_tree_that_ignores_SIGTERM_gets_SIGKILL_only_after_the_grace_period_on_the_injected_clock(CancellationToken cancellationToken)
    {
        // Arrange: two fake trees; pid 900001 exits on SIGTERM, pid 900002 only on SIGKILL.
        var clock = new FakeTimeProvider();
        var table = new FakeProcesses();
        var polite = table.Add(900_001, diesOn: Signal.Terminate);
        var stubborn = table.Add(900_002, diesOn: Signal.Kill);
        var killer = new TreeKiller(table, table, clock);

        // Act: the clock moves only when the test moves it.
        var killing = killer.KillAsync([("polite", [polite]), ("stubborn", [stubborn])], Grace, cancellationToken);
        var killSentAt = (TimeSpan?)null;
        var elapsed = TimeSpan.Zero;
        while (!killing.IsCompleted && elapsed < TimeSpan.FromMinutes(1))
        {
            await Task.Yield();
            if (killSentAt is null && table.HasSent(stubborn.Pid, Signal.Kill))
                killSentAt = elapsed;
            clock.Advance(Step);
            elapsed += Step;
            await Task.Delay(1, cancellationToken); // let the killer's continuation run on the thread pool
        }

        var results = await killing;

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(results.Select(r => r.EndedBy), Is.EqualTo(new[] { "SIGTERM", "SIGKILL" }));
            Assert.That(table.Sent.Where(s => s.Pid == polite.Pid).Select(s => s.Signal), Does.Not.Contain(Signal.Kill), "the polite tree never sees SIGKILL");
            Assert.That(killSentAt ?? elapsed, Is.GreaterThanOrEqualTo(Grace), "SIGKILL only once the injected clock passed the grace period");
            Assert.That(results[1].Elapsed, Is.GreaterThanOrEqualTo(Grace), "the result's time is the injected clock's");
            Assert.That(results[0].Elapsed, Is.LessThan(Grace), "the polite tree ended within the grace period");
            Assert.That(results.Select(r => r.Survivors), Is.All.EqualTo(0));
        });
    }

    /// <summary>A process table and signal sender in memory: each process dies on one signal.</summary>
    private sealed class FakeProcesses : IProcessTable, ISignalSender
    {
        private readonly Dictionary<int, (ProcessInfo Info, Signal DiesOn)> _alive = [];

        public List<(int Pid, Signal Signal)> Sent { get; } = [];

        public bool HasSent(int pid, Signal signal)
        {
            lock (_alive)
                return Sent.Contains((pid, signal));
        }

        public int CurrentUserId => 4242;

        public ProcessInfo Add(int pid, Signal diesOn)
        {
            var info = new ProcessInfo(new ProcessIdentity(pid, 1000 + (ulong)pid), 1, CurrentUserId, 'S', ["fake", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            lock (_alive)
                _alive[pid] = (info, diesOn);
            return info;
        }

        public IReadOnlyList<ProcessInfo> Snapshot()
        {
            lock (_alive)
                return _alive.Values.Select(v => v.Info).ToList();
        }

        public ProcessInfo? Get(int pid)
        {
            lock (_alive)
                return _alive.TryGetValue(pid, out var entry) ? entry.Info : null;
        }

        public ulong? ReadStartTicks(int pid) => Get(pid)?.Identity.StartTicks;

        public string? ReadEnvironmentVariable(int pid, string name) => null;

        public string? ReadExecutablePath(int pid) => null;

        public string? ReadWorkingDirectory(int pid) => null;

        public bool HoldsWriteFlock(int pid, ulong inode) => false;

        public bool IsRaceFree => true;

        public ProcessMarkers ReadMarkers(int pid) => ProcessMarkers.None;

        public DateTimeOffset StartTimeOf(ulong startTicks) => DateTimeOffset.UnixEpoch;

        public bool IsAlive(ProcessIdentity identity) => Get(identity.Pid)?.Identity == identity;

        public bool Send(ProcessIdentity target, Signal signal)
        {
            lock (_alive)
            {
                if (!_alive.TryGetValue(target.Pid, out var entry) || entry.Info.Identity != target)
                    return false;
                Sent.Add((target.Pid, signal));
                if (signal == entry.DiesOn)
                    _alive.Remove(target.Pid);
                return true;
            }
        }
    }
}
