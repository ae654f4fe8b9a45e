using System.Globalization;

namespace Launcher.Tests.Support;

/// <summary>How much memory a process has used: its peak resident set (VmHWM in proc(5)'s status file).</summary>
internal static class MemoryProbe
{
    /// <summary>The peak resident set size of <paramref name="pid"/> in bytes, or null when it is gone.</summary>
    public static long? PeakResidentBytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }
        catch (IOException)
        {
        }

        return null;
    }
}
