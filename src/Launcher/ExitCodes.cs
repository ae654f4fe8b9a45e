namespace Launcher;

/// <summary>The exit codes users' scripts rely on (DESIGN.md, "contract"). Never renumber.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int BadUsage = 2;
    public const int GuardHeld = 3;
    public const int VerificationFailed = 4;
    public const int CrashLoop = 5;
}
