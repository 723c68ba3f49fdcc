using Reporting;
using Reporting.Virtio;
using Specs;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Harness;

namespace Counterexamples;

/// <summary>
/// Writes a counterexample file: indented JSON with a fixed field order and "\n" line ends, no
/// timestamps, so the same counterexample always gives the same bytes.
/// </summary>
public static class CounterexampleWriter
{
    /// <summary>The file's text.</summary>
    public static string ToJson(CounterexampleFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, NewLine = "\n", Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteNumber("formatVersion", file.FormatVersion);
            if (file.Title is not null)
                w.WriteString("title", file.Title);
            w.WriteString("design", file.Design);
            if (file.FixedBy is not null)
                w.WriteString("fixedBy", file.FixedBy);
            if (file.Seed is ulong seed)
                w.WriteNumber("seed", seed);
            WriteZone(w, "zone", file.Scenario.Config);
            if (file.Scenario.MoreZones is { Count: > 0 } more)
            {
                w.WriteStartArray("moreZones");
                foreach (var z in more)
                    WriteZone(w, null, z);
                w.WriteEndArray();
            }
            if (file.Scenario.Aeration is { } setup)
                WriteAeration(w, setup);
            if (file.Scenario.Reporting is { } reporting)
                WriteReporting(w, reporting);
            w.WriteStartArray("operations");
            foreach (var op in file.Scenario.Operations)
                JsonSerializer.Serialize(w, op, CounterexampleJson.OperationOptions);
            w.WriteEndArray();
            w.WriteStartObject("expected");
            w.WriteNumber("step", file.Expected.Step);
            w.WriteString("invariant", file.Expected.Invariant);
            w.WriteString("message", file.Expected.Message);
            w.WriteEndObject();
            if (file.Log is not null)
            {
                w.WriteStartArray("log");
                foreach (var line in file.Log)
                    w.WriteStringValue(line);
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>Write the file (UTF-8, no BOM), creating its folder.</summary>
    public static void Write(CounterexampleFile file, string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir))
            Directory.CreateDirectory(dir);
        File.WriteAllText(path, ToJson(file), new UTF8Encoding(false));
    }

    private static void WriteZone(Utf8JsonWriter w, string? field, BuddyModel.ZoneConfig c)
    {
        if (field is null)
            w.WriteStartObject();
        else
            w.WriteStartObject(field);
        w.WriteString("name", c.Name);
        if (c.StartPfn != 0)
            w.WriteNumber("startPfn", c.StartPfn);
        w.WriteNumber("nrPages", c.NrPages);
        w.WriteNumber("maxOrder", c.MaxOrder);
        w.WriteNumber("pageblockOrder", c.PageblockOrder);
        if (c.MinWatermarkPages is int min)
            w.WriteNumber("minWatermarkPages", min);
        if (c.ShuffleSeed is int shuffle)
            w.WriteNumber("shuffleSeed", shuffle);
        w.WriteEndObject();
    }

    private static void WriteReporting(Utf8JsonWriter w, ReportingSetup s)
    {
        w.WriteStartObject("reporting");
        w.WriteBoolean("reporting", s.Offered.Hinting);
        w.WriteBoolean("pagePoison", s.Offered.PagePoison);
        w.WriteNumber("poisonVal", s.Offered.PoisonVal);
        w.WriteBoolean("pagePoisoning", s.Guest.PagePoisoning);
        w.WriteBoolean("initOnFree", s.Guest.InitOnFree);
        if (s.DriverOrder is int d)
            w.WriteNumber("driverOrder", d);
        if (s.BootOrder is long b)
            w.WriteNumber("bootOrder", b);
        w.WriteNumber("vqSize", s.VqSize);
        w.WriteNumber("hostPageOrder", s.Host.HostPageOrder);
        w.WriteBoolean("discardInhibited", s.Host.DiscardInhibited);
        w.WriteBoolean("denseLayout", s.Host.DenseLayout);
        w.WriteEndObject();
    }

    private static void WriteAeration(Utf8JsonWriter w, AerationSetup s)
    {
        w.WriteStartObject("aeration");
        if (s.Aerator.MinOrder is int minOrder)
            w.WriteNumber("minOrder", minOrder);
        w.WriteNumber("hwm", s.Aerator.Hwm);
        w.WriteNumber("capacity", s.Aerator.Capacity);
        w.WriteBoolean("hinting", s.Features.Hinting);
        w.WriteBoolean("pagePoison", s.Features.PagePoison);
        w.WriteNumber("poisonVal", s.Features.PoisonVal);
        w.WriteBoolean("pagePoisoning", s.PagePoisoning);
        w.WriteNumber("poisonValue", s.PoisonValue);
        w.WriteBoolean("validatePoison", s.ValidatePoison);
        w.WriteNumber("queueSize", s.QueueSize);
        w.WriteNumber("settleBound", s.SettleBound);
        w.WriteEndObject();
    }
}
