using System.Text;
using Launcher.Control;

namespace Launcher.Cli;

/// <summary>
/// `launcher status` into a pipe or a file: the terminal's facts as plain lines, no escape codes, no borders, one row
/// per worker that is never wrapped (scripts grep and cut it), columns one space apart and padded to their widest cell.
/// Written directly, not through Spectre.Console, whose console and table layout cost more than the rest of the
/// command after the binary's own start (issue 12, part 3).
/// </summary>
internal static class PlainStatus
{
    public static void Write(TextWriter output, StatusReport report, DateTimeOffset now)
    {
        var text = new StringBuilder();
        text.Append("instance   ").Append(report.Instance).Append(": ").Append(report.State).Append('\n');
        foreach (var line in StatusLines.Header(report, now))
            text.Append(line.TrimEnd()).Append('\n');
        if (report.Workers.Count == 0)
        {
            text.Append("workers    none\n");
            output.Write(text.ToString());
            return;
        }

        var columns = StatusLines.Columns;
        var rows = report.Workers.Select(w => StatusLines.Row(w, now)).Prepend(columns).ToList();
        var widths = columns.Select((_, i) => rows.Max(row => row[i].Length)).ToArray();
        foreach (var row in rows)
        {
            var line = new StringBuilder();
            for (var i = 0; i < columns.Length; i++)
            {
                if (i > 0)
                    line.Append(' ');
                var cell = row[i].ReplaceLineEndings(" ");
                line.Append(StatusLines.RightAligned(columns[i]) ? cell.PadLeft(widths[i]) : cell.PadRight(widths[i]));
            }

            text.Append(line.ToString().TrimEnd()).Append('\n');
        }

        output.Write(text.ToString());
    }
}
