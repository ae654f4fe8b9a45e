using System.Text;

namespace Launcher.Logs;

/// <summary>
/// Writes merged log lines as <c>&lt;node&gt; | &lt;line&gt;</c>, the node padded to a column that only widens, in the
/// node's colour when <c>colour</c> is true (a terminal), plain otherwise (a pipe or a file: greppable).
/// </summary>
internal sealed class LogPrinter(TextWriter output, bool colour)
{
    private int _width;

    /// <summary>Makes the node column at least as wide as the longest of <paramref name="nodes"/>, so it starts aligned.</summary>
    public void Widen(IEnumerable<string> nodes)
    {
        foreach (var node in nodes)
            _width = Math.Max(_width, node.Length);
    }

    /// <summary>Writes <paramref name="entries"/> and flushes once; false when the reader has gone (`logs -f | head`).</summary>
    public bool Write(IEnumerable<LogEntry> entries)
    {
        var text = new StringBuilder();
        foreach (var entry in entries)
        {
            _width = Math.Max(_width, entry.Node.Length);
            var prefix = entry.Node.PadRight(_width) + " |";
            if (colour)
                text.Append("\u001b[").Append(NodeColours.For(entry.Node)).Append('m').Append(prefix).Append("\u001b[0m");
            else
                text.Append(prefix);
            text.Append(' ').Append(entry.Text).Append('\n');
        }

        if (text.Length == 0)
            return true;
        try
        {
            output.Write(text.ToString());
            output.Flush();
            return true;
        }
        catch (IOException)
        {
            // EPIPE: .NET ignores SIGPIPE, so a closed pipe shows up here. The end of the output, not an error.
            return false;
        }
    }
}
