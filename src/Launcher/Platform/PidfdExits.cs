using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Launcher.Platform;

/// <summary>
/// One thread that sleeps in <c>epoll_wait(2)</c> on the pidfds of the children <see cref="LinuxVforkStart"/> forked
/// and reaps each the moment it exits (<c>waitid(2)</c> with <c>P_PIDFD</c>: that child and no other, so neither
/// .NET's own <c>Process</c> children nor the adopted zombies' reaper can take its status). Nothing wakes it while
/// every child runs; an exit reaches the caller without a signal handler or a thread-pool hop in between.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed unsafe class PidfdExits
{
    private const int MaxEvents = 16;
    private const int SiginfoSize = 128;
    private const int CLD_KILLED = 2;
    private const int CLD_DUMPED = 3;
    private static readonly Lazy<PidfdExits> Instance = new(() => new PidfdExits());
    // struct epoll_event is packed on x86-64 (12 bytes) and naturally aligned elsewhere (16): epoll_ctl(2).
    private static readonly int EventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
    private static readonly int DataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;
    private readonly int _epoll;
    private readonly ConcurrentDictionary<int, Action<int>> _watched = new();

    private PidfdExits()
    {
        _epoll = LibC.EpollCreate1(LibC.EPOLL_CLOEXEC);
        if (_epoll < 0)
            throw new IOException($"epoll_create1 failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        new Thread(Run) { IsBackground = true, Name = "launcher-exits" }.Start();
    }

    public static PidfdExits Shared => Instance.Value;

    /// <summary>
    /// True once a child was gone before we could wait for it: something else in this process waits for every child
    /// (.NET's own SIGCHLD handling does when the launcher is PID 1 or started with SIGCHLD ignored). Its exit code
    /// was lost; <see cref="Spawn.DirectStart"/> then starts every later child through <c>Process</c> again.
    /// </summary>
    public static bool ChildrenReapedElsewhere { get; private set; }

    /// <summary>
    /// Calls <paramref name="onExit"/> with the child's exit code (128 + the signal when a signal ended it, as .NET's
    /// <c>Process.ExitCode</c> says it) once it has exited and is reaped, on the watch thread: keep it short. Takes
    /// the pidfd over and closes it then.
    /// </summary>
    public void Watch(int pidFd, Action<int> onExit)
    {
        _watched[pidFd] = onExit;
        var ev = stackalloc byte[16];
        *(uint*)ev = LibC.EPOLLIN;
        *(long*)(ev + DataOffset) = pidFd;
        if (LibC.EpollCtl(_epoll, LibC.EPOLL_CTL_ADD, pidFd, ev) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            _watched.TryRemove(pidFd, out _);
            throw new IOException($"epoll_ctl on a pidfd failed: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
    }

    private void Run()
    {
        var events = stackalloc byte[MaxEvents * 16];
        var info = stackalloc byte[SiginfoSize];
        while (true)
        {
            var count = LibC.EpollWait(_epoll, events, MaxEvents, -1);
            for (var i = 0; i < count; i++)
            {
                var pidFd = (int)*(long*)(events + (i * EventSize) + DataOffset);
                new Span<byte>(info, SiginfoSize).Clear();
                var waited = LibC.WaitId(LibC.P_PIDFD, pidFd, info, LibC.WEXITED | LibC.WNOHANG);
                if (waited == 0 && *(int*)(info + 16) == 0)
                    continue; // readable, yet not exited: not for a pidfd, but never report an exit that did not happen

                // si_code at offset 8; for SIGCHLD si_status at 24 (siginfo_t, sigaction(2)). waitid failing (ECHILD:
                // reaped elsewhere) leaves both 0 here and reports -1: the exit happened, its code is unknown.
                if (*(int*)(info + 16) == 0)
                    ChildrenReapedElsewhere = true;
                var code = *(int*)(info + 8);
                var status = *(int*)(info + 24);
                var exitCode = code == LibC.CLD_EXITED ? status : code is CLD_KILLED or CLD_DUMPED ? 128 + status : -1;
                // Forgotten before the close: once closed, the next child's pidfd may get the same number.
                _watched.TryRemove(pidFd, out var onExit);
                _ = LibC.EpollCtl(_epoll, LibC.EPOLL_CTL_DEL, pidFd, null);
                _ = Agent.Platform.Syscalls.Close(pidFd);
                onExit?.Invoke(exitCode);
            }
        }
    }
}
