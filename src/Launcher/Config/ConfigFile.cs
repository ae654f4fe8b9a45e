using System.Text;
using Launcher.Exceptions;
using Launcher.Platform;

namespace Launcher.Config;

/// <summary>
/// Finds and reads the config: <c>--config PATH</c>, else ./launcher.json, else the embedded default. Only a regular
/// file of at most <see cref="MaxBytes"/> is read: <c>--config /dev/zero</c> would read forever, a FIFO would block.
/// </summary>
internal static class ConfigFile
{
    public const string DefaultFileName = "launcher.json";

    /// <summary>1 MiB: far above any real launcher.json, far below what could hurt.</summary>
    public const int MaxBytes = 1024 * 1024;

    // PATH_MAX (linux/limits.h) counts the terminating NUL.
    private const int MaxPathBytes = 4095;

    private const string Key = "--config";

    public static ConfigSource Read(string? explicitPath)
    {
        var path = explicitPath;
        if (path is null && File.Exists(DefaultFileName))
            path = DefaultFileName;
        if (path is null)
            return Embedded();

        if (string.IsNullOrWhiteSpace(path))
            throw new ConfigException(Key, "is empty; give the path of a launcher.json file");
        if (path.Contains('\0', StringComparison.Ordinal))
            throw new ConfigException(Key, "contains a NUL character; give the path of a launcher.json file");
        var full = Path.GetFullPath(path);
        if (Encoding.UTF8.GetByteCount(full) > MaxPathBytes)
            throw new ConfigException(Key, $"is longer than {MaxPathBytes} bytes (PATH_MAX); give the path of a launcher.json file");

        var (kind, size) = PathFacts.Kind(full);
        switch (kind)
        {
            case FileKind.Directory:
                throw new ConfigException(Key, $"{full} is a directory; give the path of a launcher.json file");
            case FileKind.Special:
                throw new ConfigException(Key, $"{full} is not a regular file (a device, FIFO or socket); give the path of a launcher.json file");
            case FileKind.RegularFile when size > MaxBytes:
                throw new ConfigException(Key, $"{full} is {size} bytes; a launcher.json may be at most {MaxBytes} bytes");
        }

        try
        {
            return new ConfigSource(ReadCapped(full, size), Path.GetDirectoryName(full)!, full, Path.GetFileName(full));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ConfigException(Key, $"no such file: {full}", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException(Key, $"cannot read {full}: {ex.Message}", ex);
        }
    }

    // The file may grow between the check above and this read: never read more than the cap. The buffer starts at
    // the size seen (a 1 MiB buffer, zeroed, was a tenth of `launcher status`'s own work, issue 12 part 3) and grows
    // only for a file that grew meanwhile.
    private static byte[] ReadCapped(string path, long sizeSeen)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1);
        var buffer = new byte[(int)Math.Clamp(sizeSeen + 1, 4096, MaxBytes + 1)];
        var length = 0;
        int read;
        while ((read = stream.Read(buffer, length, buffer.Length - length)) > 0)
        {
            length += read;
            if (length == buffer.Length)
            {
                if (buffer.Length > MaxBytes)
                    break;
                Array.Resize(ref buffer, Math.Min(buffer.Length * 2, MaxBytes + 1));
            }
        }

        if (length > MaxBytes)
            throw new ConfigException(Key, $"{path} is over {MaxBytes} bytes; a launcher.json may be at most {MaxBytes} bytes");
        return buffer[..length];
    }

    private static ConfigSource Embedded()
    {
        using var stream = typeof(ConfigFile).Assembly.GetManifestResourceStream("default-launcher.json")
            ?? throw new InvalidOperationException("the embedded default config is missing from this build");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return new ConfigSource(copy.ToArray(), Directory.GetCurrentDirectory(), "embedded default config (no launcher.json here)", "default config");
    }
}
