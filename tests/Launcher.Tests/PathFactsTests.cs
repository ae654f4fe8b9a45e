using System.Runtime.Versioning;
using Launcher.Platform;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// The two syscalls behind the config's file checks (<c>statx(2)</c>, <c>statfs(2)</c>) on this machine's real paths:
/// their structs are declared, not offset-coded, so a wrong layout would show here. No process is started.
/// </summary>
[TestFixture, SupportedOSPlatform("linux")]
public sealed class PathFactsTests
{
    [Test]
    public void Statx_tells_a_directory_a_regular_file_a_device_and_a_missing_path_apart()
    {
        // Arrange
        var file = Path.GetTempFileName();
        File.WriteAllBytes(file, new byte[1234]);

        try
        {
            // Assert
            Assert.Multiple(() =>
            {
                Assert.That(PathFacts.Kind("/"), Is.EqualTo((FileKind.Directory, 0L)));
                Assert.That(PathFacts.Kind(file), Is.EqualTo((FileKind.RegularFile, 1234L)));
                Assert.That(PathFacts.Kind("/dev/zero").Kind, Is.EqualTo(FileKind.Special));
                Assert.That(PathFacts.Kind("/dev/null").Kind, Is.EqualTo(FileKind.Special));
                Assert.That(PathFacts.Kind(file + ".missing").Kind, Is.EqualTo(FileKind.Missing));
            });
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public void Statfs_names_proc_sys_and_dev_as_pseudo_file_systems_and_tmp_as_none()
    {
        Assert.Multiple(() =>
        {
            Assert.That(PathFacts.PseudoFileSystemOf("/proc"), Is.EqualTo("proc"));
            Assert.That(PathFacts.PseudoFileSystemOf("/proc/self"), Is.EqualTo("proc"));
            Assert.That(PathFacts.PseudoFileSystemOf("/sys"), Is.EqualTo("sysfs"));
            Assert.That(PathFacts.PseudoFileSystemOf("/dev"), Is.EqualTo("devtmpfs"));
            Assert.That(PathFacts.PseudoFileSystemOf("/tmp"), Is.Null);
            Assert.That(PathFacts.PseudoFileSystemOf(Path.GetTempPath()), Is.Null);
        });
    }
}
