using System.Text.Json;
using Launcher.Agent.Storage;

namespace Launcher.Agent.Protocol;

/// <summary>The one reader and writer of <c>workers/&lt;pid&gt;.json</c>, for the agent and the launcher alike.</summary>
internal static class RegistrationStore
{
    /// <summary>Writes the registration atomically: a reader sees no file or the whole file.</summary>
    public static void Write(string path, WorkerRegistration registration) =>
        AtomicJsonFile.Write(path, registration, ProtocolJson.Default.WorkerRegistration);

    /// <summary>
    /// Every registration in <paramref name="workersDir"/>, each file read once. A file removed between listing and
    /// reading (its worker left the registry) is skipped: nothing stale about that.
    /// </summary>
    public static IEnumerable<RegistrationRead> ReadAll(string workersDir)
    {
        if (!Directory.Exists(workersDir))
            yield break;

        foreach (var file in Directory.EnumerateFiles(workersDir, "*.json"))
        {
            if (Read(file) is { } read)
                yield return read;
        }
    }

    /// <summary>One registration file; null when it does not exist.</summary>
    public static RegistrationRead? Read(string file)
    {
        WorkerRegistration? registration;
        try
        {
            // Only a small regular file: a FIFO planted here would block a plain read for ever (issue 10, item 9).
            registration = JsonSerializer.Deserialize(RuntimeFile.ReadText(file), ProtocolJson.Default.WorkerRegistration);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (NotRegularFileException)
        {
            return new RegistrationRead(file, null, "not a regular file");
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            return new RegistrationRead(file, null, "unreadable");
        }

        if (registration is null)
            return new RegistrationRead(file, null, "empty");

        // JSON without "node" (or pid, startTicks) deserializes with nulls and zeros: nothing in it names a process.
        if (string.IsNullOrEmpty(registration.Node) || registration.Pid <= 0 || registration.StartTicks == 0)
            return new RegistrationRead(file, registration, "incomplete registration");
        return new RegistrationRead(file, registration, null);
    }
}
