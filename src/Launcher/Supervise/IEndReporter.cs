using Launcher.Spawn;

namespace Launcher.Supervise;

/// <summary>Tells the world that a worker ended: once per worker, never blocking the slot.</summary>
internal interface IEndReporter
{
    void Report(int index, RunningWorker worker, WorkerExit exit, string reason);
}
