using System.Text.Json;
using Launcher.Tests.Support;
using StackExchange.Redis;

namespace Launcher.Tests.Lease;

/// <summary>Configs and checks shared by the multi-host tests: one launcher.json per simulated host.</summary>
internal static class LeaseHosts
{
    /// <summary>Writes <c>hosts/&lt;name&gt;/launcher.json</c>: one SampleWorker, the Redis lease at <paramref name="url"/>.</summary>
    public static string WriteConfig(Sandbox sandbox, string name, string url, double ttlSeconds)
    {
        var dir = Directory.CreateDirectory(Path.Combine(sandbox.Dir, "hosts", name)).FullName;
        var path = Path.Combine(dir, "launcher.json");
        var config = new Dictionary<string, object>
        {
            ["instance"] = sandbox.Instance,
            ["command"] = new[] { Repo.SampleWorkerExe, "--tick-seconds", "5" },
            ["workers"] = 1,
            ["logDir"] = "logs",
            ["startTimeoutSeconds"] = 30,
            ["stopGraceSeconds"] = 2,
            ["coordination"] = new Dictionary<string, object> { ["kind"] = "redis", ["url"] = url, ["ttlSeconds"] = ttlSeconds },
        };
        File.WriteAllText(path, JsonSerializer.Serialize(config));
        return path;
    }

    /// <summary>Creates the fence counter at <paramref name="fence"/>, as on a Redis that served the instance before (no quarantine wait).</summary>
    public static async Task SeedAsync(string url, string instance, long fence = 0)
    {
        await using var redis = await LeaseClient.ConnectAsync(url);
        await redis.GetDatabase().StringSetAsync($"launcher:{{{instance}}}:fence", fence);
    }

    /// <summary>The <c>LAUNCHER_FENCE</c> a live worker of <paramref name="host"/> was started with, or null.</summary>
    public static long? FenceOfWorkerOn(string instance, string host)
    {
        foreach (var pid in ProcessProbe.PidsWithMarker(instance))
        {
            string[] environ;
            try
            {
                environ = File.ReadAllText($"/proc/{pid}/environ").Split('\0');
            }
            catch (IOException)
            {
                continue;
            }

            if (environ.Any(e => e.StartsWith("LAUNCHER_NODE=", StringComparison.Ordinal) && e.EndsWith("@" + host, StringComparison.Ordinal))
                && environ.FirstOrDefault(e => e.StartsWith("LAUNCHER_FENCE=", StringComparison.Ordinal)) is { } fence)
                return long.Parse(fence["LAUNCHER_FENCE=".Length..], System.Globalization.CultureInfo.InvariantCulture);
        }

        return null;
    }
}
