namespace Launcher.Config.Schema;

/// <summary>
/// What a config file set, already type-checked by <see cref="ConfigReader"/>: keys absent or null are not here and
/// read as their schema default. Immutable; built in memory by tests as well.
/// </summary>
internal sealed class ConfigValues(IReadOnlyDictionary<ConfigKey, object> values, IReadOnlySet<string> sections)
{
    public static readonly ConfigValues Empty = new(new Dictionary<ConfigKey, object>(), new HashSet<string>());

    /// <summary>The value set for <paramref name="key"/>, else its default.</summary>
    public T Get<T>(ConfigKey<T> key)
        where T : notnull => values.TryGetValue(key, out var value) ? (T)value : key.Default;

    public bool IsSet(ConfigKey key) => values.ContainsKey(key);

    /// <summary>Whether the section (<c>onWorkerExit</c>) appears as an object, even an empty one.</summary>
    public bool HasSection(string section) => sections.Contains(section);
}
