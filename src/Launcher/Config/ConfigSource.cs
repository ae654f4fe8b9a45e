namespace Launcher.Config;

/// <summary>
/// Where a config came from: relative paths in it resolve against <see cref="BaseDirectory"/>; <see cref="Name"/>
/// names the file in JSON syntax errors, <see cref="Description"/> in logs and status.
/// </summary>
internal sealed record ConfigSource(ReadOnlyMemory<byte> Json, string BaseDirectory, string Description, string Name);
