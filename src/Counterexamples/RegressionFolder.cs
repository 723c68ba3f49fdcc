using Specs;
namespace Counterexamples;

/// <summary>
/// The regressions/ folder: every counterexample worth keeping. Each file must still fail as
/// recorded under its design and, when it names a fix, pass under that design.
/// </summary>
public static class RegressionFolder
{
    /// <summary>The folder's name at the repository root.</summary>
    public const string Name = "regressions";

    /// <summary>The regressions folder of the repository containing start (walking up to the folder with Verification.sln), or null.</summary>
    public static string? Find(string start)
    {
        for (var dir = new DirectoryInfo(Path.GetFullPath(start)); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Verification.sln")))
            {
                string candidate = Path.Combine(dir.FullName, Name);
                return Directory.Exists(candidate) ? candidate : null;
            }
        }
        return null;
    }

    /// <summary>The counterexample files of a folder, in ordinal name order.</summary>
    public static IReadOnlyList<string> Files(string folder) =>
        Directory.GetFiles(folder, "*.json").OrderBy(Path.GetFileName, StringComparer.Ordinal).ToArray();

    /// <summary>The verdict on one regression file.</summary>
    public sealed record Verdict(string Path, bool Ok, string Design, string? FixedBy, string Message)
    {
        /// <summary>The file could not be read as a counterexample (Message says which field).</summary>
        public bool Malformed { get; init; }
    }

    /// <summary>Load and check one file: reproduced under its design, passing under its fix.</summary>
    public static Verdict Check(string path)
    {
        CounterexampleFile file;
        try
        {
            file = CounterexampleLoader.Load(path);
        }
        catch (CounterexampleFormatException e)
        {
            return new Verdict(path, false, "?", null, $"malformed counterexample file: {e.Message}") { Malformed = true };
        }
        var replay = Replayer.Replay(file);
        if (!replay.Reproduced)
            return new Verdict(path, false, file.Design, file.FixedBy, replay.Message);
        var fix = Replayer.ReplayFix(file);
        if (fix is not null && fix.Outcome != ReplayOutcome.Passed)
            return new Verdict(path, false, file.Design, file.FixedBy, fix.Message);
        return new Verdict(path, true, file.Design, file.FixedBy,
            replay.Message + (fix is null ? "" : $"; {fix.Message}"));
    }
}
