using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Launcher.Agent.Platform;

namespace Launcher.Platform.Windows;

/// <summary>Who owns a process: the user SID in its access token (<c>OpenProcessToken</c>, <c>GetTokenInformation(TokenUser)</c>).</summary>
[SupportedOSPlatform("windows")]
internal static partial class Advapi32
{
    private const uint TokenQuery = 0x0008;
    private const int TokenUserClass = 1;

    /// <summary>The binary user SID of the process behind <paramref name="process"/>, or null when its token cannot be read.</summary>
    public static unsafe byte[]? UserSid(WindowsHandle process)
    {
        if (!OpenProcessToken(process, TokenQuery, out var token))
        {
            token.Dispose();
            return null;
        }

        using (token)
        {
            var buffer = stackalloc byte[256];
            if (!GetTokenInformation(token, TokenUserClass, buffer, 256, out _))
                return null;
            // TOKEN_USER starts with SID_AND_ATTRIBUTES, whose first member points at the SID inside the buffer.
            var sid = *(byte**)buffer;
            var length = GetLengthSid(sid);
            return length is > 0 and <= 68 ? new ReadOnlySpan<byte>(sid, (int)length).ToArray() : null;
        }
    }

    [LibraryImport("advapi32", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool OpenProcessToken(WindowsHandle process, uint desiredAccess, out WindowsHandle token);

    [LibraryImport("advapi32", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static unsafe partial bool GetTokenInformation(WindowsHandle token, int infoClass, void* info, uint length, out uint returnLength);

    [LibraryImport("advapi32")]
    private static unsafe partial uint GetLengthSid(void* sid);
}
