namespace BuddyModel;

/// <summary>
/// Where a model writes its canonical state (the exhaustive explorer hashes it): a sequence of
/// numbers that is equal for two states exactly when no sequence of operations can tell them
/// apart, up to the renaming of block handles. Each writer says what it keeps and drops.
/// </summary>
public interface ICanonicalStateSink
{
    /// <summary>Append one number to the state.</summary>
    void Add(long value);
}
