using System.Reflection;

namespace Harness;

/// <summary>
/// Marks a field (or a type, for every field of that type) that holds no state of the model: a
/// counter a test reads (how often a broken statement fired), or a flag that is only set within
/// one call and is back to its value before the call returns. The exhaustive explorer may merge
/// two states that differ in it. The reason is required, so that a reviewer can check the claim.
/// </summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Class, AllowMultiple = false)]
public sealed class NotModelStateAttribute(string why) : Attribute
{
    /// <summary>Why the field never changes what the model does next.</summary>
    public string Why { get; } = why;
}

/// <summary>
/// Whether the canonical form of a released part (the state its WriteCanonicalState writes, or
/// its system writes for it) also covers a part of a derived type: a deliberately broken model,
/// which is the released code with one method overridden.
///
/// Sound when the derived types add no state the form leaves out. Each type between the part's
/// own and the released one is looked at, field by field (instance fields it declares, the
/// compiler's captures of primary constructor parameters included). A field is covered when:
/// - its declaring type writes its own state: it declares a WriteCanonicalState override (the
///   author extends the form with what the type adds; a broken host with deferred work does);
/// - it is set once and holds configuration: readonly (or a captured constructor parameter,
///   which the broken models never assign) and of a scalar type (number, bool, enum, string),
///   or a reference to another part of the model (a type of the model's own assemblies, whose
///   state that part's writer writes: the object is the same one);
/// - it, or its type, is marked [NotModelState] with a reason.
/// Anything else (a mutable field, a collection) is reported, and the explorer refuses the
/// system rather than merge states that differ in it.
/// </summary>
public static class CanonicalCoverage
{
    /// <summary>The assemblies whose types are parts of the model: the allocator, the kernel primitives, both designs.</summary>
    private static readonly Assembly[] ModelAssemblies =
    [
        typeof(BuddyModel.Zone).Assembly,
        typeof(Kernel.AtomicInt).Assembly,
        typeof(Aeration.Aerator).Assembly,
        typeof(Reporting.PageReporting).Assembly,
    ];

    /// <summary>Null when the released type's canonical form covers part; otherwise what it leaves out, in a sentence that names the role (e.g. "host").</summary>
    public static string? Missing(object part, Type released, string role)
    {
        ArgumentNullException.ThrowIfNull(part);
        ArgumentNullException.ThrowIfNull(released);
        var type = part.GetType();
        if (!released.IsAssignableFrom(type))
            return $"the {role} ({type.Name}) is not a {released.Name}";
        for (var t = type; t is not null && t != released; t = t.BaseType)
        {
            if (WritesOwnState(t))
                continue;
            foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                if (!Covered(field))
                    return $"the {role} ({type.Name}) keeps {FieldName(field)}, which the canonical form of {released.Name} does not write";
        }
        return null;
    }

    /// <summary>The first of several parts' answers, or null when all are covered.</summary>
    public static string? Missing(params (object Part, Type Released, string Role)[] parts) =>
        parts.Select(p => Missing(p.Part, p.Released, p.Role)).FirstOrDefault(m => m is not null);

    private static bool WritesOwnState(Type t) =>
        t.GetMethods(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
            .Any(m => m.Name == "WriteCanonicalState" && m.GetBaseDefinition().DeclaringType != t);

    private static bool Covered(FieldInfo field)
    {
        if (field.IsDefined(typeof(NotModelStateAttribute)) || field.FieldType.IsDefined(typeof(NotModelStateAttribute)))
            return true;
        bool setOnce = field.IsInitOnly || IsCapturedParameter(field);
        return setOnce && (IsScalar(field.FieldType) || ModelAssemblies.Contains(field.FieldType.Assembly));
    }

    /// <summary>A primary constructor parameter that a member uses: the compiler keeps it in a field named &lt;name&gt;P.</summary>
    private static bool IsCapturedParameter(FieldInfo field) => field.Name.StartsWith('<') && field.Name.EndsWith(">P", StringComparison.Ordinal);

    private static bool IsScalar(Type t) => t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal);

    private static string FieldName(FieldInfo field) =>
        IsCapturedParameter(field) ? $"its constructor parameter '{field.Name[1..^2]}'" : $"field '{field.Name}'";
}
