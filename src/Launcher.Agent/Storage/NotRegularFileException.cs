namespace Launcher.Agent.Storage;

/// <summary>A runtime-directory file that is a FIFO, device, socket, directory or symlink: never read, never waited on.</summary>
internal sealed class NotRegularFileException(string message) : IOException(message);
