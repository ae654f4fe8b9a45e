using Launcher.Exceptions;
using Launcher.Guard;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>Launcher exceptions carry their data and build their one-line message from it, in their own class.</summary>
[TestFixture]
public sealed class ExceptionDataTests
{
    private static readonly GuardHolder Holder = new(4242, 777, new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), "launcher run", "/srv/app/launcher.json");

    [Test]
    public void A_crash_loop_carries_the_slot_its_exits_and_the_limit_and_exits_5()
    {
        // Act
        var crashLoop = new CrashLoopException(2, 5, TimeSpan.FromSeconds(60), 5, "api9@h#9, exit code 1");

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That((crashLoop.Slot, crashLoop.Exits, crashLoop.Window, crashLoop.Limit), Is.EqualTo((2, 5, TimeSpan.FromSeconds(60), 5)));
            Assert.That(crashLoop.LastExit, Is.EqualTo("api9@h#9, exit code 1"));
            Assert.That(crashLoop.ExitCode, Is.EqualTo(ExitCodes.CrashLoop));
            Assert.That(crashLoop.Message, Is.EqualTo(
                "crash loop: worker slot #2 had 5 unexpected exits within 60 s (restart:crashLoopCount 5); last was api9@h#9, exit code 1"));
        });
    }

    [Test]
    public void A_held_lock_names_its_holder_and_how_to_stop_it_and_exits_3()
    {
        // Act
        var held = GuardHeldException.LockHeld("api", Holder, "/run/launcher/api.lock");
        var anonymous = GuardHeldException.LockHeld("api", null, "/run/launcher/api.lock");

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That((held.Instance, held.Reason, held.Holder), Is.EqualTo(("api", GuardHeldReason.LockHeld, Holder)));
            Assert.That(held.ExitCode, Is.EqualTo(ExitCodes.GuardHeld));
            Assert.That(held.Message, Does.Contain("pid 4242").And.Contain("launcher run").And.Contain("`launcher stop` (config /srv/app/launcher.json)"));
            Assert.That(anonymous.Holder, Is.Null);
            Assert.That(anonymous.Message, Does.Contain("/run/launcher/api.lock").And.Contain("did not say who it is"));
        });
    }

    [Test]
    public void A_recursive_start_and_a_worker_owned_elsewhere_name_the_other_launcher()
    {
        // Act
        var recursive = GuardHeldException.RecursiveStart("api", Holder);
        var owned = GuardHeldException.WorkerOwned("api", Holder, "/other/runtime", "api77@h#77");

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(recursive.Reason, Is.EqualTo(GuardHeldReason.RecursiveStart));
            Assert.That(recursive.Message, Does.Contain("runs inside a worker of launcher pid 4242").And.Contain("LAUNCHER_GUARD"));
            Assert.That((owned.Reason, owned.Worker, owned.Holder), Is.EqualTo((GuardHeldReason.WorkerOwned, "api77@h#77", Holder)));
            Assert.That(owned.Message, Does.Contain("launcher pid 4242").And.Contain("runtime dir /other/runtime").And.Contain("supervises api77@h#77"));
            Assert.That(owned.ExitCode, Is.EqualTo(ExitCodes.GuardHeld));
        });
    }
}
