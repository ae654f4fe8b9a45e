using System.Text;

namespace Launcher.Platform.Windows;

/// <summary>
/// Splits a Windows command line into arguments by the rules of the C runtime and <c>CommandLineToArgvW</c>:
/// whitespace separates, double quotes group, 2n backslashes before a quote are n backslashes and the quote
/// toggles, 2n+1 are n backslashes and a literal quote; other backslashes are literal.
/// </summary>
internal static class WindowsCommandLine
{
    public static IReadOnlyList<string> Split(string commandLine)
    {
        var args = new List<string>();
        var current = new StringBuilder();
        var inQuotes = false;
        var any = false;
        for (var i = 0; i < commandLine.Length; i++)
        {
            var c = commandLine[i];
            if (c == '\\')
            {
                var slashes = 0;
                while (i < commandLine.Length && commandLine[i] == '\\')
                {
                    slashes++;
                    i++;
                }

                if (i < commandLine.Length && commandLine[i] == '"')
                {
                    current.Append('\\', slashes / 2);
                    if (slashes % 2 == 1)
                        current.Append('"');
                    else
                        inQuotes = !inQuotes;
                }
                else
                {
                    current.Append('\\', slashes);
                    i--;
                }

                any = true;
            }
            else if (c == '"')
            {
                inQuotes = !inQuotes;
                any = true;
            }
            else if (!inQuotes && (c == ' ' || c == '\t'))
            {
                if (any)
                {
                    args.Add(current.ToString());
                    current.Clear();
                    any = false;
                }
            }
            else
            {
                current.Append(c);
                any = true;
            }
        }

        if (any)
            args.Add(current.ToString());
        return args;
    }
}
