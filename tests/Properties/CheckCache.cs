using System.Collections.Concurrent;
using Checks;

namespace Properties;

/// <summary>
/// One property check per key per test run: the broken-model tests and the shrinker-against-
/// minimum tests ask for the same shrunk counterexamples, and a check is deterministic (a fixed
/// seed), so the second asker gets the first one's result instead of running it again.
/// </summary>
internal static class CheckCache
{
    private static readonly ConcurrentDictionary<string, Lazy<PropertyCheck.Result>> Results = new();

    /// <summary>The result of check for key, computed once.</summary>
    public static PropertyCheck.Result Get(string key, Func<PropertyCheck.Result> check) =>
        Results.GetOrAdd(key, _ => new Lazy<PropertyCheck.Result>(check)).Value;
}
