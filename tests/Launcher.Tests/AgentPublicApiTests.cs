using Launcher.Agent;
using Launcher.Agent.Protocol;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>The worker library exposes only what a worker author needs; everything else is internal.</summary>
[TestFixture]
public sealed class AgentPublicApiTests
{
    [Test]
    public void The_agent_library_exports_only_the_registration_call_its_options_the_exception_and_the_protocol_records()
    {
        // Arrange
        var assembly = typeof(LauncherAgentOptions).Assembly;

        // Act
        var exported = assembly.GetExportedTypes().Select(t => t.FullName).Order(StringComparer.Ordinal).ToList();

        // Assert
        Assert.That(exported, Is.EqualTo(new[]
        {
            typeof(DuplicateWorkerException).FullName,
            typeof(LauncherAgentOptions).FullName,
            typeof(LauncherAgentServiceCollectionExtensions).FullName,
            typeof(PingReply).FullName,
            typeof(WorkerRegistration).FullName,
        }.Order(StringComparer.Ordinal)));
    }
}
