using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Launcher.Cli;

/// <summary>
/// `--help` as System.CommandLine writes it, followed by the command's examples: a short description keeps the
/// command list readable, and every command still shows how it is used.
/// </summary>
internal sealed class HelpWithExamples(HelpAction inner, IReadOnlyDictionary<Command, string[]> examples) : SynchronousCommandLineAction
{
    /// <summary>Puts this action on every help option of <paramref name="root"/> (the root's is recursive).</summary>
    public static void Install(RootCommand root, IReadOnlyDictionary<Command, string[]> examples)
    {
        foreach (var option in root.Options.OfType<HelpOption>())
        {
            if (option.Action is HelpAction help)
                option.Action = new HelpWithExamples(help, examples);
        }
    }

    public override int Invoke(ParseResult parseResult)
    {
        var exitCode = inner.Invoke(parseResult);
        if (examples.TryGetValue(parseResult.CommandResult.Command, out var lines) && lines.Length > 0)
        {
            Console.Out.WriteLine("Examples:");
            foreach (var line in lines)
                Console.Out.WriteLine("  " + line);
            Console.Out.WriteLine();
        }

        return exitCode;
    }
}
