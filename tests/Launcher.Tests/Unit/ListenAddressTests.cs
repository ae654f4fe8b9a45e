using System.Net;
using Launcher.Exceptions;
using Launcher.Observe;
using NUnit.Framework;

namespace Launcher.Tests.Unit;

/// <summary>Issue 13 part 3: <c>metrics.listen</c> is an address the user wrote, parsed without DNS; bad ones are exit 2 naming the key.</summary>
[TestFixture]
public sealed class ListenAddressTests
{
    [TestCase("127.0.0.1:9464", "127.0.0.1", 9464, true)]
    [TestCase("localhost:9464", "127.0.0.1", 9464, true)]
    [TestCase("[::1]:9464", "::1", 9464, true)]
    [TestCase("127.0.0.1:0", "127.0.0.1", 0, true)]
    [TestCase("0.0.0.0:9464", "0.0.0.0", 9464, false)]
    [TestCase("[::]:9464", "::", 9464, false)]
    [TestCase("192.0.2.10:9100", "192.0.2.10", 9100, false)]
    public void An_address_written_explicitly_is_taken_as_written(string text, string address, int port, bool loopback)
    {
        // Act
        var parsed = ListenAddress.Parse(text)!;

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(parsed.Address, Is.EqualTo(IPAddress.Parse(address)));
            Assert.That(parsed.Port, Is.EqualTo(port));
            Assert.That(parsed.IsLoopback, Is.EqualTo(loopback));
        });
    }

    [Test]
    public void Not_set_means_off() => Assert.That(ListenAddress.Parse(""), Is.Null);

    [TestCase("9464")]
    [TestCase(":9464")]
    [TestCase("127.0.0.1")]
    [TestCase("127.0.0.1:")]
    [TestCase("127.0.0.1:-1")]
    [TestCase("127.0.0.1:65536")]
    [TestCase("127.0.0.1: 80")]
    [TestCase("127.1:9464")]
    [TestCase("host.example:9464")]
    [TestCase("::1:9464")]
    [TestCase("[::1]9464")]
    [TestCase("[fe80::1%eth0]:9464")]
    [TestCase("[not-an-address]:9464")]
    public void A_bad_address_is_one_line_naming_metrics_listen_with_exit_code_2(string text)
    {
        // Act
        var error = Assert.Throws<ConfigException>(() => ListenAddress.Parse(text));

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(error!.Key, Is.EqualTo("metrics.listen"));
            Assert.That(error.Message, Does.StartWith("'metrics.listen': ").And.Contain(text));
            Assert.That(error.Message, Does.Not.Contain("\n"));
            Assert.That(error.ExitCode, Is.EqualTo(2));
        });
    }
}
