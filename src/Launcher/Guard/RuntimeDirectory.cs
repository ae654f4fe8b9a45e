using System.Runtime.InteropServices;
using Launcher.Agent.Protocol;
using Launcher.Exceptions;
using Launcher.Platform;

namespace Launcher.Guard;

/// <summary>
/// The per-user runtime directory that holds locks, registrations and sockets. It must be ours and private:
/// anyone who can write there could plant a registration that makes us signal their choice of pid.
/// </summary>
internal static class RuntimeDirectory
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Creates <paramref name="path"/> 0700 if missing; refuses a symlink or a directory of another user.</summary>
    public static void Prepare(string path, int userId)
    {
        // "/x/link/" would make LinkTarget null and lstat follow the link: check the link itself.
        path = TrimSeparators(path);
        try
        {
            if (!OperatingSystem.IsLinux())
            {
                Directory.CreateDirectory(path);
                return;
            }

            if (!Directory.Exists(path) && !File.Exists(path))
                Directory.CreateDirectory(path, Private);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new EnvironmentException($"cannot create runtime directory {path}: {ex.Message} (set {EnvironmentNames.RuntimeDir} to a private directory)");
        }

        var info = new DirectoryInfo(path);
        if (info.LinkTarget is not null)
            throw new EnvironmentException($"runtime directory {path} is a symlink; refusing it (set LAUNCHER_RUNTIME_DIR to a private directory)");
        if (!info.Exists)
            throw new EnvironmentException($"runtime directory {path} exists but is not a directory");

        var owner = OwnerOf(path);
        if (owner != userId)
            throw new EnvironmentException($"runtime directory {path} belongs to uid {owner}, not to you (uid {userId}); refusing it (set LAUNCHER_RUNTIME_DIR)");
        if (info.UnixFileMode != Private)
            File.SetUnixFileMode(path, Private);
    }

    /// <summary>
    /// What <see cref="Prepare"/> would refuse, without creating or changing anything (for <c>launcher doctor</c>):
    /// null when the directory is usable, else the problem. <paramref name="note"/> tells what Prepare would change.
    /// </summary>
    public static string? Inspect(string path, int userId, out string? note)
    {
        note = null;
        path = TrimSeparators(path);
        if (!OperatingSystem.IsLinux())
            return null;
        if (!Directory.Exists(path) && !File.Exists(path) && new FileInfo(path).LinkTarget is null)
        {
            note = "does not exist yet; launcher run creates it with mode 0700";
            return null;
        }

        var info = new DirectoryInfo(path);
        if (info.LinkTarget is not null)
            return $"{path} is a symlink; set {EnvironmentNames.RuntimeDir} to a private directory";
        if (!info.Exists)
            return $"{path} exists but is not a directory";
        var owner = OwnerOf(path);
        if (owner != userId)
            return $"{path} belongs to uid {owner}, not to you (uid {userId})";
        if (info.UnixFileMode != Private)
            note = $"mode is {Convert.ToString((int)info.UnixFileMode, 8)}; launcher run sets it to 0700";
        return null;
    }

    /// <summary>The path without trailing separators (but "/" stays "/").</summary>
    public static string TrimSeparators(string path)
    {
        var trimmed = path.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        return trimmed.Length == 0 ? path[..1] : trimmed;
    }

    // st_uid sits at a fixed offset per ABI: x86-64 has st_nlink as 8 bytes before st_mode, the generic
    // layout (arm64, riscv64) has both as 4 bytes. See stat(3type) and the kernel's asm/stat.h.
    private static unsafe int OwnerOf(string path)
    {
        var buffer = stackalloc byte[256];
        if (LibC.LStat(path, buffer) != 0)
            throw new EnvironmentException($"cannot inspect runtime directory {path}: errno {Marshal.GetLastPInvokeError()}");
        var offset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 28 : 24;
        return *(int*)(buffer + offset);
    }
}
