using System.Runtime.Versioning;
using Launcher.Platform;
using NUnit.Framework;

namespace Launcher.Tests.Unit;

/// <summary>
/// Issue 12: the trim drops only mappings whose every page is the page cache's own: private, not writable, backed by
/// a file, without an anonymous (copied-on-write) page. The launcher's code, libc's, the loader's; never the heap, a
/// stack, the vDSO, or a library page that relocation wrote to.
/// </summary>
[TestFixture, SupportedOSPlatform("linux")]
public sealed class LinuxMemoryTrimTests
{
    private const string Smaps = """
        55d0c0000000-55d0c0400000 r-xp 00000000 08:01 1234 /opt/launcher/launcher
        Rss:                1024 kB
        Anonymous:             0 kB
        55d0c0400000-55d0c0500000 r--p 00400000 08:01 1234 /opt/launcher/launcher
        Anonymous:             0 kB
        55d0c0500000-55d0c0510000 rw-p 00500000 08:01 1234 /opt/launcher/launcher
        Anonymous:            64 kB
        55d0c0600000-55d0c0700000 rw-p 00000000 00:00 0 [heap]
        Anonymous:          1024 kB
        7f0000000000-7f0000100000 r-xp 00028000 08:01 99 /usr/lib/x86_64-linux-gnu/libc.so.6
        Anonymous:             0 kB
        7f0000100000-7f0000104000 r--p 001d6000 08:01 99 /usr/lib/x86_64-linux-gnu/libc.so.6
        Anonymous:            16 kB
        7f0000200000-7f0000210000 r--s 00000000 08:01 77 /dev/shm/shared
        Anonymous:             0 kB
        7ffd00000000-7ffd00002000 r-xp 00000000 00:00 0 [vdso]
        Anonymous:             0 kB
        7ffd10000000-7ffd10021000 rw-p 00000000 00:00 0 [stack]
        Anonymous:           132 kB
        """;

    [Test]
    public void Only_clean_private_read_only_file_mappings_are_dropped()
    {
        var found = LinuxMemoryTrim.CleanReadOnlyMappings(Smaps);

        Assert.That(found.Select(m => ((long)m.Start, (ulong)m.Length)), Is.EqualTo(new[]
        {
            (0x55d0c0000000L, 0x400000UL), // the launcher's code
            (0x55d0c0400000L, 0x100000UL), // its read-only data
            (0x7f0000000000L, 0x100000UL), // libc's code
        }));
    }
}
