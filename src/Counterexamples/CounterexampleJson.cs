using Specs;
using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Harness.Operations;

namespace Counterexamples;

/// <summary>
/// The JSON conventions of counterexample files, shared by writer and loader: camelCase
/// fields, migratetypes by name ("Movable"), operations through the operation language's own
/// polymorphism ("op": "alloc_pages").
/// </summary>
public static class CounterexampleJson
{
    /// <summary>Options for (de)serializing one Operation.</summary>
    public static JsonSerializerOptions OperationOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(namingPolicy: null, allowIntegerValues: false) },
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
        AllowOutOfOrderMetadataProperties = true,
    };

    /// <summary>The operation names of the language ("op" values) and their record types.</summary>
    public static IReadOnlyDictionary<string, Type> OperationTypes { get; } =
        typeof(Operation).GetCustomAttributes<JsonDerivedTypeAttribute>()
            .ToDictionary(a => (string)a.TypeDiscriminator!, a => a.DerivedType, StringComparer.Ordinal);

    /// <summary>The "op" name of an operation.</summary>
    public static string OperationName(Operation op) =>
        OperationTypes.First(kv => kv.Value == op.GetType()).Key;

    /// <summary>The JSON field names an operation type takes (its primary constructor's parameters, camelCase).</summary>
    public static IReadOnlyList<string> FieldsOf(Type operationType) =>
        Parameters(operationType).Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name!)).ToArray();

    /// <summary>Whether a field may be left out (its constructor parameter has a default, like an operation's zone).</summary>
    public static bool IsOptionalField(Type operationType, string field) =>
        Parameters(operationType).Single(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name!) == field).HasDefaultValue;

    /// <summary>The .NET type of an operation's field (by its JSON name).</summary>
    public static Type FieldTypeOf(Type operationType, string field) =>
        Parameters(operationType).Single(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name!) == field).ParameterType;

    private static ParameterInfo[] Parameters(Type operationType) =>
        operationType.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First().GetParameters();
}
