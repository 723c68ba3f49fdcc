namespace Cli;

/// <summary>The tool's exit codes.</summary>
public static class ExitCodes
{
    /// <summary>Everything held / the counterexample reproduced as recorded.</summary>
    public const int Ok = 0;

    /// <summary>A violation was found, a regression no longer reproduces, or a replay diverged.</summary>
    public const int Failed = 1;

    /// <summary>Misuse: unknown option, bad value, missing or malformed file.</summary>
    public const int Usage = 2;

    /// <summary>A tool the command runs (dotnet build, the coyote tool) failed for a reason of its own.</summary>
    public const int ToolFailed = 3;
}
