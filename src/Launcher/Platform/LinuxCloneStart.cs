using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;

namespace Launcher.Platform;

/// <summary>
/// Starts a child with the launcher's own <c>clone3(2)</c> instead of .NET's <c>Process</c> and an exec shim
/// (issue 12: the shim's own start was most of a restart's time). In one step the kernel puts the child in its
/// cgroup (<c>CLONE_INTO_CGROUP</c>, so nothing it ever forks runs outside it even for a moment) and hands back a
/// pidfd (<c>CLONE_PIDFD</c>) that <see cref="PidfdExits"/> waits on. Before its <c>execve(2)</c> the child does
/// what the shim did, and one thing more: default signal dispositions and an empty mask, the parent-death signal with the re-check of
/// its parent, a process group of its own, its pipes as stdout and stderr and nothing else inherited (close_range), its working directory. Its argv and envp
/// come through an <see cref="ExecImageRegion"/> that the parent fills once the pid is known.
/// Returns null where the kernel refuses <c>clone3</c> (before Linux 5.7, or a seccomp profile that answers ENOSYS
/// or EPERM, as older container runtimes do): the caller then starts the child through the exec shim.
/// </summary>
[SupportedOSPlatform("linux")]
internal static unsafe class LinuxCloneStart
{
    private const int SIGKILL = 9;
    private const int SIGSTOP = 19;
    private const int SignalCount = 64;
    private const int SigsetLongs = 16; // glibc's sigset_t: 1024 bits
    private const int ExitParentGone = 125;
    private const int ExitNotReleased = 126;
    private const int ExitCannotStart = 127;
    private const int ErrnoTextCount = 134;
    private static readonly byte** ErrnoTexts = BuildErrnoTexts();
    private static volatile bool s_refused;

    /// <summary>False once the kernel refused <c>clone3</c>: every later start goes through the shim at once.</summary>
    public static bool Available => !s_refused;

    /// <summary>
    /// Starts the child. <paramref name="imageFor"/> gives its argv and environment for a pid; it is called once with
    /// <see cref="int.MaxValue"/> before the fork to size the region (a real pid has no more digits), and once with
    /// the child's pid after it.
    /// </summary>
    public static LinuxChild? TryStart(CloneOptions options, Func<int, (IReadOnlyList<string> Argv, IReadOnlyList<string> Environment)> imageFor)
    {
        if (s_refused)
            return null;
        var widest = imageFor(int.MaxValue);
        var (bytes, pointers) = ExecImageRegion.Measure(widest.Argv, widest.Environment);
        using var region = ExecImageRegion.Map(bytes, pointers);
        var program = widest.Argv[0];

        var fds = new List<int>();
        var (stdoutRead, stdoutWrite) = Pipe(fds);
        var (stderrRead, stderrWrite) = Pipe(fds);
        var (syncRead, syncWrite) = Pipe(fds);
        var stdin = AboveStandard(Check(LibC.Open("/dev/null", LibC.O_RDONLY | LibC.O_CLOEXEC), "/dev/null"), fds);
        var cgroup = -1;
        if (options.CgroupPath is { } cgroupPath)
        {
            cgroup = LibC.Open(cgroupPath, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC);
            if (cgroup < 0)
            {
                CloseAll(fds);
                return null; // the shim says why it cannot join, and the fallback layers hold
            }

            fds.Add(cgroup);
        }

        var directory = Utf8(options.WorkingDirectory);
        var execPrefix = Utf8($"launcher: cannot start '{program}': ");
        var directoryPrefix = Utf8($"launcher: cannot start '{program}' in '{options.WorkingDirectory}': ");
        var plan = new ChildPlan
        {
            ExpectedParent = options.ParentDeathSignal ? Environment.ProcessId : 0,
            Stdin = stdin,
            Stdout = stdoutWrite,
            Stderr = stderrWrite,
            Sync = syncRead,
            Directory = directory,
            ExecPrefix = execPrefix,
            DirectoryPrefix = directoryPrefix,
            Header = region.Header,
            ErrnoTexts = ErrnoTexts,
            ErrnoTextCount = ErrnoTextCount,
        };

        var pidFd = -1;
        var args = new LibC.CloneArgs
        {
            Flags = LibC.CLONE_PIDFD | (cgroup >= 0 ? LibC.CLONE_INTO_CGROUP : 0),
            PidFd = (ulong)&pidFd,
            ExitSignal = LibC.SIGCHLD,
            Cgroup = cgroup >= 0 ? (ulong)cgroup : 0,
        };

        // Every signal stays blocked across the fork: the child must not run the runtime's handlers before it has
        // set them back to their defaults.
        var all = stackalloc ulong[SigsetLongs];
        var previous = stackalloc ulong[SigsetLongs];
        new Span<ulong>(all, SigsetLongs).Fill(ulong.MaxValue);
        _ = LibC.ThreadSignalMask(LibC.SIG_SETMASK, all, previous);
        var pid = LibC.Clone3(&args);
        if (pid == 0)
            RunChild(&plan); // never returns
        var errno = *LibC.ErrnoLocation();
        _ = LibC.ThreadSignalMask(LibC.SIG_SETMASK, previous, null);

        // The child's ends and what only it needed.
        foreach (var fd in new[] { stdoutWrite, stderrWrite, syncRead, stdin, cgroup })
        {
            if (fd >= 0)
                _ = LibC.Close(fd);
        }

        NativeMemory.Free(directory);
        NativeMemory.Free(execPrefix);
        NativeMemory.Free(directoryPrefix);
        if (pid < 0)
        {
            foreach (var fd in new[] { stdoutRead, stderrRead, syncWrite })
                _ = LibC.Close(fd);
            if (errno is LibC.ENOSYS or LibC.EPERM or LibC.EINVAL or LibC.E2BIG)
            {
                s_refused = true;
                return null;
            }

            throw new IOException($"clone3 failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
        }

        // Now the pid is known: the image, then the one byte that lets the child exec it.
        var image = imageFor((int)pid);
        var released = region.Write(image.Argv, image.Environment);
        if (released)
        {
            byte go = 1;
            released = LibC.Write(syncWrite, &go, 1) == 1;
        }

        _ = LibC.Close(syncWrite); // without the byte the child exits with 126 and never runs the program
        return new LinuxChild((int)pid, pidFd, stdoutRead, stderrRead, released);
    }

    // What the child does between the fork and the exec. Only stack memory, native memory and SuppressGCTransition
    // calls: no allocation, no static field, no lock (LibC.Clone says why). AggressiveOptimization: no tiering and
    // no on-stack-replacement patchpoint that could call into the runtime.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void RunChild(ChildPlan* plan)
    {
        for (var signal = 1; signal <= SignalCount; signal++)
        {
            if (signal is not SIGKILL and not SIGSTOP)
                _ = LibC.SignalDefault(signal, 0); // SIG_DFL; the two glibc keeps for itself answer EINVAL
        }

        var none = stackalloc ulong[SigsetLongs];
        for (var i = 0; i < SigsetLongs; i++)
            none[i] = 0;
        _ = LibC.ThreadSignalMask(LibC.SIG_SETMASK, none, null);

        if (plan->ExpectedParent != 0)
        {
            _ = LibC.ChildPrctl(LibC.PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
            // The launcher may have died between the fork and the prctl above; then nobody would ever signal us.
            if (LibC.ChildGetParentPid() != plan->ExpectedParent)
                LibC.ChildExit(ExitParentGone);
        }

        // Our own process group: a terminal's Ctrl+C reaches the launcher, which stops workers in order.
        _ = LibC.ChildSetProcessGroup(0, 0);
        // Every descriptor here is above 2 (AboveStandard), so dup2 never meets its own target, and the copies it
        // makes lose O_CLOEXEC; everything else closes at the exec, what the launcher inherited included.
        _ = LibC.ChildDup2(plan->Stdin, 0);
        _ = LibC.ChildDup2(plan->Stdout, 1);
        _ = LibC.ChildDup2(plan->Stderr, 2);
        LibC.ChildCloseFromThreeOnExec();
        if (LibC.ChildChdir(plan->Directory) != 0)
            Fail(plan, plan->DirectoryPrefix, *LibC.ErrnoLocation());

        byte go;
        nint got;
        do
            got = LibC.ChildRead(plan->Sync, &go, 1);
        while (got < 0 && *LibC.ErrnoLocation() == LibC.EINTR);
        if (got != 1)
            LibC.ChildExit(ExitNotReleased);

        var argv = plan->Header[0];
        _ = LibC.ChildExecVe(argv[0], argv, plan->Header[1]);
        Fail(plan, plan->ExecPrefix, *LibC.ErrnoLocation());
    }

    // "launcher: cannot start 'x': No such file or directory (errno 2)" on the child's stderr (the worker's log), then
    // exit 127 as a shell does for a command it cannot run.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Fail(ChildPlan* plan, byte* prefix, int errno)
    {
        WriteZ(prefix);
        if (errno > 0 && errno < plan->ErrnoTextCount && plan->ErrnoTexts[errno] != null)
            WriteZ(plan->ErrnoTexts[errno]);
        var digits = stackalloc byte[24];
        var end = 23;
        digits[end--] = (byte)'\n';
        digits[end--] = (byte)')';
        var value = errno < 0 ? 0 : errno;
        do
        {
            digits[end--] = (byte)('0' + (value % 10));
            value /= 10;
        }
        while (value > 0);
        ReadOnlySpan<byte> label = " (errno "u8;
        for (var i = label.Length - 1; i >= 0; i--)
            digits[end--] = label[i];
        _ = LibC.ChildWrite(2, digits + end + 1, (nuint)(23 - end));
        LibC.ChildExit(ExitCannotStart);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WriteZ(byte* text)
    {
        var length = 0;
        while (text[length] != 0)
            length++;
        _ = LibC.ChildWrite(2, text, (nuint)length);
    }

    private static (int Read, int Write) Pipe(List<int> opened)
    {
        var pair = stackalloc int[2];
        if (LibC.Pipe2(pair, LibC.O_CLOEXEC) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            CloseAll(opened);
            throw new IOException($"pipe2 failed: {Marshal.GetPInvokeErrorMessage(errno)}");
        }

        opened.Add(pair[0]);
        opened.Add(pair[1]);
        return (AboveStandard(pair[0], opened), AboveStandard(pair[1], opened));
    }

    // A launcher started with stdin, stdout or stderr closed gets those numbers back from pipe2 and open; the child
    // dup2s onto 0-2, so its sources must lie above them.
    private static int AboveStandard(int fd, List<int> opened)
    {
        if (fd > 2)
            return fd;
        var moved = Check(LibC.Fcntl(fd, LibC.F_DUPFD_CLOEXEC, 3), "fcntl");
        _ = LibC.Close(fd);
        opened.Remove(fd);
        opened.Add(moved);
        return moved;
    }

    private static int Check(int fd, string what) =>
        fd >= 0 ? fd : throw new IOException($"{what} failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");

    private static void CloseAll(List<int> fds)
    {
        foreach (var fd in fds)
            _ = LibC.Close(fd);
    }

    private static byte* Utf8(string text)
    {
        var length = Encoding.UTF8.GetByteCount(text);
        var bytes = (byte*)NativeMemory.Alloc((nuint)length + 1);
        Encoding.UTF8.GetBytes(text, new Span<byte>(bytes, length));
        bytes[length] = 0;
        return bytes;
    }

    // strerror's text for each errno, built once in the parent: the child may not format anything itself.
    private static byte** BuildErrnoTexts()
    {
        var texts = (byte**)NativeMemory.AllocZeroed(ErrnoTextCount, (nuint)sizeof(byte*));
        for (var errno = 1; errno < ErrnoTextCount; errno++)
            texts[errno] = Utf8(Marshal.GetPInvokeErrorMessage(errno));
        return texts;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct ChildPlan
    {
        public int ExpectedParent;
        public int Stdin;
        public int Stdout;
        public int Stderr;
        public int Sync;
        public byte* Directory;
        public byte* ExecPrefix;
        public byte* DirectoryPrefix;
        public byte*** Header;
        public byte** ErrnoTexts;
        public int ErrnoTextCount;
    }
}
