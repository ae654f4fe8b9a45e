using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Launcher.Exceptions;
using Launcher.Platform.Windows;
using Microsoft.Win32;

namespace Launcher.Service;

/// <summary>
/// Creates the Windows service that <see cref="WindowsService.Render"/> prints as sc.exe commands, through the same
/// API sc.exe calls (CreateServiceW, ChangeServiceConfig2W; the Environment value in the service's registry key).
/// Never changes a service of the same name with another command line or environment unless forced.
/// </summary>
[SupportedOSPlatform("windows")]
internal static unsafe class WindowsServiceInstaller
{
    private const string ServicesKey = @"SYSTEM\CurrentControlSet\Services\";

    /// <summary>
    /// Creates (or with <paramref name="force"/> reconfigures) the service for <paramref name="target"/>.
    /// <see cref="InstallOutcome.Different"/> (nothing changed) when a service of that name runs another command.
    /// <paramref name="note"/> names a setting this system does not support (Wine has no failureflag).
    /// </summary>
    public static InstallOutcome Install(ServiceTarget target, bool force, out string? note)
    {
        note = null;
        var name = target.ServiceName;
        var binPath = WindowsService.BinPath(target);
        using var manager = ServiceApi.OpenManager(null, null, ServiceApi.ScManagerConnect | ServiceApi.ScManagerCreateService);
        if (manager.IsInvalid)
            throw Failure("open the service control manager", Marshal.GetLastPInvokeError());

        using var existing = ServiceApi.OpenService(manager, name, ServiceApi.ServiceQueryConfig | ServiceApi.ServiceChangeConfig);
        if (existing.IsInvalid)
        {
            var error = Marshal.GetLastPInvokeError();
            if (error != ServiceApi.ErrorServiceDoesNotExist)
                throw Failure($"open service {name}", error);
            using var created = ServiceApi.CreateService(manager, name, target.Description, ServiceApi.ServiceQueryConfig | ServiceApi.ServiceChangeConfig | ServiceApi.Delete,
                ServiceApi.ServiceWin32OwnProcess, ServiceApi.ServiceAutoStart, ServiceApi.ServiceErrorNormal, binPath, null, 0, null, null, null);
            if (created.IsInvalid)
                throw Failure($"create service {name}", Marshal.GetLastPInvokeError());
            try
            {
                note = Configure(created, target);
            }
            catch (Exception)
            {
                // No half-made service: one without its environment or restarts would start and fail differently.
                ServiceApi.DeleteService(created);
                throw;
            }

            return InstallOutcome.Written;
        }

        if (CommandOf(existing) == (binPath, ServiceApi.ServiceAutoStart) && EnvironmentOf(name).SequenceEqual(WindowsService.EnvironmentBlock(target)))
            return InstallOutcome.Unchanged;
        if (!force)
            return InstallOutcome.Different;

        if (!ServiceApi.ChangeConfig(existing, ServiceApi.ServiceWin32OwnProcess, ServiceApi.ServiceAutoStart, ServiceApi.ServiceErrorNormal, binPath,
                null, 0, null, null, null, target.Description))
            throw Failure($"change service {name}", Marshal.GetLastPInvokeError());
        note = Configure(existing, target);
        return InstallOutcome.Written;
    }

    /// <summary>The command line and start type of an installed service (QueryServiceConfigW).</summary>
    public static (string BinPath, uint StartType) CommandOf(ServiceHandle service)
    {
        // 8 KiB is the documented maximum of QUERY_SERVICE_CONFIG with its strings.
        var buffer = stackalloc byte[8192];
        if (!ServiceApi.QueryConfiguration(service, buffer, 8192, out _))
            throw Failure("read the service's configuration", Marshal.GetLastPInvokeError());
        var config = (ServiceApi.QueryConfig*)buffer;
        return (new string(config->BinaryPathName), config->StartType);
    }

    /// <summary>Description, restarts after a failure (a non-zero exit counts too), and the service's environment.</summary>
    private static string? Configure(ServiceHandle service, ServiceTarget target)
    {
        fixed (char* text = WindowsService.LongDescription(target))
        {
            var description = new ServiceApi.Description { Text = text };
            if (!ServiceApi.ChangeConfig2(service, ServiceApi.ConfigDescription, &description))
                throw Failure("set the service's description", Marshal.GetLastPInvokeError());
        }

        var actions = stackalloc ServiceApi.Action[WindowsService.RestartDelays.Length];
        for (var i = 0; i < WindowsService.RestartDelays.Length; i++)
            actions[i] = new ServiceApi.Action { Type = ServiceApi.ActionRestart, DelayMilliseconds = (uint)WindowsService.RestartDelays[i].TotalMilliseconds };
        var failure = new ServiceApi.FailureActions { ResetPeriodSeconds = WindowsService.FailureResetSeconds, ActionCount = (uint)WindowsService.RestartDelays.Length, Actions = actions };
        if (!ServiceApi.ChangeConfig2(service, ServiceApi.ConfigFailureActions, &failure))
            throw Failure("set the service's restarts (failure actions)", Marshal.GetLastPInvokeError());
        string? note = null;
        var flag = new ServiceApi.FailureActionsFlag { OnNonCrashFailures = 1 };
        if (!ServiceApi.ChangeConfig2(service, ServiceApi.ConfigFailureActionsFlag, &flag))
        {
            // Windows has it since Vista; Wine 8 answers ERROR_INVALID_LEVEL. Then only a crash restarts the service.
            if (Marshal.GetLastPInvokeError() is var error and not ServiceApi.ErrorInvalidLevel)
                throw Failure("count a failed exit as a failure (failureflag)", error);
            note = "this system has no failureflag setting: the service is restarted after a crash, not after a failed exit";
        }

        var environment = WindowsService.EnvironmentBlock(target);
        using var key = Registry.LocalMachine.OpenSubKey(ServicesKey + target.ServiceName, writable: true)
            ?? throw Failure($"open the registry key of service {target.ServiceName}", ServiceApi.ErrorServiceDoesNotExist);
        if (environment.Count == 0)
            key.DeleteValue("Environment", throwOnMissingValue: false);
        else
            key.SetValue("Environment", environment.ToArray(), RegistryValueKind.MultiString);
        return note;
    }

    private static IReadOnlyList<string> EnvironmentOf(string serviceName)
    {
        using var key = Registry.LocalMachine.OpenSubKey(ServicesKey + serviceName);
        return key?.GetValue("Environment") as string[] ?? [];
    }

    private static EnvironmentException Failure(string what, int error) =>
        new($"cannot {what}: {new Win32Exception(error).Message}" +
            (error == ServiceApi.ErrorAccessDenied ? " (run from an elevated command prompt)" : "") +
            (error == ServiceApi.ErrorServiceMarkedForDelete ? " (a deleted service is removed once nothing holds it open: close services.msc, or reboot)" : ""));
}
