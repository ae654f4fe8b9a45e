using Launcher.Agent;
using Microsoft.Extensions.Logging.Console;
using SampleWorker;

SampleWorkerOptions options;
try
{
    options = SampleWorkerOptions.Parse(args).ForThisStart();
}
catch (Exception ex) when (ex is ArgumentException or FormatException)
{
    Console.Error.WriteLine($"SampleWorker: {ex.Message}");
    Console.Error.WriteLine(SampleWorkerOptions.Usage);
    return 2;
}

if (options.FailAtStart)
{
    Console.WriteLine($"failing at start with exit code {options.CrashExitCode}");
    return options.CrashExitCode;
}

if (options.ReadyDelaySeconds > 0)
    await Task.Delay(TimeSpan.FromSeconds(options.ReadyDelaySeconds));

// No config reload watcher: by default the host watches appsettings*.json through inotify, one instance per
// process, and 256 workers of one user hit the kernel's limit of 128 (fs.inotify.max_user_instances, inotify(7)).
// Workers restart to take new config anyway. Equivalent: DOTNET_hostBuilder__reloadConfigOnChange=false.
var settings = new HostApplicationBuilderSettings { Configuration = new ConfigurationManager() };
settings.Configuration.AddInMemoryCollection([new("hostBuilder:reloadConfigOnChange", "false")]);
var builder = Host.CreateApplicationBuilder(settings);
builder.Logging.AddSimpleConsole(console =>
{
    console.SingleLine = true;
    console.ColorBehavior = LoggerColorBehavior.Disabled;
});
// A refused start is reported below in one line; the host's own "Hosting failed to start" entry would repeat it
// with a stack trace. Any other start-up failure is unhandled and printed by the runtime anyway.
builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
builder.Services.AddSingleton(options);
builder.Services.AddHostedService<Worker>();
builder.Services.AddLauncherAgent(agent => agent.Instance = builder.Configuration["Launcher:Instance"]);

try
{
    await builder.Build().RunAsync();
    return 0;
}
catch (DuplicateWorkerException ex)
{
    Console.Error.WriteLine($"SampleWorker: refusing to start: {ex.Message}");
    return 3;
}
