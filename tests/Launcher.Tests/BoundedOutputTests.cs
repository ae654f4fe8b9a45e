using System.Text;
using CliWrap;
using Launcher.Logging;
using Launcher.Spawn;
using NUnit.Framework;
using Serilog.Core;
using Serilog.Events;

namespace Launcher.Tests;

/// <summary>
/// Issue 10, item 7 and 8, without processes: the readers and captures that stand between a child's pipe and the
/// launcher's memory hold at most their bound, whatever arrives; a failing sink throws nothing.
/// </summary>
[TestFixture]
public sealed class BoundedOutputTests
{
    [Test]
    public async Task A_line_without_a_newline_comes_out_in_marked_pieces_no_longer_than_the_limit()
    {
        // Arrange: 1 MB of 'x' and no newline, then a short line.
        var text = new string('x', 1_000_000) + "\nshort\r\n";

        // Act
        var lines = await ReadAllAsync(text, maxLineChars: 65536);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(lines.Max(l => l.Length), Is.LessThanOrEqualTo(65536 + BoundedLineReader.SplitMarker.Length));
            Assert.That(lines.Take(lines.Count - 2), Has.All.EndsWith(BoundedLineReader.SplitMarker), "every piece but the last says the line goes on");
            Assert.That(lines[^2], Does.Not.EndWith(BoundedLineReader.SplitMarker));
            Assert.That(string.Concat(lines.SkipLast(1).Select(l => l.Replace(BoundedLineReader.SplitMarker, "", StringComparison.Ordinal))), Has.Length.EqualTo(1_000_000), "nothing lost");
            Assert.That(lines[^1], Is.EqualTo("short"), "\\r\\n ends a line as ReadLine has it");
        });
    }

    [Test]
    public async Task Short_lines_pass_unchanged_and_a_last_line_without_newline_is_kept()
    {
        var lines = await ReadAllAsync("a\n\nb\nlast", maxLineChars: 10);
        Assert.That(lines, Is.EqualTo(new[] { "a", "", "b", "last" }));
    }

    [Test]
    public async Task A_capture_keeps_its_limit_but_still_finds_the_node_name_printed_after_100_MB()
    {
        // Arrange: 100 MB of noise, then the node name split over two reads (the reader's chunks are 4096 chars).
        var capture = new BoundedTextCapture(OutputBounds.MaxCapturedChars, "api42@host");
        const long noise = (4096L * 24_414) - 5;

        // Act
        await capture.CopyFromAsync(new RepeatingStream((byte)'y', noise, Encoding.UTF8.GetBytes("api42@host\n")));

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(capture.FoundNeedle, Is.True);
            Assert.That(capture.TotalChars, Is.EqualTo(noise + 11));
            Assert.That(capture.ToString(), Has.Length.LessThan(OutputBounds.MaxCapturedChars + 100));
            Assert.That(capture.ToString(), Does.EndWith("more chars discarded]"));
        });
    }

    [Test]
    public async Task A_capture_decodes_characters_split_across_reads_and_drops_an_opening_byte_order_mark()
    {
        // Arrange: a BOM, then a node name with a two-byte and a four-byte character, read three bytes at a time.
        var capture = new BoundedTextCapture(OutputBounds.MaxCapturedChars, "api42@h\u00f6st\U0001F600");
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("pong api42@h\u00f6st\U0001F600\n")).ToArray();

        // Act
        await capture.CopyFromAsync(new TrickleStream(bytes, 3));

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(capture.FoundNeedle, Is.True);
            Assert.That(capture.ToString(), Is.EqualTo("pong api42@h\u00f6st\U0001F600\n"));
        });
    }

    [Test]
    public async Task A_capture_without_the_node_name_does_not_find_it()
    {
        var capture = new BoundedTextCapture(16, "api42@host");
        await capture.CopyFromAsync(new MemoryStream(Encoding.UTF8.GetBytes("api42@hos api43@host")));
        Assert.That(capture.FoundNeedle, Is.False);
    }

    [Test]
    public async Task A_hook_printing_without_end_is_logged_up_to_its_limit_and_the_discard_is_said_once()
    {
        // Arrange
        var handed = new List<string>();
        var discards = 0;
        var target = new BoundedLineTarget(1000, handed.Add, () => discards++);

        // Act: 10 000 lines of 99 chars.
        var text = string.Concat(Enumerable.Repeat(new string('h', 99) + "\n", 10_000));
        await target.CopyFromAsync(new MemoryStream(Encoding.UTF8.GetBytes(text)));

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(handed.Sum(l => l.Length), Is.LessThanOrEqualTo(1000));
            Assert.That(handed, Has.Count.EqualTo(10));
            Assert.That(discards, Is.EqualTo(1));
        });
    }

    [Test]
    public void A_crash_report_quotes_at_most_ten_lines_of_512_chars()
    {
        // Arrange
        var dir = Directory.CreateTempSubdirectory("bounds-");
        try
        {
            using var log = new WorkerLog(Path.Join(dir.FullName, "worker_1.log"), 10_000_000, 2, echo: null);

            // Act: 30 lines of 60 000 chars.
            for (var i = 0; i < 30; i++)
                log.Write("out", new string((char)('a' + (i % 26)), 60_000));
            var recent = log.RecentLines(100);

            // Assert
            Assert.Multiple(() =>
            {
                Assert.That(recent, Has.Count.EqualTo(OutputBounds.RecentLines));
                Assert.That(recent.Max(l => l.Length), Is.LessThan(OutputBounds.RecentLineChars + 40));
                Assert.That(recent[^1], Does.StartWith(new string((char)('a' + (29 % 26)), 10)), "the last line is the newest");
            });
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Test]
    public void A_sink_that_throws_on_write_and_on_dispose_reaches_nobody_and_is_reported_once()
    {
        // Arrange
        var reports = new List<Exception>();
        var sink = new SafeSink(new ThrowingSink(), reports.Add);
        var logEvent = new LogEvent(DateTimeOffset.UtcNow, LogEventLevel.Information, null, MessageTemplate.Empty, []);

        // Act
        Assert.DoesNotThrow(() =>
        {
            sink.Emit(logEvent);
            sink.Emit(logEvent);
            sink.Dispose();
        });

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(sink.Failed, Is.True);
            Assert.That(reports, Has.Count.EqualTo(1));
            Assert.That(reports[0], Is.InstanceOf<IOException>());
        });
    }

    [Test]
    public void A_worker_log_on_a_vanished_directory_throws_nothing()
    {
        // Arrange: the directory is removed under the open log (as a full or unmounted disk would fail its writes).
        var dir = Directory.CreateTempSubdirectory("bounds-");
        var log = new WorkerLog(Path.Join(dir.FullName, "sub", "worker_1.log"), 1000, 1, echo: null);
        dir.Delete(recursive: true);

        // Act, Assert
        Assert.DoesNotThrow(() =>
        {
            for (var i = 0; i < 100; i++)
                log.Write("err", new string('z', 100));
            log.Dispose();
        });
    }

    private static async Task<List<string>> ReadAllAsync(string text, int maxLineChars)
    {
        var lines = new List<string>();
        await foreach (var line in BoundedLineReader.ReadLinesAsync(new MemoryStream(Encoding.UTF8.GetBytes(text)), maxLineChars))
            lines.Add(line);
        return lines;
    }

    private sealed class ThrowingSink : ILogEventSink, IDisposable
    {
        public void Emit(LogEvent logEvent) => throw new IOException("No space left on device");

        public void Dispose() => throw new IOException("No space left on device");
    }

    /// <summary>A stream of <c>count</c> copies of one byte, then a tail, made up as it is read (no 100 MB array).</summary>
    private sealed class RepeatingStream(byte value, long count, byte[] tail) : Stream
    {
        private long _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => count + tail.Length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int size)
        {
            var written = (int)Math.Min(size, Math.Max(0, count - _position));
            buffer.AsSpan(offset, written).Fill(value);
            _position += written;
            while (written < size && _position < Length)
                buffer[offset + written++] = tail[_position++ - count];
            return written;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int size) => throw new NotSupportedException();
    }
}

/// <summary>Hands out its bytes at most <c>chunk</c> at a time, as a pipe read by a slow writer does.</summary>
internal sealed class TrickleStream(byte[] bytes, int chunk) : MemoryStream(bytes)
{
    public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));

    public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, chunk)]);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        base.ReadAsync(buffer, offset, Math.Min(count, chunk), cancellationToken);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);
}
