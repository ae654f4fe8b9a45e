using Launcher.Supervise;

namespace Launcher.Observe;

/// <summary>The stable names of <see cref="SlotState"/> in metrics labels and the status page.</summary>
internal static class SlotStateName
{
    public static readonly IReadOnlyList<SlotState> All = Enum.GetValues<SlotState>();

    public static string Of(SlotState state) => state switch
    {
        SlotState.Starting => "starting",
        SlotState.Running => "running",
        SlotState.Replacing => "replacing",
        SlotState.BackingOff => "backing-off",
        SlotState.Stopping => "stopping",
        SlotState.Ended => "ended",
        _ => state.ToString(),
    };
}
