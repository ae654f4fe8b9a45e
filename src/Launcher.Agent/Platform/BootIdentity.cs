namespace Launcher.Agent.Platform;

/// <summary>This boot's id (<c>/proc/sys/kernel/random/boot_id</c>, random(4)): a registration from another boot is stale.</summary>
internal static class BootIdentity
{
    /// <summary>The id, or an empty string where the kernel does not publish one.</summary>
    public static string Read()
    {
        try
        {
            return File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}
