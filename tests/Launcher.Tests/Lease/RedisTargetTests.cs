using Launcher.Exceptions;
using Launcher.Guard.Lease;
using NUnit.Framework;

namespace Launcher.Tests.Lease;

/// <summary>coordination.url: what is accepted, what is refused (exit 2, naming the key), and the password kept out of sight.</summary>
[TestFixture]
public sealed class RedisTargetTests
{
    [TestCase("redis://10.0.0.5", "10.0.0.5", 6379, 0, false)]
    [TestCase("redis://redis.internal:6380/2", "redis.internal", 6380, 2, false)]
    [TestCase("rediss://:pw@cache.example:6390", "cache.example", 6390, 0, true)]
    [TestCase("redis://[::1]:7000", "::1", 7000, 0, false)]
    public void A_redis_URL_gives_host_port_database_and_TLS(string url, string host, int port, int database, bool tls)
    {
        var target = RedisTarget.Parse(url, "coordination.url", null);

        Assert.That((target.Host, target.Port, target.Database, target.Tls), Is.EqualTo((host, port, database, tls)));
    }

    [TestCase("localhost:6379")]
    [TestCase("http://localhost:6379")]
    [TestCase("redis://")]
    [TestCase("redis://host:99999")]
    [TestCase("redis://host/abc")]
    [TestCase("redis://host/16")]
    [TestCase("redis://host?timeout=1")]
    [TestCase("not a url")]
    public void A_malformed_URL_is_a_config_error_naming_the_key(string url)
    {
        var error = Assert.Throws<ConfigException>(() => RedisTarget.Parse(url, "coordination.url", null));

        Assert.That(error!.ExitCode, Is.EqualTo(2));
        Assert.That(error.Message, Does.StartWith("'coordination.url'"));
    }

    [Test]
    public void The_password_comes_from_the_URL_or_else_the_environment_and_is_never_displayed()
    {
        var fromUrl = RedisTarget.Parse("redis://app:p%40ss@h:1", "coordination.url", "from-env");
        var fromEnvironment = RedisTarget.Parse("redis://h:1", "coordination.url", "from-env");
        var malformedWithPassword = Assert.Throws<ConfigException>(() => RedisTarget.Parse("redis://:hunter2@h:1/x", "coordination.url", null));

        Assert.Multiple(() =>
        {
            Assert.That((fromUrl.User, fromUrl.Password), Is.EqualTo(("app", "p@ss")));
            Assert.That(fromEnvironment.Password, Is.EqualTo("from-env"));
            Assert.That(fromUrl.ToString(), Is.EqualTo("redis://h:1/0"));
            Assert.That(fromUrl.Display, Does.Not.Contain("p@ss").And.Not.Contain("app"));
            Assert.That(malformedWithPassword!.Message, Does.Not.Contain("hunter2"));
        });
    }
}
