using Launcher.Spawn;

namespace Launcher.Supervise;

/// <summary>Starts the worker of one slot (the spawner in a run; a fake in the slot's unit tests).</summary>
internal interface IWorkerStarter
{
    Task<RunningWorker> StartAsync(int index);
}
