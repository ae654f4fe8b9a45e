using Launcher.Census;
using NUnit.Framework;

namespace Launcher.Tests.Unit;

/// <summary>Issue 11: which census nodes are ours, stale or foreign, and which are out of scope (a pure function).</summary>
[TestFixture]
public sealed class CensusClassifierTests
{
    private const string Host = "web-1";
    private static readonly DateTimeOffset SweepEnded = new(2026, 11, 29, 21, 0, 0, TimeSpan.Zero);
    private static readonly OurWorker[] Ours = [new("api10@web-1", 10), new("api11@web-1", 11)];

    [Test]
    public void Exactly_our_nodes_is_exactly_ours()
    {
        var verdict = Classify([new("api10@web-1"), new("api11@web-1", 11)]);

        Assert.Multiple(() =>
        {
            Assert.That(verdict.ExactlyOurs, Is.True);
            Assert.That(verdict.Ours.Select(e => e.Node), Is.EqualTo(new[] { "api10@web-1", "api11@web-1" }));
        });
    }

    [Test]
    public void One_of_ours_not_listed_is_missing()
    {
        var verdict = Classify([new("api10@web-1")]);

        Assert.Multiple(() =>
        {
            Assert.That(verdict.ExactlyOurs, Is.False);
            Assert.That(verdict.Missing, Is.EqualTo(new[] { "api11@web-1" }));
        });
    }

    [Test]
    public void Scope_host_ignores_other_hosts_and_scope_all_calls_them_foreign()
    {
        CensusEntry[] entries = [new("api10@web-1"), new("api11@web-1"), new("celery@web-2"), new("api10@WEB-1.other", Host: "web-2")];

        var host = Classify(entries, CensusScope.Host);
        var all = Classify(entries, CensusScope.All);

        Assert.Multiple(() =>
        {
            Assert.That(host.ExactlyOurs, Is.True);
            Assert.That(host.OutOfScope, Is.EqualTo(2));
            Assert.That(all.Foreign.Select(e => e.Node), Is.EqualTo(new[] { "celery@web-2", "api10@WEB-1.other" }));
            Assert.That(all.Stale, Is.Empty, "another host's node is never stale: only this host's dead workers are");
        });
    }

    [Test]
    public void Host_names_compare_without_case()
    {
        var verdict = Classify([new("api10@web-1"), new("api11@web-1"), new("celery@WEB-1")]);

        Assert.That(verdict.Foreign.Select(e => e.Node), Is.EqualTo(new[] { "celery@WEB-1" }));
    }

    [Test]
    public void Our_node_name_with_another_pid_is_foreign()
    {
        var verdict = Classify([new("api10@web-1", 10), new("api11@web-1", 99)]);

        Assert.Multiple(() =>
        {
            Assert.That(verdict.Foreign.Select(e => e.Pid), Is.EqualTo(new int?[] { 99 }));
            Assert.That(verdict.Missing, Is.EqualTo(new[] { "api11@web-1" }));
        });
    }

    [Test]
    public void A_dead_node_of_our_naming_on_this_host_is_stale()
    {
        var verdict = Classify([new("api10@web-1"), new("api11@web-1"), new("api12@web-1"), new("api13@web-1", Heartbeat: SweepEnded.AddSeconds(-30))]);

        Assert.Multiple(() =>
        {
            Assert.That(verdict.Stale.Select(e => e.Node), Is.EqualTo(new[] { "api12@web-1", "api13@web-1" }));
            Assert.That(verdict.Foreign, Is.Empty);
        });
    }

    [Test]
    public void A_heartbeat_newer_than_the_sweep_means_something_alive_uses_the_name_so_it_is_foreign_not_stale()
    {
        var verdict = Classify([new("api10@web-1"), new("api11@web-1"), new("api12@web-1", Heartbeat: SweepEnded.AddSeconds(1))]);

        Assert.Multiple(() =>
        {
            Assert.That(verdict.Stale, Is.Empty);
            Assert.That(verdict.Foreign.Select(e => e.Node), Is.EqualTo(new[] { "api12@web-1" }));
        });
    }

    [Test]
    public void A_node_whose_pid_runs_a_worker_here_is_never_stale()
    {
        var verdict = Classify([new("api10@web-1"), new("api11@web-1"), new("api12@web-1")], backedHere: pid => pid == 12);

        Assert.That(verdict.Foreign.Select(e => e.Node), Is.EqualTo(new[] { "api12@web-1" }));
    }

    [Test]
    public void Names_not_of_our_naming_are_foreign_never_stale()
    {
        var verdict = Classify([new("api10@web-1"), new("api11@web-1"), new("celery@web-1"), new("apix@web-1"), new("api12@web-1x"), new("w1", Host: Host)]);

        Assert.Multiple(() =>
        {
            Assert.That(verdict.Stale, Is.Empty);
            Assert.That(verdict.Foreign.Select(e => e.Node), Is.EqualTo(new[] { "celery@web-1", "apix@web-1", "w1" }));
            Assert.That(verdict.OutOfScope, Is.EqualTo(1), "api12@web-1x is another host");
        });
    }

    [Test]
    public void A_node_without_a_host_is_judged_only_with_scope_all()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Classify([new("api10@web-1"), new("api11@web-1"), new("uuid-42")]).OutOfScope, Is.EqualTo(1));
            Assert.That(Classify([new("api10@web-1"), new("api11@web-1"), new("uuid-42")], CensusScope.All).Foreign, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public void Our_naming_reads_the_pid_only_for_this_host()
    {
        Assert.Multiple(() =>
        {
            Assert.That(OurNaming.PidOf("api4242@web-1", Host), Is.EqualTo(4242));
            Assert.That(OurNaming.PidOf("api4242@Web-1", Host), Is.EqualTo(4242));
            Assert.That(OurNaming.PidOf("api4242@web-2", Host), Is.Null);
            Assert.That(OurNaming.PidOf("api@web-1", Host), Is.Null);
            Assert.That(OurNaming.PidOf("api-1@web-1", Host), Is.Null);
            Assert.That(OurNaming.PidOf("api+1@web-1", Host), Is.Null);
            Assert.That(OurNaming.PidOf("api0@web-1", Host), Is.Null);
            Assert.That(OurNaming.PidOf("api99999999999@web-1", Host), Is.Null);
            Assert.That(OurNaming.PidOf("xapi1@web-1", Host), Is.Null);
        });
    }

    private static CensusVerdict Classify(IReadOnlyList<CensusEntry> entries, CensusScope scope = CensusScope.Host, Func<int, bool>? backedHere = null) =>
        CensusClassifier.Classify(entries, Ours, Host, scope, SweepEnded, backedHere ?? (_ => false));
}
