namespace Launcher.Config.Schema;

/// <summary>A key whose value, once read, is a <typeparamref name="T"/>; <see cref="Default"/> is the one default.</summary>
internal abstract class ConfigKey<T>(string path, T defaultValue) : ConfigKey(path)
    where T : notnull
{
    /// <summary>The value when the key is absent or null.</summary>
    public T Default { get; } = defaultValue;
}
