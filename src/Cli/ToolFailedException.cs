namespace Cli;

/// <summary>A tool the command runs (dotnet build, the coyote tool) failed on its own: exit code 3, one clear line.</summary>
public sealed class ToolFailedException(string message) : Exception(message);
