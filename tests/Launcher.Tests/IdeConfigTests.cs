using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Launcher.Tests.Support;
using NUnit.Framework;

namespace Launcher.Tests;

/// <summary>
/// The shared IDE configurations in <c>ide-configs/</c> (issue 6): every file parses, every project, program and
/// working directory it names exists, and every launcher argument list is a command the launcher accepts.
/// </summary>
[TestFixture]
public sealed partial class IdeConfigTests
{
    private static readonly JsonDocumentOptions JsonOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>The launcher's commands and the flags each accepts (<c>service</c> is checked apart).</summary>
    private static readonly Dictionary<string, string[]> CommandFlags = new(StringComparer.Ordinal)
    {
        ["run"] = ["--debug", "--no-kill", "--replace", "--config"],
        ["status"] = ["--json", "--config"],
        ["ping"] = ["--expect", "--json", "--config"],
        ["stop"] = [],
        ["strays"] = ["--kill", "--json", "--config"],
        ["doctor"] = [],
        ["service"] = [],
    };

    private static string IdeConfigs => Path.Combine(Repo.Root, "ide-configs");

    public static IEnumerable<string> ConfigFiles() =>
        Directory.EnumerateFiles(Path.Combine(Repo.Root, "ide-configs"), "*", SearchOption.AllDirectories)
            .Where(path => path.EndsWith(".xml", StringComparison.Ordinal) || path.EndsWith(".json", StringComparison.Ordinal))
            .Select(path => Path.GetRelativePath(Repo.Root, path).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);

    [TestCaseSource(nameof(ConfigFiles))]
    public void Every_config_file_parses(string relativePath)
    {
        var path = Path.Combine(Repo.Root, relativePath);
        if (path.EndsWith(".xml", StringComparison.Ordinal))
            Assert.DoesNotThrow(() => XDocument.Load(path));
        else
            Assert.DoesNotThrow(() => JsonDocument.Parse(File.ReadAllText(path), JsonOptions).Dispose());
    }

    [Test]
    public void Rider_configurations_name_existing_paths_and_valid_launcher_commands()
    {
        var problems = new List<string>();
        var found = new Dictionary<string, string>(StringComparer.Ordinal); // name -> launcher arguments or type
        var files = Directory.GetFiles(Path.Combine(IdeConfigs, "rider"), "*.run.xml");
        Assert.That(files, Is.Not.Empty, "ide-configs/rider holds run configurations");

        foreach (var file in files)
        {
            foreach (var configuration in XDocument.Load(file).Descendants("configuration"))
            {
                var name = (string?)configuration.Attribute("name") ?? "";
                var type = (string?)configuration.Attribute("type") ?? "";
                var where = $"{Path.GetFileName(file)} '{name}'";
                var options = configuration.Elements("option")
                    .ToDictionary(option => (string?)option.Attribute("name") ?? "", option => (string?)option.Attribute("value") ?? "", StringComparer.Ordinal);
                string Option(string key) => options.GetValueOrDefault(key, "");

                switch (type)
                {
                    case "DotNetProject":
                        var project = ExpandRider(Option("PROJECT_PATH"), where, problems);
                        var workingDirectory = ExpandRider(Option("WORKING_DIRECTORY"), where, problems);
                        RequireFile(project, $"{where}: PROJECT_PATH", problems);
                        RequireDirectory(workingDirectory, $"{where}: WORKING_DIRECTORY", problems);
                        if (Option("EXE_PATH").Length > 0)
                            RequireBuildOutput(ExpandRider(Option("EXE_PATH"), where, problems), $"{where}: EXE_PATH", problems);
                        if (Option("PROJECT_TFM").Length > 0 && Option("PROJECT_TFM") != TargetFramework())
                            problems.Add($"{where}: PROJECT_TFM {Option("PROJECT_TFM")} is not {TargetFramework()}");
                        if (IsLauncherProject(project))
                        {
                            var args = SplitCommandLine(Option("PROGRAM_PARAMETERS"));
                            CheckLauncherArguments(args, workingDirectory, where, problems);
                            found[name] = string.Join(' ', args);
                        }
                        else
                        {
                            found[name] = type;
                        }

                        break;

                    case "ShConfigurationType":
                        if (Option("EXECUTE_SCRIPT_FILE") == "true")
                            RequireFile(ExpandRider(Option("SCRIPT_PATH"), where, problems), $"{where}: SCRIPT_PATH", problems);
                        RequireDirectory(ExpandRider(Option("SCRIPT_WORKING_DIRECTORY"), where, problems), $"{where}: SCRIPT_WORKING_DIRECTORY", problems);
                        found[name] = Option("SCRIPT_PATH");
                        break;

                    default:
                        problems.Add($"{where}: unexpected configuration type '{type}'");
                        break;
                }
            }
        }

        Assert.Multiple(() =>
        {
            Assert.That(problems, Is.Empty, string.Join('\n', problems));
            Assert.That(found.GetValueOrDefault("Launcher: run"), Is.EqualTo("run --replace"), "'Launcher: run' runs `launcher run --replace` (a Run after an IDE's Stop takes over from the orphaned launcher)");
            Assert.That(found.GetValueOrDefault("Launcher: debug worker"), Is.EqualTo("run --debug --replace"), "'Launcher: debug worker' runs `launcher run --debug --replace`");
            Assert.That(found.GetValueOrDefault("Launcher: tests"), Is.EqualTo("$PROJECT_DIR$/scripts/test.sh"), "'Launcher: tests' runs the test suite");
        });
    }

    [Test]
    public void VS_Code_configurations_name_existing_paths_and_valid_launcher_commands()
    {
        var problems = new List<string>();
        using var tasks = JsonDocument.Parse(File.ReadAllText(Path.Combine(IdeConfigs, "vscode", "tasks.json")), JsonOptions);
        using var launch = JsonDocument.Parse(File.ReadAllText(Path.Combine(IdeConfigs, "vscode", "launch.json")), JsonOptions);

        var labels = new HashSet<string>(StringComparer.Ordinal);
        foreach (var task in tasks.RootElement.GetProperty("tasks").EnumerateArray())
        {
            var label = StringProperty(task, "label") ?? "";
            labels.Add(label);
            var where = $"tasks.json '{label}'";
            if (task.TryGetProperty("options", out var options) && StringProperty(options, "cwd") is { } cwd)
                RequireDirectory(ExpandVsCode(cwd, where, problems), $"{where}: cwd", problems);
            foreach (var arg in StringArray(task, "args").Where(arg => arg.StartsWith("${workspaceFolder}", StringComparison.Ordinal)))
                RequirePath(ExpandVsCode(arg, where, problems), $"{where}: argument {arg}", problems);
        }

        var launched = new List<string>();
        var attaches = 0;
        foreach (var configuration in launch.RootElement.GetProperty("configurations").EnumerateArray())
        {
            var where = $"launch.json '{StringProperty(configuration, "name")}'";
            switch (StringProperty(configuration, "request"))
            {
                case "launch":
                    var program = ExpandVsCode(StringProperty(configuration, "program") ?? "", where, problems);
                    var cwd = ExpandVsCode(StringProperty(configuration, "cwd") ?? "${workspaceFolder}", where, problems);
                    RequireBuildOutput(program, $"{where}: program", problems);
                    RequireDirectory(cwd, $"{where}: cwd", problems);
                    if (StringProperty(configuration, "preLaunchTask") is not { } preLaunch || !labels.Contains(preLaunch))
                        problems.Add($"{where}: preLaunchTask must name a task of tasks.json (it builds what is launched)");
                    if (IsLauncherProgram(program))
                    {
                        var args = StringArray(configuration, "args");
                        CheckLauncherArguments(args, cwd, where, problems);
                        launched.Add(string.Join(' ', args));
                    }

                    break;

                case "attach":
                    attaches++;
                    if (StringProperty(configuration, "processId") is not { Length: > 0 })
                        problems.Add($"{where}: an attach configuration needs processId (\"${{command:pickProcess}}\")");
                    break;

                default:
                    problems.Add($"{where}: request must be launch or attach");
                    break;
            }
        }

        Assert.Multiple(() =>
        {
            Assert.That(problems, Is.Empty, string.Join('\n', problems));
            Assert.That(launched, Does.Contain("run --debug --replace"), "a configuration launches `launcher run --debug --replace`");
            Assert.That(launched, Does.Contain("run --replace"), "a configuration launches `launcher run --replace`");
            Assert.That(attaches, Is.GreaterThanOrEqualTo(1), "a configuration attaches to a worker");
        });
    }

    [Test]
    public void Visual_Studio_profiles_name_existing_paths_and_valid_launcher_commands()
    {
        var problems = new List<string>();
        var launcherArgs = new List<string>();
        var sampleWorkerInstances = new List<string?>();
        var files = Directory.GetFiles(Path.Combine(IdeConfigs, "visualstudio"), "*.launchSettings.json");
        Assert.That(files, Is.Not.Empty, "ide-configs/visualstudio holds launch settings");

        foreach (var file in files)
        {
            // <Project>.launchSettings.json is installed as src/<Project>/Properties/launchSettings.json.
            var projectName = Path.GetFileName(file)[..^".launchSettings.json".Length];
            var projectDir = Path.Combine(Repo.Root, "src", projectName);
            var project = Path.Combine(projectDir, projectName + ".csproj");
            RequireFile(project, $"{Path.GetFileName(file)}: project", problems);

            using var settings = JsonDocument.Parse(File.ReadAllText(file), JsonOptions);
            foreach (var profile in settings.RootElement.GetProperty("profiles").EnumerateObject())
            {
                var where = $"{Path.GetFileName(file)} '{profile.Name}'";
                var workingDirectory = StringProperty(profile.Value, "workingDirectory") is { } configured
                    ? ExpandVisualStudio(configured, projectDir, where, problems)
                    : projectDir;
                RequireDirectory(workingDirectory, $"{where}: workingDirectory", problems);

                switch (StringProperty(profile.Value, "commandName"))
                {
                    case "Project":
                        break;
                    case "Executable":
                        RequireFile(ExpandVisualStudio(StringProperty(profile.Value, "executablePath") ?? "", projectDir, where, problems), $"{where}: executablePath", problems);
                        continue;
                    default:
                        problems.Add($"{where}: commandName must be Project or Executable");
                        continue;
                }

                var args = SplitCommandLine(StringProperty(profile.Value, "commandLineArgs") ?? "");
                if (IsLauncherProject(project))
                {
                    CheckLauncherArguments(args, workingDirectory, where, problems);
                    launcherArgs.Add(string.Join(' ', args));
                }
                else if (projectName == "SampleWorker")
                {
                    sampleWorkerInstances.Add(
                        profile.Value.TryGetProperty("environmentVariables", out var environment) ? StringProperty(environment, "LAUNCHER_INSTANCE") : null);
                }
            }
        }

        Assert.Multiple(() =>
        {
            Assert.That(problems, Is.Empty, string.Join('\n', problems));
            Assert.That(launcherArgs, Is.SupersetOf(new[] { "run --replace", "run --debug --replace", "status" }), "launcher profiles for run --replace, run --debug --replace and status");
            Assert.That(sampleWorkerInstances, Does.Contain("sample"), "a SampleWorker profile started directly with LAUNCHER_INSTANCE=sample");
        });
    }

    /// <summary>
    /// The launcher CLI contract: <c>run [--debug] [--no-kill] [--config PATH]</c>, <c>status [--json]</c>,
    /// <c>ping [--expect N] [--json]</c>, <c>stop</c>, <c>strays [--kill] [--json]</c>, <c>doctor</c>,
    /// <c>service print|install --systemd|--launchd|--windows</c>.
    /// </summary>
    private static void CheckLauncherArguments(List<string> args, string workingDirectory, string where, List<string> problems)
    {
        if (args.Count == 0 || !CommandFlags.TryGetValue(args[0], out var allowed))
        {
            problems.Add($"{where}: launcher arguments '{string.Join(' ', args)}' do not start with a command ({string.Join(", ", CommandFlags.Keys)})");
            return;
        }

        if (args[0] == "service")
        {
            if (args.Count != 3 || args[1] is not ("print" or "install") || args[2] is not ("--systemd" or "--launchd" or "--windows"))
                problems.Add($"{where}: expected `service print|install --systemd|--launchd|--windows`, got '{string.Join(' ', args)}'");
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 1; i < args.Count; i++)
        {
            var flag = args[i];
            if (!allowed.Contains(flag))
            {
                problems.Add($"{where}: `{args[0]}` does not take '{flag}' (it takes: {(allowed.Length == 0 ? "no options" : string.Join(' ', allowed))})");
                continue;
            }

            if (!seen.Add(flag))
                problems.Add($"{where}: '{flag}' given twice");

            if (flag is "--config" or "--expect")
            {
                if (i + 1 >= args.Count)
                {
                    problems.Add($"{where}: '{flag}' needs a value");
                    continue;
                }

                var value = args[++i];
                if (flag == "--config")
                    RequireFile(Path.GetFullPath(value, workingDirectory), $"{where}: --config", problems);
                else if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                    problems.Add($"{where}: --expect takes a number, not '{value}'");
            }
        }
    }

    private static string ExpandRider(string value, string where, List<string> problems) =>
        Expand(value.Replace("$PROJECT_DIR$", Repo.Root, StringComparison.Ordinal), RiderMacro(), where, problems);

    private static string ExpandVsCode(string value, string where, List<string> problems) =>
        Expand(value.Replace("${workspaceFolder}", Repo.Root, StringComparison.Ordinal), VsCodeVariable(), where, problems);

    private static string ExpandVisualStudio(string value, string projectDir, string where, List<string> problems) =>
        Expand(
            value.Replace("$(ProjectDir)", projectDir + "/", StringComparison.Ordinal)
                .Replace("$(SolutionDir)", Repo.Root + "/", StringComparison.Ordinal)
                .Replace('\\', '/'),
            MsBuildProperty(), where, problems);

    private static string Expand(string value, Regex leftover, string where, List<string> problems)
    {
        if (leftover.Match(value) is { Success: true } macro)
            problems.Add($"{where}: unknown macro {macro.Value} in '{value}'");
        return value.Length == 0 ? value : Path.GetFullPath(value, Repo.Root);
    }

    /// <summary>
    /// A program under <c>&lt;project&gt;/bin/&lt;Configuration&gt;/&lt;tfm&gt;/</c> does not exist in a fresh clone: check instead
    /// that the project exists there and builds that file name for the solution's target framework.
    /// </summary>
    private static void RequireBuildOutput(string path, string what, List<string> problems)
    {
        var output = BuildOutput().Match(path.Replace('\\', '/'));
        if (!output.Success)
        {
            RequireFile(path, what, problems);
            return;
        }

        var projectDir = output.Groups["project"].Value;
        var projects = Directory.Exists(projectDir) ? Directory.GetFiles(projectDir, "*.csproj") : [];
        if (projects.Length != 1)
        {
            problems.Add($"{what}: {path} is not the build output of a project ({projectDir} holds no single .csproj)");
            return;
        }

        var assembly = AssemblyName(projects[0]);
        var file = output.Groups["file"].Value;
        if (file != assembly + ".dll" && file != assembly)
            problems.Add($"{what}: {Path.GetFileName(projects[0])} builds {assembly}.dll, not {file}");
        if (output.Groups["tfm"].Value != TargetFramework())
            problems.Add($"{what}: {path} is not under the target framework {TargetFramework()}");
    }

    private static void RequirePath(string path, string what, List<string> problems)
    {
        if (!File.Exists(path) && !Directory.Exists(path))
            problems.Add($"{what}: {path} does not exist");
    }

    private static void RequireFile(string path, string what, List<string> problems)
    {
        if (!File.Exists(path))
            problems.Add($"{what}: file {(path.Length == 0 ? "(empty)" : path)} does not exist");
    }

    private static void RequireDirectory(string path, string what, List<string> problems)
    {
        if (!Directory.Exists(path))
            problems.Add($"{what}: directory {(path.Length == 0 ? "(empty)" : path)} does not exist");
    }

    private static bool IsLauncherProject(string projectPath) =>
        string.Equals(Path.GetFullPath(projectPath), Path.Combine(Repo.Root, "src", "Launcher", "Launcher.csproj"), StringComparison.Ordinal);

    /// <summary>The launcher's build output (whatever the file is called) or a <c>launcher</c> executable.</summary>
    private static bool IsLauncherProgram(string programPath) =>
        BuildOutput().Match(programPath.Replace('\\', '/')) is { Success: true } output
            ? string.Equals(Path.GetFullPath(output.Groups["project"].Value), Path.Combine(Repo.Root, "src", "Launcher"), StringComparison.Ordinal)
            : string.Equals(Path.GetFileNameWithoutExtension(programPath), "launcher", StringComparison.OrdinalIgnoreCase);

    private static string AssemblyName(string projectPath) =>
        XDocument.Load(projectPath).Descendants("AssemblyName").Select(element => element.Value.Trim()).FirstOrDefault()
        ?? Path.GetFileNameWithoutExtension(projectPath);

    private static string TargetFramework() =>
        XDocument.Load(Path.Combine(Repo.Root, "Directory.Build.props")).Descendants("TargetFramework").Single().Value.Trim();

    private static string? StringProperty(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static List<string> StringArray(JsonElement element, string property) =>
        element.TryGetProperty(property, out var array) && array.ValueKind == JsonValueKind.Array
            ? array.EnumerateArray().Select(item => item.GetString() ?? "").ToList()
            : [];

    /// <summary>Splits a command line as Rider and Visual Studio do: on whitespace, double quotes group.</summary>
    private static List<string> SplitCommandLine(string commandLine) =>
        CommandLineToken().Matches(commandLine).Select(match => match.Value.Replace("\"", "", StringComparison.Ordinal)).ToList();

    [GeneratedRegex(@"(?:""[^""]*""|[^\s""])+")]
    private static partial Regex CommandLineToken();

    [GeneratedRegex(@"\$[A-Z_]+\$")]
    private static partial Regex RiderMacro();

    [GeneratedRegex(@"\$\{[^}]+\}")]
    private static partial Regex VsCodeVariable();

    [GeneratedRegex(@"\$\([^)]+\)|%[A-Za-z_]+%")]
    private static partial Regex MsBuildProperty();

    [GeneratedRegex(@"^(?<project>.+)/bin/(?:Debug|Release)/(?<tfm>[^/]+)/(?<file>[^/]+)$")]
    private static partial Regex BuildOutput();
}
