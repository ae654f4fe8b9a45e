using Launcher.Agent.Internal;
using Microsoft.Extensions.DependencyInjection;

namespace Launcher.Agent;

/// <summary>The one call a .NET worker adds to take part in the launcher protocol.</summary>
public static class LauncherAgentServiceCollectionExtensions
{
    /// <summary>
    /// Registers the worker in the launcher's runtime directory, answers pings, stops the app when its
    /// launcher dies, honours <c>LAUNCHER_WAIT_FOR_DEBUGGER</c> and refuses to become a silent duplicate.
    /// </summary>
    public static IServiceCollection AddLauncherAgent(this IServiceCollection services, Action<LauncherAgentOptions>? configure = null)
    {
        var options = new LauncherAgentOptions();
        configure?.Invoke(options);
        services.AddSingleton(options);
        services.AddHostedService<AgentHostedService>();
        return services;
    }
}
