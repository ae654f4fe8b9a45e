using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// scripts/build.sh skips the 30-50 s NativeAOT publish when nothing changed (issue 13, item 7), and still builds
/// after any change. Runs the real script in a copy of the repository's build inputs with a stand-in `dotnet` on
/// PATH that records each publish and writes the executables, so no real build is needed.
/// </summary>
[TestFixture]
public sealed class BuildScriptTests
{
    private const string FakeDotnet = """
        #!/usr/bin/env bash
        # Stand-in for dotnet: records the call, writes the -o directory's executables.
        echo "$*" >> "$FAKE_DOTNET_LOG"
        out=""
        while [ $# -gt 0 ]; do [ "$1" = "-o" ] && out=$2; shift; done
        mkdir -p "$out"
        for exe in launcher launcher-companion SampleWorker; do printf '#!/bin/sh\necho %s %s\n' "$exe" "$RANDOM" > "$out/$exe"; chmod +x "$out/$exe"; done
        """;

    [Test, CancelAfter(120_000)]
    public async Task Build_skips_when_nothing_changed_and_rebuilds_after_any_change(CancellationToken cancellationToken)
    {
        // Arrange: a git checkout holding build.sh and a few inputs, and the stand-in dotnet.
        await using var sandbox = new Sandbox();
        var repo = Directory.CreateDirectory(Path.Combine(sandbox.Dir, "repo")).FullName;
        Directory.CreateDirectory(Path.Combine(repo, "scripts"));
        Directory.CreateDirectory(Path.Combine(repo, "src", "Launcher"));
        File.Copy(Path.Combine(Repo.Root, "scripts", "build.sh"), Path.Combine(repo, "scripts", "build.sh"));
        File.Copy(Path.Combine(Repo.Root, "global.json"), Path.Combine(repo, "global.json"));
        File.Copy(Path.Combine(Repo.Root, ".gitignore"), Path.Combine(repo, ".gitignore"));
        var source = Path.Combine(repo, "src", "Launcher", "Program.cs");
        File.WriteAllText(source, "// version 1\n");
        var bin = Directory.CreateDirectory(Path.Combine(sandbox.Dir, "bin")).FullName;
        File.WriteAllText(Path.Combine(bin, "dotnet"), FakeDotnet.ReplaceLineEndings("\n") + "\n");
        if (OperatingSystem.IsWindows())
            Assert.Ignore("build.sh is the Linux build (build.ps1 is the Windows one)");
        else
            File.SetUnixFileMode(Path.Combine(bin, "dotnet"), (UnixFileMode)0b111_101_101);
        var log = Path.Combine(sandbox.Dir, "dotnet.log");
        var environment = new Dictionary<string, string?>
        {
            ["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH"),
            ["FAKE_DOTNET_LOG"] = log,
            ["GIT_CONFIG_GLOBAL"] = "/dev/null",
        };
        async Task Git(params string[] args) =>
            Assert.That((await Run("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@t", .. args])).ExitCode, Is.EqualTo(0));
        async Task<CliResult> Run(string program, string[] args)
        {
            await using var process = LauncherProcess.StartProgram(sandbox, program, args, repo, environment);
            var exitCode = await process.WaitForExitAsync(TimeSpan.FromSeconds(60), cancellationToken);
            return new CliResult(exitCode, string.Join('\n', process.StdoutLines), string.Join('\n', process.StderrLines));
        }

        async Task<int> BuildAsync(params string[] args)
        {
            var before = File.Exists(log) ? File.ReadAllLines(log).Length : 0;
            var result = await Run("bash", ["scripts/build.sh", .. args]);
            Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
            return (File.Exists(log) ? File.ReadAllLines(log).Length : 0) - before; // publishes run
        }

        await Git("init", "-q");
        await Git("add", ".");
        await Git("commit", "-qm", "inputs");

        // Act and Assert, step by step: how many publishes each build.sh ran.
        Assert.That(await BuildAsync(), Is.EqualTo(3), "a fresh checkout (no stamp) builds the launcher, its companion and the sample worker");
        Assert.That(await BuildAsync(), Is.EqualTo(0), "nothing changed: nothing built");
        File.SetLastWriteTimeUtc(source, DateTime.UtcNow.AddMinutes(1));
        Assert.That(await BuildAsync(), Is.EqualTo(0), "touch alone changes no content: nothing built");
        File.WriteAllText(source, "// version 2\n");
        Assert.That(await BuildAsync(), Is.EqualTo(3), "a modified source file is built");
        Assert.That(await BuildAsync(), Is.EqualTo(0));
        File.WriteAllText(Path.Combine(repo, "src", "Launcher", "New.cs"), "// not yet added to git\n");
        Assert.That(await BuildAsync(), Is.EqualTo(3), "a new file git does not track yet is an input too");
        Directory.CreateDirectory(Path.Combine(repo, "src", "Launcher", "obj"));
        File.WriteAllText(Path.Combine(repo, "src", "Launcher", "obj", "generated.cs"), "// build output\n");
        Assert.That(await BuildAsync(), Is.EqualTo(0), "obj/ (ignored by git) is not an input");
        Assert.That(await BuildAsync("--jit"), Is.EqualTo(2), "other flags, other build (--jit builds no companion)");
        Assert.That(await BuildAsync(), Is.EqualTo(3), "and back");
        File.WriteAllText(Path.Combine(repo, "artifacts", "launcher", "launcher"), "#!/bin/sh\n");
        Assert.That(await BuildAsync(), Is.EqualTo(3), "an executable replaced by another route is rebuilt");
        Assert.That(await BuildAsync("--force"), Is.EqualTo(3), "--force always builds");
        File.Delete(Path.Combine(repo, "artifacts", "build.stamp"));
        Assert.That(await BuildAsync(), Is.EqualTo(3), "no stamp, as in CI's clean clone: built");
    }
}
