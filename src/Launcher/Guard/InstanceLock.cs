using Launcher.Agent.Protocol;
using Launcher.Exceptions;
using Launcher.Platform;

namespace Launcher.Guard;

/// <summary>
/// The instance guard: an exclusive <c>flock(2)</c> on <c>&lt;instance&gt;.lock</c>, held for the launcher's whole
/// life. The kernel drops it when the holder dies by any means, so it is never stale. The file is never deleted:
/// deleting a lock file lets two processes lock two different inodes of the same name.
/// </summary>
internal sealed class InstanceLock : IDisposable
{
    private static readonly TimeSpan HolderWait = TimeSpan.FromMilliseconds(500);
    private readonly FileStream _stream;
    private readonly string _holderFile;

    private InstanceLock(FileStream stream, string holderFile)
    {
        _stream = stream;
        _holderFile = holderFile;
    }

    public static InstanceLock Acquire(RuntimePaths paths, IProcessTable processes, string configFile)
    {
        if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_IO_DISABLEFILELOCKING") is "1" or "true")
            throw new EnvironmentException("DOTNET_SYSTEM_IO_DISABLEFILELOCKING is set, so the instance lock would be a no-op; unset it");

        FileStream stream;
        try
        {
            // FileShare.None makes .NET take flock(LOCK_EX | LOCK_NB); the descriptor is close-on-exec, so workers never inherit it.
            stream = new FileStream(paths.LockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw GuardHeldException.LockHeld(paths.Instance, LiveHolder(paths, processes), paths.LockFile);
        }

        ProveExclusive(paths.LockFile, stream);
        var self = processes.Get(Environment.ProcessId)!;
        new GuardHolder(
            self.Pid,
            self.Identity.StartTicks,
            processes.StartTimeOf(self.Identity.StartTicks),
            self.CommandText,
            configFile).Write(paths.HolderFile);
        return new InstanceLock(stream, paths.HolderFile);
    }

    // On NFS or with locking disabled, the open above succeeds for everybody. flock locks belong to open file
    // descriptions, so a second open of our own must fail if the lock is real.
    private static void ProveExclusive(string lockFile, FileStream held)
    {
        try
        {
            using var second = new FileStream(lockFile, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return;
        }

        held.Dispose();
        throw new EnvironmentException($"file locks do not work on {Path.GetDirectoryName(lockFile)} (network filesystem?); set LAUNCHER_RUNTIME_DIR to a local directory");
    }

    private static GuardHolder? LiveHolder(RuntimePaths paths, IProcessTable processes)
    {
        // The holder writes its details just after it takes the lock; give a racing start a moment to finish.
        var deadline = DateTime.UtcNow + HolderWait;
        while (true)
        {
            var holder = GuardHolder.TryRead(paths.HolderFile);
            if (holder is not null && processes.IsAlive(new ProcessIdentity(holder.Pid, holder.StartTicks)))
                return holder;
            if (DateTime.UtcNow > deadline)
                return null;
            Thread.Sleep(20);
        }
    }

    public void Dispose()
    {
        // Remove our name before the lock goes, so nobody reads a holder that is gone.
        var holder = GuardHolder.TryRead(_holderFile);
        if (holder?.Pid == Environment.ProcessId)
            File.Delete(_holderFile);
        _stream.Dispose();
    }
}
