using System.Runtime.InteropServices;
using System.Text;
using Launcher.Agent.Platform;
using Microsoft.Win32.SafeHandles;

namespace Launcher.Agent.Storage;

/// <summary>
/// Reads the small files of the runtime directory (registrations, <c>holder.json</c>, <c>status.json</c>) so that a
/// planted file can neither hang nor flood the reader: only a regular file, never through a symlink, opened with
/// <c>O_NONBLOCK</c> (a FIFO swapped in after the type check still cannot block the open), at most
/// <see cref="MaxBytes"/> bytes. See open(2) (O_NOFOLLOW, O_NONBLOCK) and inode(7) (S_IFMT).
/// </summary>
internal static class RuntimeFile
{
    /// <summary>Far more than any file we write (a registration is ~300 bytes), far less than a memory problem.</summary>
    public const int MaxBytes = 64 * 1024;

    private const int O_RDONLY = 0;
    private const int O_NONBLOCK = 0x800;
    private const int O_NOFOLLOW = 0x20000;
    private const int O_CLOEXEC = 0x80000;
    private const int S_IFMT = 0xF000;
    private const int S_IFREG = 0x8000;
    private const int ENOENT = 2;

    /// <summary>
    /// The file's text. Throws <see cref="FileNotFoundException"/> when it is missing, and
    /// <see cref="IOException"/> (one line, naming the file) when it is not a regular file or is too large.
    /// </summary>
    public static string ReadText(string path, int maxBytes = MaxBytes)
    {
        if (!OperatingSystem.IsLinux())
            return ReadCapped(File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete), path, maxBytes);

        var type = FileType(path);
        if (type != S_IFREG)
            throw new NotRegularFileException($"{path} is not a regular file ({Describe(type)}); ignoring it");

        var fd = Syscalls.Open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno == ENOENT)
                throw new FileNotFoundException($"{path} is gone", path);
            throw new IOException($"cannot open {path}: errno {errno}");
        }

        return ReadCapped(new SafeFileHandle(fd, ownsHandle: true), path, maxBytes);
    }

    /// <summary>Like <see cref="ReadText"/>, but null for a missing, irregular, oversized or unreadable file.</summary>
    public static string? TryReadText(string path, int maxBytes = MaxBytes)
    {
        try
        {
            return ReadText(path, maxBytes);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>True when <paramref name="path"/> itself (not a symlink's target) is a regular file.</summary>
    public static bool IsRegularFile(string path)
    {
        if (!OperatingSystem.IsLinux())
            return File.Exists(path);
        try
        {
            return FileType(path) == S_IFREG;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static string ReadCapped(SafeFileHandle handle, string path, int maxBytes)
    {
        using (handle)
        {
            var buffer = new byte[maxBytes + 1];
            var total = 0;
            while (total < buffer.Length)
            {
                var read = RandomAccess.Read(handle, buffer.AsSpan(total), total);
                if (read == 0)
                    break;
                total += read;
            }

            if (total > maxBytes)
                throw new IOException($"{path} is larger than {maxBytes} bytes; ignoring it");
            return Encoding.UTF8.GetString(buffer, 0, total);
        }
    }

    private static int FileType(string path)
    {
        if (Syscalls.LStat(path, out var mode, out _) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno == ENOENT)
                throw new FileNotFoundException($"{path} is gone", path);
            throw new IOException($"cannot inspect {path}: errno {errno}");
        }

        return mode & S_IFMT;
    }

    private static string Describe(int type) => type switch
    {
        0x1000 => "a FIFO",
        0x2000 => "a character device",
        0x4000 => "a directory",
        0x6000 => "a block device",
        0xA000 => "a symlink",
        0xC000 => "a socket",
        _ => $"file type 0x{type:X}",
    };
}
