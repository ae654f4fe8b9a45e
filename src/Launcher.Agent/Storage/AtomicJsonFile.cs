using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Launcher.Agent.Storage;

/// <summary>
/// Small JSON files in the runtime directory that other processes read at any moment: written to a temporary
/// file and renamed over the old one (rename(2) is atomic), so a reader sees the old or the new file, never half.
/// </summary>
internal static class AtomicJsonFile
{
    public static T? TryRead<T>(string path, JsonTypeInfo<T> type) where T : class
    {
        try
        {
            // A FIFO or a huge file planted here must not hang or flood the reader (issue 10, item 9).
            return JsonSerializer.Deserialize(RuntimeFile.ReadText(path), type);
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static void Write<T>(string path, T value, JsonTypeInfo<T> type)
    {
        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        try
        {
            File.WriteAllText(temporary, JsonSerializer.Serialize(value, type));
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            // A full disk (ENOSPC) leaves a half-written temporary file: never leave it behind (issue 10, item 8).
            File.Delete(temporary);
            throw;
        }
    }
}
