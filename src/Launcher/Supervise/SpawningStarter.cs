using Launcher.Spawn;

namespace Launcher.Supervise;

/// <summary>The run's <see cref="IWorkerStarter"/>: the real spawner.</summary>
internal sealed class SpawningStarter(WorkerSpawner spawner) : IWorkerStarter
{
    public Task<RunningWorker> StartAsync(int index) => spawner.SpawnAsync(index);
}
