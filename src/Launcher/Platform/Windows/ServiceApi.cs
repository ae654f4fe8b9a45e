using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Launcher.Platform.Windows;

/// <summary>
/// The service control manager's API in advapi32 (https://learn.microsoft.com/windows/win32/services/service-functions):
/// creating and configuring a service (<see cref="Service.WindowsServiceInstaller"/>) and being one
/// (<see cref="ServiceControlSession"/>). <c>[LibraryImport]</c> only: AOT-safe, nothing loaded on Linux.
/// </summary>
[SupportedOSPlatform("windows")]
internal static unsafe partial class ServiceApi
{
    public const uint ScManagerConnect = 0x0001;
    public const uint ScManagerCreateService = 0x0002;
    public const uint ServiceQueryConfig = 0x0001;
    public const uint ServiceChangeConfig = 0x0002;
    public const uint Delete = 0x00010000;
    public const uint ServiceWin32OwnProcess = 0x10;
    public const uint ServiceAutoStart = 2;
    public const uint ServiceErrorNormal = 1;
    public const uint ServiceNoChange = 0xFFFFFFFF;
    public const uint ConfigDescription = 1;
    public const uint ConfigFailureActions = 2;
    public const uint ConfigFailureActionsFlag = 4;
    public const int ActionRestart = 1;

    public const uint StateStopped = 1;
    public const uint StateStartPending = 2;
    public const uint StateStopPending = 3;
    public const uint StateRunning = 4;
    public const uint AcceptStop = 0x1;
    public const uint AcceptShutdown = 0x4;
    public const uint ControlStop = 1;
    public const uint ControlInterrogate = 4;
    public const uint ControlShutdown = 5;
    public const uint ControlPreshutdown = 0xF;

    public const int ErrorAccessDenied = 5;
    public const int ErrorCallNotImplemented = 120;
    public const int ErrorInvalidLevel = 124;
    public const int ErrorServiceDoesNotExist = 1060;
    public const int ErrorFailedServiceControllerConnect = 1063;
    public const int ErrorServiceSpecificError = 1066;
    public const int ErrorServiceMarkedForDelete = 1072;

    /// <summary>SERVICE_STATUS.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Status
    {
        public uint ServiceType;
        public uint CurrentState;
        public uint ControlsAccepted;
        public uint Win32ExitCode;
        public uint ServiceSpecificExitCode;
        public uint CheckPoint;
        public uint WaitHint;
    }

    /// <summary>SERVICE_TABLE_ENTRYW.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct TableEntry
    {
        public char* ServiceName;
        public delegate* unmanaged<uint, char**, void> ServiceMain;
    }

    /// <summary>QUERY_SERVICE_CONFIGW, the fields read.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct QueryConfig
    {
        public uint ServiceType;
        public uint StartType;
        public uint ErrorControl;
        public char* BinaryPathName;
        public char* LoadOrderGroup;
        public uint TagId;
        public char* Dependencies;
        public char* ServiceStartName;
        public char* DisplayName;
    }

    /// <summary>SERVICE_DESCRIPTIONW.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Description
    {
        public char* Text;
    }

    /// <summary>SC_ACTION.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Action
    {
        public int Type;
        public uint DelayMilliseconds;
    }

    /// <summary>SERVICE_FAILURE_ACTIONSW.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct FailureActions
    {
        public uint ResetPeriodSeconds;
        public char* RebootMessage;
        public char* Command;
        public uint ActionCount;
        public Action* Actions;
    }

    /// <summary>SERVICE_FAILURE_ACTIONS_FLAG.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct FailureActionsFlag
    {
        public int OnNonCrashFailures;
    }

    [LibraryImport("advapi32", EntryPoint = "OpenSCManagerW", SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    public static partial ServiceHandle OpenManager(string? machineName, string? databaseName, uint desiredAccess);

    [LibraryImport("advapi32", EntryPoint = "OpenServiceW", SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    public static partial ServiceHandle OpenService(ServiceHandle manager, string serviceName, uint desiredAccess);

    [LibraryImport("advapi32", EntryPoint = "CreateServiceW", SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    public static partial ServiceHandle CreateService(ServiceHandle manager, string serviceName, string displayName, uint desiredAccess,
        uint serviceType, uint startType, uint errorControl, string binaryPathName, string? loadOrderGroup, nint tagId,
        string? dependencies, string? serviceStartName, string? password);

    [LibraryImport("advapi32", EntryPoint = "ChangeServiceConfigW", SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool ChangeConfig(ServiceHandle service, uint serviceType, uint startType, uint errorControl, string binaryPathName,
        string? loadOrderGroup, nint tagId, string? dependencies, string? serviceStartName, string? password, string displayName);

    [LibraryImport("advapi32", EntryPoint = "ChangeServiceConfig2W", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool ChangeConfig2(ServiceHandle service, uint infoLevel, void* info);

    [LibraryImport("advapi32", EntryPoint = "QueryServiceConfigW", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool QueryConfiguration(ServiceHandle service, void* config, uint bufferSize, out uint bytesNeeded);

    [LibraryImport("advapi32", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool DeleteService(ServiceHandle service);

    [LibraryImport("advapi32", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool CloseServiceHandle(nint handle);

    [LibraryImport("advapi32", EntryPoint = "StartServiceCtrlDispatcherW", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool StartDispatcher(TableEntry* table);

    [LibraryImport("advapi32", EntryPoint = "RegisterServiceCtrlHandlerExW", SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    public static partial nint RegisterHandler(string serviceName, delegate* unmanaged<uint, uint, void*, void*, uint> handler, void* context);

    [LibraryImport("advapi32", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool SetServiceStatus(nint statusHandle, Status* status);
}
