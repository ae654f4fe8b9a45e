using Prometheus;

namespace Launcher.Observe;

/// <summary>
/// A gauge whose label sets come and go with the workers (a node name is new with every pid): each update sets the
/// given series and removes the ones no longer there, so a replaced worker's series ends instead of going stale.
/// </summary>
internal sealed class LabelledGauge(Gauge gauge)
{
    private HashSet<string[]> _present = new(LabelsComparer.Instance);

    public void SetExactly(IReadOnlyList<(string[] Labels, double Value)> series)
    {
        var next = new HashSet<string[]>(LabelsComparer.Instance);
        foreach (var (labels, value) in series)
        {
            gauge.WithLabels(labels).Set(value);
            next.Add(labels);
        }

        foreach (var gone in _present.Where(labels => !next.Contains(labels)))
            gauge.RemoveLabelled(gone);
        _present = next;
    }

    private sealed class LabelsComparer : IEqualityComparer<string[]>
    {
        public static readonly LabelsComparer Instance = new();

        public bool Equals(string[]? x, string[]? y) => x is not null && y is not null && x.AsSpan().SequenceEqual(y);

        public int GetHashCode(string[] obj)
        {
            var hash = new HashCode();
            foreach (var label in obj)
                hash.Add(label, StringComparer.Ordinal);
            return hash.ToHashCode();
        }
    }
}
