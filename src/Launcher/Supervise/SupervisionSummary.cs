namespace Launcher.Supervise;

/// <summary>
/// One line about the workers for systemd's <c>STATUS=</c> (what <c>systemctl status</c> shows): "3/3 answering",
/// or "2/3 answering, restarting api4242@host (crashed)". Read from the slots while their loops run: a status line
/// a moment old is fine, and each slot's fields are single references.
/// </summary>
internal static class SupervisionSummary
{
    public static string Describe(IReadOnlyList<WorkerSlot> slots) =>
        Describe(slots.Select(s => new SlotView(s.State, s.Current?.Node, s.LastEnd?.Worker.Node, s.LastEnd?.Reason)).ToList());

    public static string Describe(IReadOnlyList<SlotView> slots)
    {
        var answering = slots.Count(s => s.State == SlotState.Running && s.Current is not null);
        var notes = new List<string>();
        foreach (var slot in slots)
        {
            if (slot.State == SlotState.Running && slot.Current is not null)
                continue;
            var last = slot.LastNode is null ? "" : $" {slot.LastNode} ({slot.LastReason})";
            notes.Add(slot.State switch
            {
                SlotState.Replacing => $"replacing {slot.Current ?? slot.LastNode} (rolling restart)",
                SlotState.Ended => $"not restarting{last}",
                SlotState.Stopping => $"stopping {slot.Current ?? slot.LastNode}",
                SlotState.Starting when slot.LastNode is null => $"starting {slot.Current}",
                _ => $"restarting{last}",
            });
        }

        var head = $"{answering}/{slots.Count} answering";
        return notes.Count == 0 ? head : head + ", " + string.Join(", ", notes);
    }
}
