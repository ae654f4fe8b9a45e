using System.Text;
using NUnit.Framework;

namespace Launcher.Tests.Unit;

/// <summary>
/// Issue 12: the launcher hashes names with its own SHA-256 (the BCL's loads libcrypto, 3.4 MB resident); the names
/// it derives (cgroup subtree, long abstract socket names) must stay exactly what the BCL's SHA-256 gave.
/// </summary>
[TestFixture]
public sealed class Sha256Tests
{
    [TestCase("")]
    [TestCase("abc")]
    [TestCase("/run/user/1000/launcher")]
    [TestCase("exactly fifty-five bytes long, so the padding is tight!")]
    [TestCase("fifty-six bytes: the length spills into a second block!!")]
    [TestCase("a long instance name that spans more than one sixty-four byte block of the hash, twice over, to be sure of it")]
    public void The_launchers_own_SHA_256_gives_the_same_digest_as_the_BCL(string text)
    {
        // Arrange
        var bytes = Encoding.UTF8.GetBytes(text);

        // Act
        var ours = Launcher.Platform.Sha256.HashData(bytes);

        // Assert
        Assert.That(Convert.ToHexStringLower(ours), Is.EqualTo(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes))));
    }
}
