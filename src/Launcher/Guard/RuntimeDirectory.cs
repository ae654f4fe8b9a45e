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
    /// <summary>Creates <paramref name="path"/> 0700 if missing; refuses a symlink, a non-directory or a directory of another user.</summary>
    public static void Prepare(string path, PlatformServices platform)
    {
        // "/x/link/" would make the check follow the link: check the link itself.
        path = TrimSeparators(path);
        var userId = platform.Processes.CurrentUserId;
        FileFacts? facts;
        try
        {
            facts = platform.Files.Inspect(path);
            if (facts is null)
            {
                platform.Files.CreatePrivateDirectory(path);
                facts = platform.Files.Inspect(path);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new EnvironmentException($"cannot create runtime directory {path}: {ex.Message} (set {EnvironmentNames.RuntimeDir} to a private directory)");
        }

        if (Refusal(path, facts, userId) is { } refusal)
            throw new EnvironmentException($"runtime directory {refusal}; refusing it (set {EnvironmentNames.RuntimeDir} to a private directory)");
        if (!facts!.IsPrivate)
            platform.Files.MakePrivate(path);
    }

    /// <summary>
    /// What <see cref="Prepare"/> would refuse, without creating or changing anything (for <c>launcher doctor</c>):
    /// null when the directory is usable, else the problem. <paramref name="note"/> tells what Prepare would change.
    /// </summary>
    public static string? Inspect(string path, PlatformServices platform, out string? note)
    {
        note = null;
        path = TrimSeparators(path);
        var facts = platform.Files.Inspect(path);
        if (facts is null)
        {
            note = "does not exist yet; launcher run creates it with mode 0700";
            return null;
        }

        if (Refusal(path, facts, platform.Processes.CurrentUserId) is { } refusal)
            return refusal;
        if (!facts.IsPrivate)
            note = $"mode is {Convert.ToString((int)facts.Mode, 8)}; launcher run sets it to 0700";
        return null;
    }

    /// <summary>The path without trailing separators (but "/" stays "/").</summary>
    public static string TrimSeparators(string path)
    {
        var trimmed = path.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        return trimmed.Length == 0 ? path[..1] : trimmed;
    }

    private static string? Refusal(string path, FileFacts? facts, int userId) => facts switch
    {
        null => $"{path} vanished while being prepared",
        { Kind: FileKind.SymbolicLink } => $"{path} is a symlink",
        { Kind: not FileKind.Directory } => $"{path} exists but is not a directory",
        { OwnerUserId: var owner } when owner != userId => $"{path} belongs to uid {owner}, not to you (uid {userId})",
        _ => null,
    };
}
