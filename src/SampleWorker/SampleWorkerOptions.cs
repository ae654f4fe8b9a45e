using System.Globalization;

namespace SampleWorker;

/// <summary>
/// What the sample worker does: by default it ticks until stopped. The other switches turn it into the
/// test dummy (CliWrap keeps one for the same reason): each one reproduces a way real workers misbehave.
/// </summary>
internal sealed record SampleWorkerOptions
{
    public double TickSeconds { get; init; } = 5;
    public double? CrashAfterSeconds { get; init; }
    public int CrashExitCode { get; init; } = 3;
    public double? ExitAfterSeconds { get; init; }
    public double? HangAfterSeconds { get; init; }
    public double ReadyDelaySeconds { get; init; }
    public bool IgnoreSigterm { get; init; }
    public bool SpawnGrandchild { get; init; }
    public bool SetsidGrandchild { get; init; }
    public bool FailAtStart { get; init; }
    public string? OnlyIfExists { get; init; }
    public string? OnlyOnce { get; init; }

    public const string Usage = """
        SampleWorker: a BackgroundService that ticks, registers with the launcher and answers pings.
        Options (all optional):
          --tick-seconds S        seconds between "tick" lines (default 5)
          --crash-after S         exit with --exit-code after S seconds (a crash)
          --exit-code N           exit code for --crash-after (default 3)
          --exit-after S          exit cleanly with code 0 after S seconds
          --hang-after S          freeze (SIGSTOP itself) after S seconds: alive but never answering
          --ready-delay S         wait S seconds before starting (a slow start)
          --ignore-sigterm        ignore SIGTERM, so only SIGKILL ends it
          --spawn-grandchild      start a child `sleep` that stays in this worker's tree
          --setsid-grandchild     start a `sleep` that calls setsid and double-forks out of the tree
          --fail-at-start         exit with --exit-code at once, before registering (a bad deploy)
          --only-if-exists PATH   misbehave (every switch above) only when PATH exists at start
          --only-once PATH        misbehave only if this worker is the first to create the file PATH
        """;

    public static SampleWorkerOptions Parse(string[] args)
    {
        var options = new SampleWorkerOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            double Seconds() => double.Parse(Value(), CultureInfo.InvariantCulture);
            options = args[i] switch
            {
                "--tick-seconds" => options with { TickSeconds = Seconds() },
                "--crash-after" => options with { CrashAfterSeconds = Seconds() },
                "--exit-code" => options with { CrashExitCode = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--exit-after" => options with { ExitAfterSeconds = Seconds() },
                "--hang-after" => options with { HangAfterSeconds = Seconds() },
                "--ready-delay" => options with { ReadyDelaySeconds = Seconds() },
                "--ignore-sigterm" => options with { IgnoreSigterm = true },
                "--spawn-grandchild" => options with { SpawnGrandchild = true },
                "--setsid-grandchild" => options with { SetsidGrandchild = true },
                "--fail-at-start" => options with { FailAtStart = true },
                "--only-if-exists" => options with { OnlyIfExists = Value() },
                "--only-once" => options with { OnlyOnce = Value() },
                _ => throw new ArgumentException($"unknown option '{args[i]}'"),
            };
        }

        return options;
    }

    /// <summary>
    /// These options, or a well-behaved worker with the same tick when a condition (<see cref="OnlyIfExists"/>,
    /// <see cref="OnlyOnce"/>) says not to misbehave this time: one command line for a whole fleet in which only
    /// one slot (a path with <c>{index}</c>), one moment (a file the test creates) or one start misbehaves.
    /// </summary>
    public SampleWorkerOptions ForThisStart()
    {
        var misbehave = (OnlyIfExists is null || Path.Exists(OnlyIfExists)) && (OnlyOnce is null || Claim(OnlyOnce));
        return misbehave ? this : new SampleWorkerOptions { TickSeconds = TickSeconds };
    }

    // open(2) with O_CREAT | O_EXCL (FileMode.CreateNew) is atomic: of several workers racing, exactly one creates the file.
    private static bool Claim(string path)
    {
        try
        {
            using var claim = new FileStream(path, FileMode.CreateNew);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
