using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Launcher.Agent.Platform;

namespace Launcher.Platform.Windows;

/// <summary>
/// Another process's command line read from its PEB, for systems whose <c>NtQueryInformationProcess</c> does not know
/// <c>ProcessCommandLineInformation</c> (Windows before 8.1, and Wine 8, where it fails and the table would otherwise
/// see only the image name, so <c>strays.match</c> could match no argument). The layout used is the one
/// <c>winternl.h</c> publishes: <c>PEB.ProcessParameters</c> at 0x20 and
/// <c>RTL_USER_PROCESS_PARAMETERS.CommandLine</c> (a <c>UNICODE_STRING</c>) at 0x70 on x64; every read goes through
/// <c>ReadProcessMemory</c> on a handle held for the whole read, and any failure is "unknown", never a guess.
/// </summary>
[SupportedOSPlatform("windows")]
internal static partial class PebCommandLine
{
    private const int ProcessBasicInformation = 0;
    private const int ProcessParametersOffset = 0x20;
    private const int CommandLineOffset = 0x70;
    private const int MaxChars = 32 * 1024;

    /// <summary>The command line of <paramref name="pid"/>, or null when it cannot be read.</summary>
    public static unsafe string? Read(int pid)
    {
        if (!Environment.Is64BitProcess)
            return null;
        using var handle = WindowsProcesses.Open(pid, WindowsProcesses.ProcessQueryInformation | WindowsProcesses.ProcessVmRead);
        if (handle is null)
            return null;

        // PROCESS_BASIC_INFORMATION (x64): ExitStatus, PebBaseAddress at 8, then four more pointer-sized fields.
        var basic = stackalloc byte[48];
        if (Kernel32.NtQueryInformationProcess(handle, ProcessBasicInformation, basic, 48, out _) != 0)
            return null;
        var peb = *(nint*)(basic + 8);
        nint parameters;
        if (peb == 0 || !ReadProcessMemory(handle, peb + ProcessParametersOffset, &parameters, (nuint)sizeof(nint), out _) || parameters == 0)
            return null;

        // UNICODE_STRING { USHORT Length; USHORT MaximumLength; (padding) PWSTR Buffer; }
        var text = stackalloc byte[16];
        if (!ReadProcessMemory(handle, parameters + CommandLineOffset, text, 16, out _))
            return null;
        var bytes = *(ushort*)text;
        var buffer = *(nint*)(text + 8);
        if (buffer == 0 || bytes == 0 || bytes / 2 > MaxChars)
            return null;
        var chars = new char[bytes / 2];
        fixed (char* target = chars)
        {
            if (!ReadProcessMemory(handle, buffer, target, bytes, out var read) || read != bytes)
                return null;
        }

        return new string(chars);
    }

    [LibraryImport("kernel32", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static unsafe partial bool ReadProcessMemory(WindowsHandle process, nint address, void* buffer, nuint size, out nuint read);
}
