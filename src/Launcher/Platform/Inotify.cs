using System.Runtime.InteropServices;

namespace Launcher.Platform;

/// <summary>
/// One inotify(7) watch on one directory for names appearing in it (<c>IN_CREATE</c>, <c>IN_MOVED_TO</c>): a
/// dedicated thread blocks in read(2) and calls <c>changed</c> for each batch of events. Not FileSystemWatcher: its
/// Linux implementation may keep an inotify instance after the last watcher is gone, and the launcher must hold none
/// while it only supervises (128 per user, fs.inotify.max_user_instances). Dispose removes the watch; the kernel then
/// queues <c>IN_IGNORED</c>, which wakes the read, the thread ends, and the descriptor is closed: deterministically.
/// </summary>
internal sealed partial class Inotify : IDisposable
{
    private const int InCloexec = 0x80000;
    private const uint InCreate = 0x100;
    private const uint InMovedTo = 0x80;
    private const uint InIgnored = 0x8000;
    private const int Eintr = 4;

    private readonly int _fd;
    private readonly int _watch;
    private readonly Thread _reader;
    private readonly Action _changed;
    private int _disposed;
    private volatile bool _closed;

    private Inotify(int fd, int watch, Action changed)
    {
        _fd = fd;
        _watch = watch;
        _changed = changed;
        _reader = new Thread(ReadLoop) { IsBackground = true, Name = "inotify" };
        _reader.Start();
    }

    /// <summary>A watch on <paramref name="directory"/>; null when the kernel refuses one (no inotify, the instance limit, no such directory).</summary>
    public static Inotify? Watch(string directory, Action changed)
    {
        if (!OperatingSystem.IsLinux())
            return null;
        var fd = InotifyInit1(InCloexec);
        if (fd < 0)
            return null;
        var watch = InotifyAddWatch(fd, directory, InCreate | InMovedTo);
        if (watch < 0)
        {
            _ = Close(fd);
            return null;
        }

        return new Inotify(fd, watch, changed);
    }

    private unsafe void ReadLoop()
    {
        // struct inotify_event { int wd; uint32_t mask; uint32_t cookie; uint32_t len; char name[]; }
        var buffer = new byte[4096];
        while (true)
        {
            nint read;
            fixed (byte* start = buffer)
                read = Read(_fd, start, buffer.Length);
            if (read < 0 && Marshal.GetLastPInvokeError() == Eintr)
                continue;
            if (read <= 0)
                break;

            var ignored = false;
            for (var offset = 0; offset + 16 <= read;)
            {
                var mask = BitConverter.ToUInt32(buffer, offset + 4);
                ignored |= (mask & InIgnored) != 0;
                offset += 16 + BitConverter.ToInt32(buffer, offset + 12);
            }

            if (ignored)
                break;
            _changed();
        }

        // Also reached when the directory itself went (IN_IGNORED without a Dispose).
        _closed = true;
        _ = Close(_fd);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        // IN_IGNORED wakes the reader, which closes the descriptor on its way out.
        if (!_closed && InotifyRmWatch(_fd, _watch) == 0)
            _reader.Join();
    }

    [LibraryImport("libc", EntryPoint = "inotify_init1", SetLastError = true)]
    private static partial int InotifyInit1(int flags);

    [LibraryImport("libc", EntryPoint = "inotify_add_watch", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int InotifyAddWatch(int fd, string path, uint mask);

    [LibraryImport("libc", EntryPoint = "inotify_rm_watch", SetLastError = true)]
    private static partial int InotifyRmWatch(int fd, int watch);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint Read(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
