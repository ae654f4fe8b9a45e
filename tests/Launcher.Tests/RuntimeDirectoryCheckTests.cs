using System.Diagnostics;
using System.Globalization;
using System.Runtime.Versioning;
using Launcher.Exceptions;
using Launcher.Guard;
using Launcher.Platform;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// The runtime directory's owner, type and mode checks through the platform's file facts (statx(2), one struct
/// layout on every architecture), on real files: a directory chowned to nobody, a symlink, a loose mode.
/// </summary>
[TestFixture, SupportedOSPlatform("linux")]
public sealed class RuntimeDirectoryCheckTests
{
    private const int Nobody = 65534;
    private const UnixFileMode Loose = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private static readonly PlatformServices Platform = PlatformServices.ForCurrentOs();

    [Test]
    public async Task File_facts_agree_with_coreutils_stat_on_owner_type_and_mode()
    {
        // Arrange: a directory of nobody with mode 0751, a symlink to it, a regular file.
        await using var sandbox = new Sandbox();
        var directory = Directory.CreateDirectory(Path.Combine(sandbox.Dir, "d")).FullName;
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        Chown(directory, Nobody);
        var link = Path.Combine(sandbox.Dir, "link");
        File.CreateSymbolicLink(link, directory);
        var file = Path.Combine(sandbox.Dir, "f");
        File.WriteAllText(file, "x");

        // Act
        var ofDirectory = Platform.Files.Inspect(directory);
        var ofLink = Platform.Files.Inspect(link);
        var ofFile = Platform.Files.Inspect(file);
        var ofMissing = Platform.Files.Inspect(Path.Combine(sandbox.Dir, "missing"));

        // Assert: the same answers as stat(1), which knows its own architecture's struct stat.
        Assert.Multiple(() =>
        {
            Assert.That(ofDirectory, Is.EqualTo(new FileFacts(FileKind.Directory, CoreutilsOwner(directory), CoreutilsMode(directory))));
            Assert.That(ofDirectory!.OwnerUserId, Is.EqualTo(Nobody));
            Assert.That(ofLink!.Kind, Is.EqualTo(FileKind.SymbolicLink), "the link itself, not its target");
            Assert.That(ofLink.OwnerUserId, Is.EqualTo(CoreutilsOwner(link)));
            Assert.That(ofFile, Is.EqualTo(new FileFacts(FileKind.RegularFile, CoreutilsOwner(file), CoreutilsMode(file))));
            Assert.That(ofMissing, Is.Null);
        });
    }

    [Test]
    public async Task A_runtime_directory_of_another_user_is_refused_naming_its_owner()
    {
        // Arrange
        await using var sandbox = new Sandbox();
        var foreign = Directory.CreateDirectory(Path.Combine(sandbox.Dir, "foreign")).FullName;
        File.SetUnixFileMode(foreign, FileFacts.Private);
        Chown(foreign, Nobody);

        // Act
        var refusal = Assert.Throws<EnvironmentException>(() => RuntimeDirectory.Prepare(foreign, Platform));
        var inspected = RuntimeDirectory.Inspect(foreign, Platform, out _);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(refusal!.Message, Does.Contain(foreign).And.Contain($"belongs to uid {Nobody}"));
            Assert.That(refusal.ExitCode, Is.EqualTo(ExitCodes.BadUsage));
            Assert.That(inspected, Does.Contain($"belongs to uid {Nobody}"), "doctor sees the same problem");
            Assert.That(CoreutilsOwner(foreign), Is.EqualTo(Nobody), "nothing was chowned back");
        });
    }

    [Test]
    public async Task A_symlinked_runtime_directory_is_refused_with_or_without_a_trailing_slash()
    {
        // Arrange: the link points at a private directory of our own, which would pass every other check.
        await using var sandbox = new Sandbox();
        var target = Directory.CreateDirectory(Path.Combine(sandbox.Dir, "target")).FullName;
        File.SetUnixFileMode(target, FileFacts.Private);
        var link = Path.Combine(sandbox.Dir, "link");
        File.CreateSymbolicLink(link, target);

        // Act
        var plain = Assert.Throws<EnvironmentException>(() => RuntimeDirectory.Prepare(link, Platform));
        var slashed = Assert.Throws<EnvironmentException>(() => RuntimeDirectory.Prepare(link + "/", Platform));

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(plain!.Message, Does.Contain(link).And.Contain("symlink"));
            Assert.That(slashed!.Message, Does.Contain("symlink"));
            Assert.That(RuntimeDirectory.Inspect(link + "//", Platform, out _), Does.Contain("symlink"));
        });
    }

    [Test]
    public async Task A_missing_runtime_directory_is_created_private_and_a_loose_one_is_tightened()
    {
        // Arrange
        await using var sandbox = new Sandbox();
        var missing = Path.Combine(sandbox.Dir, "new");
        var loose = Directory.CreateDirectory(Path.Combine(sandbox.Dir, "loose")).FullName;
        File.SetUnixFileMode(loose, Loose);

        // Act
        var looseProblem = RuntimeDirectory.Inspect(loose, Platform, out var looseNote);
        RuntimeDirectory.Prepare(missing, Platform);
        RuntimeDirectory.Prepare(loose, Platform);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(looseProblem, Is.Null, "a loose mode is fixed, not refused");
            Assert.That(looseNote, Does.Contain("755"));
            Assert.That(CoreutilsMode(missing), Is.EqualTo(FileFacts.Private));
            Assert.That(CoreutilsMode(loose), Is.EqualTo(FileFacts.Private));
            Assert.That(CoreutilsOwner(missing), Is.EqualTo(Platform.Processes.CurrentUserId));
        });
    }

    [Test]
    public async Task A_regular_file_as_runtime_directory_is_refused()
    {
        // Arrange
        await using var sandbox = new Sandbox();
        var file = Path.Combine(sandbox.Dir, "plain");
        File.WriteAllText(file, "not a directory");

        // Act
        var refusal = Assert.Throws<EnvironmentException>(() => RuntimeDirectory.Prepare(file, Platform));

        // Assert
        Assert.That(refusal!.Message, Does.Contain("not a directory"));
    }

    private static void Chown(string path, int uid) => Run("chown", "-h", uid.ToString(CultureInfo.InvariantCulture), path);

    private static int CoreutilsOwner(string path) => int.Parse(Run("stat", "-c", "%u", path), CultureInfo.InvariantCulture);

    private static UnixFileMode CoreutilsMode(string path) => (UnixFileMode)Convert.ToInt32(Run("stat", "-c", "%a", path), 8);

    private static string Run(string program, params string[] args)
    {
        var startInfo = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
            startInfo.ArgumentList.Add(arg);
        using var process = Process.Start(startInfo)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.That(process.ExitCode, Is.Zero, $"{program} {string.Join(' ', args)}: {process.StandardError.ReadToEnd()}");
        return output.Trim();
    }
}
