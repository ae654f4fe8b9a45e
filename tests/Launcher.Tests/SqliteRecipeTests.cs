using System.Globalization;
using System.Text.Json;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// Issue 11, part 4: the plain SQL jobs table recipe (<c>integrations/sqlite</c>: <c>jobs.py</c> and the
/// <c>lost.py</c> hook), python3's stdlib sqlite3 only. A worker that dies mid-job leaves its row "running" forever;
/// the hook fails (or requeues) exactly that worker's running rows.
/// </summary>
[TestFixture]
public sealed class SqliteRecipeTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Test, CancelAfter(120_000)]
    public async Task SQLite_lost_fails_only_the_dead_workers_running_job_and_requeues_while_attempts_remain(CancellationToken cancellationToken)
    {
        // Arrange: two workers each running a long job; one is SIGKILLed.
        PythonPackages.SkipUnless("sqlite3");
        await using var sandbox = new Sandbox();
        var db = Path.Combine(sandbox.Dir, "jobs.db");
        Assert.That((await JobsAsync(sandbox, db, cancellationToken, "init")).ExitCode, Is.Zero);
        var first = int.Parse((await JobsAsync(sandbox, db, cancellationToken, "enqueue", "120")).Stdout.Single(), CultureInfo.InvariantCulture);
        var second = int.Parse((await JobsAsync(sandbox, db, cancellationToken, "enqueue", "120")).Stdout.Single(), CultureInfo.InvariantCulture);
        await using var dead = await StartWorkerAsync(sandbox, db, "dead@host", first, cancellationToken);
        await using var alive = await StartWorkerAsync(sandbox, db, "alive@host", second, cancellationToken);
        dead.Signal(Signals.SIGKILL);
        _ = await dead.WaitForExitAsync(Deadline, cancellationToken);
        var hookEnv = new Dictionary<string, string?>
        {
            ["JOBS_DB"] = db, ["LAUNCHER_NODE"] = "dead@host", ["LAUNCHER_EXIT_REASON"] = "crashed", ["LAUNCHER_EXIT_SIGNAL"] = "9",
        };

        // Act: first with attempts left (requeued), then again after a worker claimed and lost it once more (failed).
        var requeued = await IntegrationScript.RunAsync(sandbox, "sqlite/lost.py", ["--max-attempts", "2"], hookEnv, cancellationToken);
        var afterRequeue = await ShowAsync(sandbox, db, first, cancellationToken);
        await using var again = await StartWorkerAsync(sandbox, db, "dead@host", first, cancellationToken);
        again.Signal(Signals.SIGKILL);
        _ = await again.WaitForExitAsync(Deadline, cancellationToken);
        var failed = await IntegrationScript.RunAsync(sandbox, "sqlite/lost.py", ["--max-attempts", "2"], hookEnv, cancellationToken);
        var afterFail = await ShowAsync(sandbox, db, first, cancellationToken);
        var other = await ShowAsync(sandbox, db, second, cancellationToken);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(requeued.ExitCode, Is.Zero, requeued.ToString());
            Assert.That(requeued.Stdout, Has.Some.Contain($"job {first} requeued (attempt 1 of 2)"));
            Assert.That(afterRequeue.GetProperty("state").GetString(), Is.EqualTo("queued"));
            Assert.That(failed.ExitCode, Is.Zero, failed.ToString());
            Assert.That(afterFail.GetProperty("state").GetString(), Is.EqualTo("failed"));
            Assert.That(afterFail.GetProperty("attempts").GetInt32(), Is.EqualTo(2));
            Assert.That(afterFail.GetProperty("error").GetString(), Does.Contain("worker dead@host died while running this job (crashed").And.Contain("killed by signal 9"));
            Assert.That(other.GetProperty("state").GetString(), Is.EqualTo("running"), "the live worker's job is untouched");
            Assert.That(other.GetProperty("worker_id").GetString(), Is.EqualTo("alive@host"));
        });
    }

    [Test, CancelAfter(60_000)]
    public async Task SQLite_lost_says_in_one_line_that_there_is_no_database_and_creates_none(CancellationToken cancellationToken)
    {
        PythonPackages.SkipUnless("sqlite3");
        await using var sandbox = new Sandbox();
        var missing = Path.Combine(sandbox.Dir, "no-such.db");

        var result = await IntegrationScript.RunAsync(sandbox, "sqlite/lost.py", ["--db", missing, "--node", "api1@host"], null, cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
            Assert.That(result.Stderr, Is.EqualTo(new[] { $"sqlite lost: no database file at {missing}" }));
            Assert.That(File.Exists(missing), Is.False, "a typo in the path never becomes an empty database");
        });
    }

    [Test, CancelAfter(150_000)]
    public async Task Under_the_launcher_a_SQLite_job_whose_worker_is_SIGKILLed_is_failed_by_the_exit_hook_and_a_replacement_takes_the_next(CancellationToken cancellationToken)
    {
        // Arrange: the recipe as a user would configure it.
        PythonPackages.SkipUnless("sqlite3");
        await using var sandbox = new Sandbox();
        var scripts = Path.Combine(Examples.CopyIntegrations(sandbox), "sqlite");
        var db = Path.Combine(sandbox.Dir, "jobs.db");
        Assert.That((await JobsAsync(sandbox, db, cancellationToken, "init")).ExitCode, Is.Zero);
        var jobs = Path.Combine(scripts, "jobs.py");
        var config = new LauncherConfig
        {
            Command = [PythonPackages.Python, jobs, "worker", "--node", "{node}"],
            Environment = new Dictionary<string, string> { ["JOBS_DB"] = db, ["PYTHONDONTWRITEBYTECODE"] = "1" },
            Ping = new { command = new[] { PythonPackages.Python, jobs, "ping", "{node}", "{pid}" }, intervalSeconds = 5, timeoutSeconds = 10 },
            OnWorkerExit = new { command = new[] { PythonPackages.Python, Path.Combine(scripts, "lost.py") }, timeoutSeconds = 30 },
        };
        await using var run = await LauncherRun.StartAsync(sandbox, config, cancellationToken: cancellationToken);
        var (node, pid) = (run.Workers.Single().Node, run.Workers.Single().Pid);
        var job = int.Parse((await JobsAsync(sandbox, db, cancellationToken, "enqueue", "120")).Stdout.Single(), CultureInfo.InvariantCulture);
        await Eventually.TrueAsync(async () => (await ShowAsync(sandbox, db, job, cancellationToken)).GetProperty("state").GetString() == "running",
            Deadline, $"job {job} is running", cancellationToken);

        // Act
        Assert.That(ProcessProbe.Signal(pid, Signals.SIGKILL), Is.True);

        // Assert: the hook failed the job with the reason; the replacement takes the next job and finishes it.
        await Eventually.TrueAsync(async () => (await ShowAsync(sandbox, db, job, cancellationToken)).GetProperty("state").GetString() == "failed",
            Deadline, $"job {job} is failed by the hook", cancellationToken);
        var error = (await ShowAsync(sandbox, db, job, cancellationToken)).GetProperty("error").GetString();
        var next = int.Parse((await JobsAsync(sandbox, db, cancellationToken, "enqueue", "0.1")).Stdout.Single(), CultureInfo.InvariantCulture);
        await Eventually.TrueAsync(async () => (await ShowAsync(sandbox, db, next, cancellationToken)).GetProperty("state").GetString() == "done",
            Deadline, $"the replacement runs job {next}", cancellationToken);
        var finishedBy = (await ShowAsync(sandbox, db, next, cancellationToken)).GetProperty("worker_id").GetString();
        run.Observe();
        Assert.Multiple(() =>
        {
            Assert.That(error, Does.Contain($"worker {node} died while running this job (crashed, pid {pid}, killed by signal 9)"));
            Assert.That(finishedBy, Is.Not.EqualTo(node).And.StartWith("api"));
        });
        Assert.That(await run.StopAsync(cancellationToken), Is.Zero, run.Output);
    }

    private static Task<IntegrationScript.Result> JobsAsync(Sandbox sandbox, string db, CancellationToken cancellationToken, params string[] args) =>
        IntegrationScript.RunAsync(sandbox, "sqlite/jobs.py", ["--db", db, .. args], null, cancellationToken);

    private static async Task<JsonElement> ShowAsync(Sandbox sandbox, string db, int job, CancellationToken cancellationToken)
    {
        var shown = await JobsAsync(sandbox, db, cancellationToken, "show", job.ToString(CultureInfo.InvariantCulture));
        Assert.That(shown.ExitCode, Is.Zero, shown.ToString());
        using var document = JsonDocument.Parse(shown.Stdout.Single());
        return document.RootElement.Clone();
    }

    /// <summary>A <c>jobs.py worker</c> started by hand; waits until it runs <paramref name="job"/>.</summary>
    private static async Task<LauncherProcess> StartWorkerAsync(Sandbox sandbox, string db, string node, int job, CancellationToken cancellationToken)
    {
        var jobs = Path.Combine(Examples.CopyIntegrations(sandbox), "sqlite", "jobs.py");
        var worker = LauncherProcess.StartProgram(
            sandbox, PythonPackages.Python, [jobs, "--db", db, "worker", "--node", node], sandbox.Dir, new Dictionary<string, string?> { ["PYTHONDONTWRITEBYTECODE"] = "1" });
        try
        {
            await worker.WaitForLineAsync($"{node} running job {job} ", Deadline, cancellationToken);
            return worker;
        }
        catch
        {
            await worker.DisposeAsync();
            throw;
        }
    }
}
