namespace Cli;

/// <summary>A misuse of the tool (bad option value, missing or malformed file): exit code 2, one clear line, no stack trace.</summary>
public sealed class UsageException(string message) : Exception(message);
