using Launcher.Platform;
using Launcher.Agent.Storage;

namespace Launcher.Strays;

/// <summary>
/// The corroboration a stray pattern needs before its match may be killed (issue 10, item 1): the process runs the
/// configured command's program. A pattern is text anyone's command line can contain; the executable the kernel
/// loaded (<c>/proc/&lt;pid&gt;/exe</c>, proc(5)) is not. For a <c>#!</c> script the kernel runs the interpreter with
/// the script's path as an argument (execve(2), "Interpreter scripts"), so there the interpreter must be the
/// executable and the script must be what it runs.
/// </summary>
internal sealed class ConfiguredProgram
{
    private readonly string? _program;
    private readonly string? _interpreter;
    private readonly string? _interpreterName;

    private readonly IProcessTable _processes;
    private readonly IFileSystem _files;

    public ConfiguredProgram(string program, PlatformServices platform)
    {
        _processes = platform.Processes;
        _files = platform.Files;
        Path = program;
        _program = _files.ResolveRealPath(program);
        if (_program is not null && ReadShebang(_program) is { } shebang)
        {
            // `#!/usr/bin/env python3` execs python3: the executable is then whatever `python3` is on PATH.
            if (System.IO.Path.GetFileName(shebang.Interpreter) == "env" && shebang.Argument is { Length: > 0 } name)
                _interpreterName = name;
            else
                _interpreter = _files.ResolveRealPath(shebang.Interpreter);
        }
    }

    /// <summary>The program as configured, for messages.</summary>
    public string Path { get; }

    /// <summary>True when the kernel says <paramref name="process"/> runs this program (or this script).</summary>
    public bool IsRunBy(ProcessInfo process)
    {
        if (_program is null || _processes.ReadExecutablePath(process.Pid) is not { } executable)
            return false;
        if (executable == _program)
            return true;

        var interpreterMatches = _interpreter is not null
            ? executable == _interpreter
            : _interpreterName is not null && System.IO.Path.GetFileName(executable).StartsWith(_interpreterName, StringComparison.Ordinal);
        if (!interpreterMatches)
            return false;

        // argv = [interpreter, optional shebang argument, script path, ...]: the script is argv[1] or argv[2].
        return process.CommandLine.Skip(1).Take(2).Any(argument => ResolveArgument(process.Pid, argument) == _program);
    }

    private string? ResolveArgument(int pid, string argument)
    {
        if (argument.Length == 0)
            return null;
        try
        {
            // As before the move behind IProcessTable: an unreadable working directory means the process is gone
            // (or not ours), so even an absolute argument resolves to nothing.
            if (_processes.ReadWorkingDirectory(pid) is not { } cwd)
                return null;
            var full = System.IO.Path.IsPathRooted(argument) ? argument : System.IO.Path.GetFullPath(argument, cwd);
            return _files.ResolveRealPath(full);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    private static (string Interpreter, string? Argument)? ReadShebang(string path)
    {
        if (!RuntimeFile.IsRegularFile(path))
            return null; // a FIFO would block the open
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var buffer = new byte[256];
            var read = stream.Read(buffer);
            if (read < 3 || buffer[0] != '#' || buffer[1] != '!')
                return null;
            var line = System.Text.Encoding.UTF8.GetString(buffer, 2, read - 2).Split('\n')[0].Trim();
            var parts = line.Split([' ', '\t'], 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return parts.Length == 0 ? null : (parts[0], parts.Length > 1 ? parts[1] : null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
