namespace Launcher.Tests.Support;

/// <summary>
/// Where the repository and the built artifacts are. Tests run the real, published executables
/// (<c>scripts/build.sh</c> puts them in <c>artifacts/launcher/</c>), never the test project's own build output.
/// </summary>
internal static class Repo
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>The directory holding <c>Launcher.sln</c>, found by walking up from the test assembly.</summary>
    public static string Root => LazyRoot.Value;

    /// <summary><c>artifacts/launcher</c>.</summary>
    public static string ArtifactsDir => Path.Combine(Root, "artifacts", "launcher");

    /// <summary>The published launcher executable; throws when it has not been built.</summary>
    public static string LauncherExe => Artifact("launcher");

    /// <summary>The published sample worker, beside the launcher; throws when it has not been built.</summary>
    public static string SampleWorkerExe => Artifact("SampleWorker");

    private static string Artifact(string name)
    {
        var path = Path.Combine(ArtifactsDir, OperatingSystem.IsWindows() ? name + ".exe" : name);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{path} does not exist: run scripts/build.sh first", path);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Launcher.sln")))
                return dir.FullName;
        }

        throw new DirectoryNotFoundException(
            $"no Launcher.sln above {AppContext.BaseDirectory}: run the tests from a checkout of the repository");
    }
}
