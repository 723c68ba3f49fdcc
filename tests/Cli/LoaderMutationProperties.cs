using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Counterexamples;
using Xunit;

namespace Cli.Tests;

/// <summary>
/// Mutations of valid files (drop a field, change a type, an out-of-range value, an unknown
/// operation or field): the loader either accepts a still-valid file or refuses it with an
/// error naming a field that exists in the path grammar; never any other exception.
/// </summary>
public sealed class LoaderMutationProperties
{
    private static readonly string[] Valid = Directory.GetFiles(TestFiles.Regressions, "*.json")
        .Order(StringComparer.Ordinal).Select(File.ReadAllText)
        .Append(CounterexampleWriter.ToJson(TestFiles.KnownFile("boundary-in-force")))
        .ToArray();

    private static readonly JsonNode?[] Replacements =
    [
        null, JsonValue.Create(-1), JsonValue.Create(0), JsonValue.Create(12), JsonValue.Create(int.MaxValue), JsonValue.Create(1L << 40),
        JsonValue.Create(1.5), JsonValue.Create("zero"), JsonValue.Create(""), JsonValue.Create("compact_zone"), JsonValue.Create("Isolate"),
        JsonValue.Create(true), new JsonArray(), new JsonObject(), new JsonObject { ["op"] = "compact_zone" },
        new JsonObject { ["op"] = "alloc_pages", ["order"] = 99, ["mt"] = "Movable" },
    ];

    /// <summary>One mutation: which node (index into a pre-order walk), what to do, with which value.</summary>
    public sealed record Mutation(int File, int Node, int Kind, int Value)
    {
        public override string ToString() => $"file {File}, node {Node}, kind {Kind}, value {Value}";
    }

    private static Arbitrary<Mutation> Mutations() =>
        (from f in Gen.Choose(0, Valid.Length - 1)
         from n in Gen.Choose(0, 400)
         from k in Gen.Choose(0, 3)
         from v in Gen.Choose(0, Replacements.Length - 1)
         select new Mutation(f, n, k, v)).ToArbitrary();

    [Property(MaxTest = 400, Replay = "(20190619,11400714819323198485)")]
    public Property Mutated_files_are_accepted_or_refused_naming_a_field() =>
        Prop.ForAll(Mutations(), m =>
        {
            string text = Mutate(Valid[m.File], m);
            try
            {
                var file = CounterexampleLoader.Parse(text);
                // Still valid: it must write out again and load back to the same file.
                var again = CounterexampleLoader.Parse(CounterexampleWriter.ToJson(file));
                return again.Scenario.Operations.SequenceEqual(file.Scenario.Operations).Label("round trip");
            }
            catch (CounterexampleFormatException e)
            {
                return (e.Field.Length > 0
                        && e.Message.StartsWith(e.Field + ": ", StringComparison.Ordinal)
                        && (e.Field == "$" || char.IsLetter(e.Field[0])))
                    .Label($"field '{e.Field}', message '{e.Message}'");
            }
        });

    [Fact]
    public void Truncated_and_garbled_texts_are_refused_as_bad_json()
    {
        string text = Valid[0];
        for (int cut = 0; cut < text.Length - 2; cut += 37)
        {
            var e = Assert.Throws<CounterexampleFormatException>(() => CounterexampleLoader.Parse(text[..cut]));
            Assert.Equal("$", e.Field);
        }
    }

    private static string Mutate(string text, Mutation m)
    {
        var root = JsonNode.Parse(text)!;
        var nodes = new List<(JsonNode Parent, string? Key, int Index)>();
        Walk(root, nodes);
        if (nodes.Count == 0)
            return text;
        var (parent, key, index) = nodes[m.Node % nodes.Count];
        var value = Replacements[m.Value]?.DeepClone();
        switch (m.Kind)
        {
            case 0: // drop
                if (parent is JsonObject o) o.Remove(key!);
                else ((JsonArray)parent).RemoveAt(index);
                break;
            case 1: // replace
                if (parent is JsonObject o1) o1[key!] = value;
                else ((JsonArray)parent)[index] = value;
                break;
            case 2: // add an unknown field / element
                if (parent is JsonObject o2) o2["x" + m.Value] = value;
                else ((JsonArray)parent).Insert(index, value);
                break;
            default: // duplicate a sibling element or rename a field
                if (parent is JsonObject o3)
                {
                    var v = o3[key!]?.DeepClone();
                    o3.Remove(key!);
                    o3[key! + "_"] = v;
                }
                else ((JsonArray)parent).Insert(index, ((JsonArray)parent)[index]?.DeepClone());
                break;
        }
        return root.ToJsonString();
    }

    private static void Walk(JsonNode node, List<(JsonNode, string?, int)> into)
    {
        if (node is JsonObject o)
            foreach (var (k, v) in o.ToList())
            {
                into.Add((o, k, 0));
                if (v is not null) Walk(v, into);
            }
        else if (node is JsonArray a)
            for (int i = 0; i < a.Count; i++)
            {
                into.Add((a, null, i));
                if (a[i] is { } c) Walk(c, into);
            }
    }
}
