using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using NUnit.Framework;

namespace Launcher.Tests.Support;

/// <summary>
/// Python modules from Debian packages (<c>python3-celery</c>, <c>python3-rq</c>), always through
/// <c>/usr/bin/python3</c>: the machine's default <c>python3</c> may be a separate build without them.
/// </summary>
internal static partial class PythonPackages
{
    /// <summary>The interpreter the Debian packages belong to.</summary>
    public const string Python = "/usr/bin/python3";

    private static readonly ConcurrentDictionary<string, bool> Installed = new(StringComparer.Ordinal);

    /// <summary>True when <c>/usr/bin/python3 -c 'import &lt;module&gt;'</c> succeeds (cached per module).</summary>
    public static bool IsInstalled(string module)
    {
        if (!ModuleName().IsMatch(module))
            throw new ArgumentException($"'{module}' is not a python module name", nameof(module));

        return Installed.GetOrAdd(module, Import);
    }

    /// <summary>Marks the test ignored, naming the Debian package and the fix, unless every module imports.</summary>
    public static void SkipUnless(params string[] modules)
    {
        var missing = modules.Where(module => !IsInstalled(module)).ToList();
        if (missing.Count > 0)
        {
            var packages = string.Join(' ', missing.Select(module => "python3-" + module.Split('.')[0]));
            Assert.Ignore($"{packages} not installed ({Python} cannot import {string.Join(", ", missing)}): run scripts/install-test-deps.sh as root");
        }
    }

    private static bool Import(string module)
    {
        if (!File.Exists(Python))
            return false;

        var startInfo = new ProcessStartInfo(Python)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add($"import {module}");

        using var python = Process.Start(startInfo)!;
        _ = python.StandardOutput.ReadToEndAsync();
        _ = python.StandardError.ReadToEndAsync();
        if (python.WaitForExit(TimeSpan.FromSeconds(30)))
            return python.ExitCode == 0;

        python.Kill();
        return false;
    }

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")]
    private static partial Regex ModuleName();
}
