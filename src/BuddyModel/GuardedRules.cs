using System.Reflection;

namespace BuddyModel;

/// <summary>The kernel function whose branch a GuardedRule member counts.</summary>
[AttributeUsage(AttributeTargets.Field, AllowMultiple = false)]
public sealed class GuardAttribute(string function) : Attribute
{
    /// <summary>The kernel function (or QEMU's, for the host).</summary>
    public string Function { get; } = function;
}

/// <summary>A guarded rule this model cannot reach, and why. A test asserts it stays unreached.</summary>
[AttributeUsage(AttributeTargets.Field, AllowMultiple = false)]
public sealed class UnreachedAttribute(string reason) : Attribute
{
    /// <summary>Why the model cannot take the branch with effect.</summary>
    public string Reason { get; } = reason;
}

/// <summary>One guarded rule as reports show it: the member, its kernel function, and why it is unreachable (null: reachable).</summary>
public sealed record GuardedRuleInfo(GuardedRule Rule, string Function, string? UnreachedBecause);

/// <summary>
/// The catalog of GuardedRule, read from its attributes once per process (reports and tests
/// only; the counters themselves never look at it).
/// </summary>
public static class GuardedRules
{
    /// <summary>Number of members (the size of a counter array).</summary>
    public static readonly int Count = Enum.GetValues<GuardedRule>().Length;

    /// <summary>Every rule in declaration order, with its function and unreachability reason.</summary>
    public static IReadOnlyList<GuardedRuleInfo> All { get; } = Enum.GetValues<GuardedRule>().Select(Describe).ToArray();

    private static GuardedRuleInfo Describe(GuardedRule rule)
    {
        var field = typeof(GuardedRule).GetField(rule.ToString(), BindingFlags.Public | BindingFlags.Static)!;
        var guard = field.GetCustomAttribute<GuardAttribute>()
            ?? throw new InvalidOperationException($"GuardedRule.{rule} has no [Guard] naming its kernel function");
        return new GuardedRuleInfo(rule, guard.Function, field.GetCustomAttribute<UnreachedAttribute>()?.Reason);
    }
}
