using Launcher.Spawn;

namespace Launcher.Supervise;

/// <summary>How a slot's worker ended, and why (an <see cref="ExitReason"/>).</summary>
internal sealed record WorkerEnd(RunningWorker Worker, WorkerExit Exit, string Reason);
