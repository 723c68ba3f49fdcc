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
}
