using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Launcher.Agent.Platform;

namespace Launcher.Platform;

/// <summary>
/// Starts a child with the launcher's own <c>vfork(2)</c> and <c>execve(2)</c> instead of .NET's <c>Process</c> and
/// the exec shim (issue 12: the shim's own start was most of a restart's time). A full fork is no faster here: copying
/// the launcher's page tables took 2-20 ms on the benchmark machine, where vfork shares them until the exec.
/// Before its exec the child does what the shim did, and one thing more: default signal dispositions and an empty
/// mask, the parent-death signal with the re-check of its parent, a process group of its own, the cgroup (it writes
/// 0 to <c>cgroup.procs</c>, so nothing it ever forks runs outside it), its pipes as stdout and stderr and nothing
/// else inherited (<c>close_range(2)</c>), its working directory, and its pid written into its argv and environment
/// (<see cref="ExecTemplate"/>). The parent then takes a pidfd for <see cref="PidfdExits"/>: race-free, as only we
/// reap our children.
/// Returns null where this cannot be used (no <c>pidfd_open(2)</c> before Linux 5.3, or an image whose pid places
/// are ambiguous): the caller then starts the child through the exec shim.
/// </summary>
[SupportedOSPlatform("linux")]
internal static unsafe class LinuxVforkStart
{
    private const int SIGKILL = 9;
    private const int SIGSTOP = 19;
    private const int SignalCount = 64;
    private const int SigsetLongs = 16; // glibc's sigset_t: 1024 bits
    private const int ExitParentGone = 125;
    private const int ExitCannotStart = 127;
    private const int ErrnoTextCount = 134;
    // strerror's text for each errno (index 0 unused), built once in the parent: the child may not format anything itself.
    private static readonly NativeStringArray ErrnoTexts = new([.. Enumerable.Range(0, ErrnoTextCount).Select(errno => errno == 0 ? "" : Marshal.GetPInvokeErrorMessage(errno))]);
    private static readonly bool PidFdsWork = IdentitySignal.IsRaceFree();

    /// <summary>False on a kernel without <c>pidfd_open(2)</c>: every start goes through the shim.</summary>
    public static bool Available => PidFdsWork;

    /// <summary>
    /// Starts the child; <paramref name="imageFor"/> gives its argv and environment for a pid (called for two
    /// made-up pids, see <see cref="ExecTemplate"/>). Throws when the system cannot start a process at all, and (a
    /// <see cref="Win32Exception"/>, as <c>Process.Start</c> does) when the working directory cannot be entered.
    /// </summary>
    public static LinuxChild? TryStart(ChildOptions options, Func<int, (IReadOnlyList<string> Argv, IReadOnlyList<string> Environment)> imageFor)
    {
        if (!PidFdsWork)
            return null;
        using var template = ExecTemplate.Build(imageFor);
        if (template is null)
            return null;

        var fds = new List<int>();
        try
        {
            var (stdoutRead, stdoutWrite) = Pipe(fds);
            var (stderrRead, stderrWrite) = Pipe(fds);
            var stdin = AboveStandard(Check(Syscalls.Open("/dev/null", LibC.O_RDONLY | LibC.O_CLOEXEC), "open /dev/null"), fds);
            var cgroupProcs = -1;
            if (options.CgroupPath is { } cgroupPath)
                cgroupProcs = AboveStandard(Check(Syscalls.Open(Path.Join(cgroupPath, "cgroup.procs"), LibC.O_WRONLY | LibC.O_CLOEXEC), $"open {cgroupPath}/cgroup.procs"), fds);

            using var texts = new NativeStringArray([
                options.WorkingDirectory,
                $"launcher: cannot start '{template.Program}': ",
                $"launcher: cannot start '{template.Program}' in '{options.WorkingDirectory}': ",
                $"launcher: could not join cgroup {options.CgroupPath}; contained by the fallback layers only: ",
            ]);
            var plan = new ChildPlan
            {
                ExpectedParent = options.ParentDeathSignal ? Environment.ProcessId : 0,
                Stdin = stdin,
                Stdout = stdoutWrite,
                Stderr = stderrWrite,
                CgroupProcs = cgroupProcs,
                Directory = texts.Pointers[0],
                ExecPrefix = texts.Pointers[1],
                DirectoryPrefix = texts.Pointers[2],
                CgroupPrefix = texts.Pointers[3],
                Encoded = template.Encoded,
                ArgumentCount = template.ArgumentCount,
                EnvironmentCount = template.EnvironmentCount,
                Argv = template.Argv,
                Envp = template.Envp,
                Scratch = template.Scratch,
                ErrnoTexts = ErrnoTexts.Pointers,
            };

            // Every signal stays blocked across the vfork: the child shares our memory and must not run the
            // runtime's handlers in it; it sets them back to their defaults before it unblocks them.
            var all = stackalloc ulong[SigsetLongs];
            var previous = stackalloc ulong[SigsetLongs];
            new Span<ulong>(all, SigsetLongs).Fill(ulong.MaxValue);
            _ = LibC.ThreadSignalMask(LibC.SIG_SETMASK, all, previous);
            var pid = VforkAndExec(&plan);
            var errno = *LibC.ErrnoLocation();
            _ = LibC.ThreadSignalMask(LibC.SIG_SETMASK, previous, null);

            if (pid < 0)
                throw new IOException($"vfork failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
            if (plan.DirectoryErrno != 0)
            {
                // As Process.Start: a working directory that is gone is the start's failure, not the program's (the
                // child has exited already: vfork returned).
                _ = LibC.WaitPid(pid, out _, 0);
                throw new Win32Exception(plan.DirectoryErrno,
                    $"An error occurred trying to start process '{template.Program}' with working directory '{options.WorkingDirectory}'. {Marshal.GetPInvokeErrorMessage(plan.DirectoryErrno)}");
            }

            // Our own unreaped child: its pid cannot name another process until we wait for it.
            var pidFd = Syscalls.PidFdOpen(pid);
            if (pidFd < 0)
                throw new IOException($"pidfd_open of child {pid} failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");

            foreach (var fd in new[] { stdoutWrite, stderrWrite, stdin, cgroupProcs })
            {
                if (fd >= 0)
                {
                    _ = Syscalls.Close(fd);
                    fds.Remove(fd);
                }
            }

            fds.Clear(); // the read ends are the caller's now
            return new LinuxChild(pid, pidFd, stdoutRead, stderrRead);
        }
        finally
        {
            foreach (var fd in fds)
                _ = Syscalls.Close(fd);
        }
    }

    // vfork(2) returns twice in this frame: in the child, which runs on our stack while we are suspended, and in us
    // once the child has exec'd or exited. glibc's vfork keeps its own return address out of the stack the child
    // reuses; this frame is kept to the call and the branch so the child writes nothing the parent reads after.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static int VforkAndExec(ChildPlan* plan)
    {
        var pid = LibC.Vfork();
        if (pid == 0)
            RunChild(plan); // never returns
        return pid;
    }

    // What the child does between the vfork and the exec, on our memory: only its own stack and the plan, and only
    // SuppressGCTransition calls (LibC.Clone says why). No allocation, no static field, no lock, no exception.
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
            // The launcher may have died between the vfork and the prctl above; then nobody would ever signal us.
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

        var pid = LibC.ChildGetPid();
        if (plan->CgroupProcs >= 0)
        {
            // "0" moves the writer itself (cgroup(7)); the other layers still hold if it fails, so say so and go on.
            var zero = (byte)'0';
            if (LibC.ChildWrite(plan->CgroupProcs, &zero, 1) != 1)
                Say(plan, plan->CgroupPrefix, *LibC.ErrnoLocation());
        }

        if (LibC.ChildChdir(plan->Directory) != 0)
        {
            plan->DirectoryErrno = *LibC.ErrnoLocation();
            Fail(plan, plan->DirectoryPrefix, plan->DirectoryErrno);
        }

        Fill(plan, pid);
        _ = LibC.ChildExecVe(plan->Argv[0], plan->Argv, plan->Envp);
        Fail(plan, plan->ExecPrefix, *LibC.ErrnoLocation());
    }

    // The child's argv and envp from the template, its pid's digits where they go.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Fill(ChildPlan* plan, int pid)
    {
        var digits = stackalloc byte[12];
        var digitCount = 0;
        var start = 12;
        var value = pid;
        do
        {
            digits[--start] = (byte)('0' + (value % 10));
            value /= 10;
            digitCount++;
        }
        while (value > 0);

        var source = plan->Encoded;
        var target = plan->Scratch;
        var total = plan->ArgumentCount + plan->EnvironmentCount;
        for (var s = 0; s < total; s++)
        {
            if (s < plan->ArgumentCount)
                plan->Argv[s] = target;
            else
                plan->Envp[s - plan->ArgumentCount] = target;
            while (true)
            {
                var length = *(int*)source;
                source += 4;
                if (length == ExecTemplate.EndMark)
                    break;
                if (length == ExecTemplate.PidMark)
                {
                    for (var d = 0; d < digitCount; d++)
                        *target++ = digits[start + d];
                    continue;
                }

                for (var b = 0; b < length; b++)
                    *target++ = source[b];
                source += (length + 3) & ~3;
            }

            *target++ = 0;
        }

        plan->Argv[plan->ArgumentCount] = null;
        plan->Envp[plan->EnvironmentCount] = null;
    }

    // "launcher: cannot start 'x': No such file or directory (errno 2)" on the child's stderr (the worker's log), then
    // exit 127 as a shell does for a command it cannot run.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Fail(ChildPlan* plan, byte* prefix, int errno)
    {
        Say(plan, prefix, errno);
        LibC.ChildExit(ExitCannotStart);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Say(ChildPlan* plan, byte* prefix, int errno)
    {
        WriteZ(prefix);
        if (errno > 0 && errno < ErrnoTextCount && plan->ErrnoTexts[errno] != null)
            WriteZ(plan->ErrnoTexts[errno]);
        var text = stackalloc byte[24];
        var end = 23;
        text[end--] = (byte)'\n';
        text[end--] = (byte)')';
        var value = errno < 0 ? 0 : errno;
        do
        {
            text[end--] = (byte)('0' + (value % 10));
            value /= 10;
        }
        while (value > 0);
        ReadOnlySpan<byte> label = " (errno "u8;
        for (var i = label.Length - 1; i >= 0; i--)
            text[end--] = label[i];
        _ = LibC.ChildWrite(2, text + end + 1, (nuint)(23 - end));
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
            throw new IOException($"pipe2 failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        opened.Add(pair[0]);
        opened.Add(pair[1]);
        return (AboveStandard(pair[0], opened), AboveStandard(pair[1], opened));
    }

    // A launcher started with stdin, stdout or stderr closed gets those numbers back from pipe2 and open; the child
    // dup2s onto 0-2, so its sources must lie above them.
    private static int AboveStandard(int fd, List<int> opened)
    {
        if (!opened.Contains(fd))
            opened.Add(fd);
        if (fd > 2)
            return fd;
        var moved = Check(LibC.Fcntl(fd, LibC.F_DUPFD_CLOEXEC, 3), "fcntl");
        _ = Syscalls.Close(fd);
        opened.Remove(fd);
        opened.Add(moved);
        return moved;
    }

    private static int Check(int fd, string what) =>
        fd >= 0 ? fd : throw new IOException($"{what} failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");

    [StructLayout(LayoutKind.Sequential)]
    private struct ChildPlan
    {
        public int ExpectedParent;
        public int Stdin;
        public int Stdout;
        public int Stderr;
        public int CgroupProcs;
        public int ArgumentCount;
        public int EnvironmentCount;
        public byte* Directory;
        public byte* ExecPrefix;
        public byte* DirectoryPrefix;
        public byte* CgroupPrefix;
        public byte* Encoded;
        public byte** Argv;
        public byte** Envp;
        public byte* Scratch;
        public byte** ErrnoTexts;
        public int DirectoryErrno; // written by the child, read by the parent once vfork returned
    }
}
