namespace Launcher.Census;

/// <summary>A worker of this launcher as the census should list it: its node name and pid.</summary>
internal sealed record OurWorker(string Node, int Pid);
