using Counterexamples;
using Xunit;

namespace Cli.Tests;

/// <summary>The loader refuses every malformed file in malformed/ with an error naming the field.</summary>
public sealed class LoaderTests
{
    /// <summary>Each file of malformed/ and the field its error must name.</summary>
    public static readonly IReadOnlyDictionary<string, string> ExpectedField = new Dictionary<string, string>
    {
        ["bad-json.json"] = "$",
        ["empty-file.json"] = "$",
        ["root-array.json"] = "$",
        ["unknown-version.json"] = "formatVersion",
        ["missing-version.json"] = "formatVersion",
        ["version-as-string.json"] = "formatVersion",
        ["unknown-design.json"] = "design",
        ["fixed-by-itself.json"] = "fixedBy",
        ["unknown-top-field.json"] = "timestamp",
        ["unknown-zone-field.json"] = "zone.pages",
        ["zone-not-aligned.json"] = "zone.nrPages",
        ["pageblock-order-too-big.json"] = "zone.pageblockOrder",
        ["hwm-zero.json"] = "aeration.hwm",
        ["queue-not-power-of-two.json"] = "aeration.queueSize",
        ["missing-expected.json"] = "expected",
        ["negative-step.json"] = "expected.step",
        ["empty-message.json"] = "expected.message",
        ["operations-not-array.json"] = "operations",
        ["unknown-op.json"] = "operations[1].op",
        ["op-without-name.json"] = "operations[1].op",
        ["wrong-type-pageblock.json"] = "operations[1].pageblock",
        ["unknown-migratetype.json"] = "operations[1].mt",
        ["migratetype-as-number.json"] = "operations[1].mt",
        ["op-missing-field.json"] = "operations[2].order",
        ["op-extra-field.json"] = "operations[0].device",
        ["alloc-isolate.json"] = "operations[2].mt",
        ["order-out-of-range.json"] = "operations[3].order",
        ["aerator-op-on-buddy.json"] = "operations[0].op",
        ["aeration-on-buddy.json"] = "aeration",
        ["log-not-strings.json"] = "log[0]",
        ["seed-negative.json"] = "seed",
    };

    public static TheoryData<string> MalformedFiles()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(TestFiles.Malformed, "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal))
            data.Add(f!);
        return data;
    }

    [Theory]
    [MemberData(nameof(MalformedFiles))]
    public void A_malformed_file_is_refused_with_an_error_naming_the_field(string name)
    {
        Assert.True(ExpectedField.TryGetValue(name, out var field), $"malformed/{name} has no expected field in LoaderTests.ExpectedField");
        var e = Assert.Throws<CounterexampleFormatException>(() => CounterexampleLoader.Load(Path.Combine(TestFiles.Malformed, name)));
        Assert.Equal(field, e.Field);
        Assert.StartsWith(field + ": ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_expected_field_has_its_file()
    {
        foreach (var name in ExpectedField.Keys)
            Assert.True(File.Exists(Path.Combine(TestFiles.Malformed, name)), $"malformed/{name} is missing");
    }

    [Fact]
    public void The_order_error_reads_as_documented()
    {
        var e = Assert.Throws<CounterexampleFormatException>(() => CounterexampleLoader.Load(Path.Combine(TestFiles.Malformed, "order-out-of-range.json")));
        Assert.Equal("operations[3].order: 12 is out of range 0..10", e.Message);
    }

    [Fact]
    public void A_missing_file_is_a_format_error_of_the_document()
    {
        var e = Assert.Throws<CounterexampleFormatException>(() => CounterexampleLoader.Load(Path.Combine(TestFiles.Malformed, "no-such-file.json")));
        Assert.Equal("$", e.Field);
    }

    [Theory]
    [InlineData("fill-takes-isolated")]
    [InlineData("expand-made-raw")]
    [InlineData("boundary-in-force")]
    public void A_written_file_loads_back_equal(string name)
    {
        var file = TestFiles.KnownFile(name);
        string json = CounterexampleWriter.ToJson(file);
        var back = CounterexampleLoader.Parse(json);
        Assert.Equal(json, CounterexampleWriter.ToJson(back));
        Assert.Equal(file.Scenario.Operations, back.Scenario.Operations);
        Assert.Equal(file.Scenario.Config, back.Scenario.Config);
        Assert.Equal(file.Expected, back.Expected);
        Assert.True(Replayer.Replay(back).Reproduced);
    }
}
