namespace Launcher.Census;

/// <summary>
/// One consumer the broker names in a census line (docs/PROTOCOL.md, "Census"): its node name and what else the
/// census command knows of it. Only <see cref="Node"/> is required.
/// </summary>
/// <param name="Node">The node name, e.g. <c>api4242@host</c> or <c>celery@host</c>.</param>
/// <param name="Pid">The pid the broker knows (in the consumer's own pid namespace), when the census says.</param>
/// <param name="Host">The host the broker knows; null: the part of <see cref="Node"/> after the last <c>@</c>.</param>
/// <param name="Heartbeat">When the broker last heard from it, when the census says.</param>
/// <param name="Queues">The queues it consumes, when the census says (for messages only).</param>
internal sealed record CensusEntry(string Node, int? Pid = null, string? Host = null, DateTimeOffset? Heartbeat = null, IReadOnlyList<string>? Queues = null)
{
    /// <summary>The host: <see cref="Host"/>, else the part after the last <c>@</c> of the node name, else null (unknown).</summary>
    public string? EffectiveHost
    {
        get
        {
            if (!string.IsNullOrEmpty(Host))
                return Host;
            var at = Node.LastIndexOf('@');
            return at >= 0 && at < Node.Length - 1 ? Node[(at + 1)..] : null;
        }
    }

    /// <summary>How messages name it: node, then what the broker knows (pid, host, heartbeat, queues).</summary>
    public string Describe()
    {
        var known = new List<string>();
        if (Pid is { } pid)
            known.Add($"pid {pid}");
        known.Add($"host {EffectiveHost ?? "unknown"}");
        if (Heartbeat is { } heartbeat)
            known.Add($"last heartbeat {heartbeat.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}");
        if (Queues is { Count: > 0 } queues)
            known.Add($"queues {string.Join(",", queues)}");
        return $"{Node} ({string.Join(", ", known)})";
    }
}
