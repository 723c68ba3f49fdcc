using Reporting;
using Reporting.Virtio;
using Specs;
using System.Text;
using System.Text.Json;
using Aeration;
using Aeration.Virtio;
using BuddyModel;
using Harness;
using Harness.Operations;

namespace Counterexamples;

/// <summary>
/// Reads a counterexample file and checks every field before anything runs. A file that cannot
/// be used (bad JSON, unknown version, unknown field or operation, a wrong type, a value out of
/// range) is refused with a CounterexampleFormatException naming the field, for example
/// "operations[3].order: 12 is out of range 0..10". No other exception leaves Parse.
/// </summary>
public static class CounterexampleLoader
{
    /// <summary>Largest zone a file may ask for (frames); keeps a hostile file from exhausting memory.</summary>
    public const int MaxZonePages = 1 << 20;

    /// <summary>The highest zone_end_pfn a file may have (2^21 frames, 8 GiB: room for ZONE_NORMAL at 4 GiB).</summary>
    public const int MaxGuestPages = 1 << 21;

    /// <summary>Largest settle bound a file may ask for.</summary>
    public const int MaxSettleBound = 1_000_000;

    private static readonly string[] TopFields = ["formatVersion", "title", "design", "fixedBy", "seed", "zone", "moreZones", "aeration", "reporting", "operations", "expected", "log"];
    private static readonly string[] ZoneFields = ["name", "startPfn", "nrPages", "maxOrder", "pageblockOrder", "minWatermarkPages", "shuffleSeed"];
    private static readonly string[] ReportingFields = ["reporting", "pagePoison", "poisonVal", "pagePoisoning", "initOnFree", "driverOrder", "bootOrder", "vqSize", "hostPageOrder", "discardInhibited", "denseLayout"];
    private static readonly string[] AerationFields = ["minOrder", "hwm", "capacity", "hinting", "pagePoison", "poisonVal", "pagePoisoning", "poisonValue", "validatePoison", "queueSize", "settleBound"];
    private static readonly string[] ExpectedFields = ["step", "invariant", "message"];

    /// <summary>Load a file from disk. A missing or unreadable file is a format error of "$" too.</summary>
    public static CounterexampleFile Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CounterexampleFormatException("$", $"cannot read '{path}': {e.Message}");
        }
        return Parse(text);
    }

    /// <summary>Parse and check a file's text.</summary>
    public static CounterexampleFile Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Disallow, AllowTrailingCommas = false, MaxDepth = 32 });
        }
        catch (JsonException e)
        {
            throw new CounterexampleFormatException("$", $"not valid JSON (line {(e.LineNumber ?? 0) + 1}, byte {(e.BytePositionInLine ?? 0) + 1}): {FirstSentence(e.Message)}");
        }
        using (doc)
            return Read(doc.RootElement);
    }

    private static CounterexampleFile Read(JsonElement root)
    {
        var top = Obj(root, "$");
        Only(top, "", TopFields);

        // formatVersion first: a newer file should say so, not fail on a field it added.
        int version = Int(Required(top, "formatVersion", ""), "formatVersion");
        if (version != CounterexampleFile.CurrentVersion)
            throw new CounterexampleFormatException("formatVersion", $"version {version} is not supported (this tool reads version {CounterexampleFile.CurrentVersion})");

        string? title = OptString(top, "title", "title");
        string design = KnownDesign(Required(top, "design", ""), "design");
        string? fixedBy = null;
        if (Optional(top, "fixedBy") is { } fb)
        {
            fixedBy = KnownDesign(fb, "fixedBy");
            if (fixedBy == design)
                throw new CounterexampleFormatException("fixedBy", $"'{fixedBy}' is the design the file fails under; fixedBy names another design that passes");
        }
        ulong? seed = null;
        if (Optional(top, "seed") is { } s)
            seed = s.ValueKind == JsonValueKind.Number && s.TryGetUInt64(out var u) ? u : throw Type("seed", "an unsigned 64-bit integer", s);

        var config = ReadZone(Required(top, "zone", ""), "zone");
        var moreZones = Optional(top, "moreZones") is { } mz ? ReadMoreZones(mz, config) : null;
        if (GuestSystem.GuestMemoryPages([config, .. moreZones ?? []]) > MaxGuestPages)
            throw new CounterexampleFormatException(moreZones is null ? "zone.startPfn" : "moreZones",
                $"the zones end beyond pfn {MaxGuestPages} (8 GiB): the model keeps guest memory for every frame up to the highest zone_end_pfn");
        AerationSetup? setup = null;
        if (Optional(top, "aeration") is { } a)
        {
            if (!Designs.HasAerator(design))
                throw new CounterexampleFormatException("aeration", $"design '{design}' has no aerator; remove this field or name an aeration design");
            setup = ReadAeration(a, config);
        }
        else if (Designs.HasAerator(design))
        {
            setup = new AerationSetup();
            Check(() => setup.Aerator.Validate(config.MaxOrder), "aeration", AerationFieldOf);
        }

        ReportingSetup? reporting = null;
        if (Optional(top, "reporting") is { } r)
        {
            if (!Designs.IsReporting(design))
                throw new CounterexampleFormatException("reporting", $"design '{design}' is not a version of the merged design; remove this field or name a reporting design");
            reporting = ReadReporting(r, config);
        }

        var ops = ReadOperations(Required(top, "operations", ""), config, design, 1 + (moreZones?.Count ?? 0));
        var expected = ReadExpected(Required(top, "expected", ""));
        List<string>? log = null;
        if (Optional(top, "log") is { } l)
        {
            if (l.ValueKind != JsonValueKind.Array)
                throw Type("log", "an array of strings", l);
            log = new List<string>();
            int i = 0;
            foreach (var line in l.EnumerateArray())
            {
                log.Add(line.ValueKind == JsonValueKind.String ? line.GetString()! : throw Type($"log[{i}]", "a string", line));
                i++;
            }
        }
        return new CounterexampleFile(design, new Scenario(config, ops, setup, reporting, moreZones), expected, seed, fixedBy, title, log);
    }

    /// <summary>A zone object; at names it in errors ("zone", "moreZones[0]").</summary>
    private static ZoneConfig ReadZone(JsonElement e, string at)
    {
        var z = Obj(e, at);
        string p = at + ".";
        Only(z, p, ZoneFields);
        var config = new ZoneConfig
        {
            Name = OptString(z, "name", p + "name") ?? "Normal",
            StartPfn = Optional(z, "startPfn") is { } sp ? IntIn(sp, p + "startPfn", 0, ZoneConfig.MaxEndPfn) : 0,
            NrPages = IntIn(Required(z, "nrPages", p), p + "nrPages", 1, MaxZonePages),
            MaxOrder = IntIn(Required(z, "maxOrder", p), p + "maxOrder", 2, 20),
            PageblockOrder = Int(Required(z, "pageblockOrder", p), p + "pageblockOrder"),
            MinWatermarkPages = Optional(z, "minWatermarkPages") is { } m ? IntIn(m, p + "minWatermarkPages", 0, MaxZonePages) : null,
            ShuffleSeed = Optional(z, "shuffleSeed") is { } sh ? Int(sh, p + "shuffleSeed") : null,
        };
        Check(config.Validate, at, ZoneFieldOf);
        return config;
    }

    /// <summary>The zones above the first one ("moreZones"), in ascending pfn order; the whole layout is checked (ZoneLayout).</summary>
    private static List<ZoneConfig> ReadMoreZones(JsonElement e, ZoneConfig first)
    {
        if (e.ValueKind != JsonValueKind.Array)
            throw Type("moreZones", "an array of zones", e);
        var zones = new List<ZoneConfig>();
        int i = 0;
        foreach (var item in e.EnumerateArray())
            zones.Add(ReadZone(item, $"moreZones[{i++}]"));
        if (zones.Count == 0)
            throw new CounterexampleFormatException("moreZones", "empty: leave the field out for a guest of one zone");
        Check(() => ZoneLayout.Validate([first, .. zones]), "moreZones", _ => null);
        return zones;
    }

    private static ReportingSetup ReadReporting(JsonElement e, ZoneConfig config)
    {
        var r = Obj(e, "reporting");
        Only(r, "reporting.", ReportingFields);
        var d = new ReportingSetup();
        bool B(string f, bool dflt) => Optional(r, f) is { } v ? Bool(v, $"reporting.{f}") : dflt;
        int vqSize = Optional(r, "vqSize") is { } q ? IntIn(q, "reporting.vqSize", 1, 32768) : d.VqSize;
        if ((vqSize & (vqSize - 1)) != 0)
            throw new CounterexampleFormatException("reporting.vqSize", $"{vqSize} is not a power of 2");
        return new ReportingSetup
        {
            Offered = new BalloonFeatures
            {
                Hinting = B("reporting", d.Offered.Hinting),
                PagePoison = B("pagePoison", d.Offered.PagePoison),
                PoisonVal = Optional(r, "poisonVal") is { } pv
                    ? (pv.ValueKind == JsonValueKind.Number && pv.TryGetUInt32(out var u32) ? u32 : throw Type("reporting.poisonVal", "an unsigned 32-bit integer", pv))
                    : d.Offered.PoisonVal,
            },
            Guest = new GuestPoisoning { PagePoisoning = B("pagePoisoning", d.Guest.PagePoisoning), InitOnFree = B("initOnFree", d.Guest.InitOnFree) },
            DriverOrder = Optional(r, "driverOrder") is { } dro ? IntIn(dro, "reporting.driverOrder", -1, 64) : d.DriverOrder,
            BootOrder = Optional(r, "bootOrder") is { } bo
                ? (bo.ValueKind == JsonValueKind.Number && bo.TryGetInt64(out var l64) ? l64 : throw Type("reporting.bootOrder", "a 64-bit integer", bo))
                : d.BootOrder,
            VqSize = vqSize,
            Host = new HostOptions
            {
                HostPageOrder = Optional(r, "hostPageOrder") is { } hp ? IntIn(hp, "reporting.hostPageOrder", 0, config.MaxOrder - 1) : d.Host.HostPageOrder,
                DiscardInhibited = B("discardInhibited", d.Host.DiscardInhibited),
                DenseLayout = B("denseLayout", d.Host.DenseLayout),
            },
        };
    }

    private static AerationSetup ReadAeration(JsonElement e, ZoneConfig config)
    {
        var a = Obj(e, "aeration");
        Only(a, "aeration.", AerationFields);
        var defaults = new AerationSetup();
        var aerator = new AeratorConfig
        {
            MinOrder = Optional(a, "minOrder") is { } mo ? IntIn(mo, "aeration.minOrder", 0, config.MaxOrder - 1) : null,
            Hwm = Optional(a, "hwm") is { } h ? IntIn(h, "aeration.hwm", 1, MaxZonePages) : defaults.Aerator.Hwm,
            Capacity = Optional(a, "capacity") is { } c ? IntIn(c, "aeration.capacity", 1, HintingDriver.HintsMax) : defaults.Aerator.Capacity,
        };
        Check(() => aerator.Validate(config.MaxOrder), "aeration", AerationFieldOf);
        var features = new BalloonFeatures
        {
            Hinting = Optional(a, "hinting") is { } hi ? Bool(hi, "aeration.hinting") : defaults.Features.Hinting,
            PagePoison = Optional(a, "pagePoison") is { } pp ? Bool(pp, "aeration.pagePoison") : defaults.Features.PagePoison,
            PoisonVal = Optional(a, "poisonVal") is { } pv
                ? (pv.ValueKind == JsonValueKind.Number && pv.TryGetUInt32(out var u32) ? u32 : throw Type("aeration.poisonVal", "an unsigned 32-bit integer", pv))
                : defaults.Features.PoisonVal,
        };
        int queueSize = Optional(a, "queueSize") is { } q ? IntIn(q, "aeration.queueSize", 1, 32768) : defaults.QueueSize;
        if ((queueSize & (queueSize - 1)) != 0)
            throw new CounterexampleFormatException("aeration.queueSize", $"{queueSize} is not a power of 2 (virtqueue sizes are)");
        return new AerationSetup
        {
            Aerator = aerator,
            Features = features,
            PagePoisoning = Optional(a, "pagePoisoning") is { } pg ? Bool(pg, "aeration.pagePoisoning") : defaults.PagePoisoning,
            PoisonValue = Optional(a, "poisonValue") is { } pval
                ? (pval.ValueKind == JsonValueKind.Number && pval.TryGetUInt64(out var u64) ? u64 : throw Type("aeration.poisonValue", "an unsigned 64-bit integer", pval))
                : defaults.PoisonValue,
            ValidatePoison = Optional(a, "validatePoison") is { } vp ? Bool(vp, "aeration.validatePoison") : defaults.ValidatePoison,
            QueueSize = queueSize,
            SettleBound = Optional(a, "settleBound") is { } sb ? IntIn(sb, "aeration.settleBound", 1, MaxSettleBound) : defaults.SettleBound,
        };
    }

    private static List<Operation> ReadOperations(JsonElement e, ZoneConfig config, string design, int zones)
    {
        if (e.ValueKind != JsonValueKind.Array)
            throw Type("operations", "an array of operations", e);
        var ops = new List<Operation>();
        int i = 0;
        foreach (var item in e.EnumerateArray())
        {
            ops.Add(ReadOperation(item, $"operations[{i}]", config, design, zones));
            i++;
        }
        return ops;
    }

    private static Operation ReadOperation(JsonElement e, string at, ZoneConfig config, string design, int zones)
    {
        var o = Obj(e, at);
        var opElement = Optional(o, "op") ?? throw new CounterexampleFormatException($"{at}.op", "missing: every operation names its kind in \"op\"");
        if (opElement.ValueKind != JsonValueKind.String)
            throw Type($"{at}.op", "a string", opElement);
        string name = opElement.GetString()!;
        if (!CounterexampleJson.OperationTypes.TryGetValue(name, out var type))
            throw new CounterexampleFormatException($"{at}.op", $"unknown operation '{name}' (known: {string.Join(", ", CounterexampleJson.OperationTypes.Keys)})");
        var fields = CounterexampleJson.FieldsOf(type);
        foreach (var p in o.EnumerateObject())
            if (p.Name != "op" && !fields.Contains(p.Name, StringComparer.Ordinal))
                throw new CounterexampleFormatException($"{at}.{p.Name}", $"not a field of {name} (its fields: {(fields.Count == 0 ? "none" : string.Join(", ", fields))})");
        foreach (var f in fields)
        {
            if (!o.TryGetProperty(f, out var v))
            {
                if (CounterexampleJson.IsOptionalField(type, f))
                    continue; // e.g. "zone": absent means zone 0
                throw new CounterexampleFormatException($"{at}.{f}", $"missing: {name} needs {string.Join(", ", fields.Where(x => !CounterexampleJson.IsOptionalField(type, x)))}");
            }
            if (v.ValueKind == JsonValueKind.Null)
                throw new CounterexampleFormatException($"{at}.{f}", "must not be null");
            CheckFieldValue(v, $"{at}.{f}", CounterexampleJson.FieldTypeOf(type, f));
        }
        Operation op;
        try
        {
            op = JsonSerializer.Deserialize<Operation>(e.GetRawText(), CounterexampleJson.OperationOptions)
                ?? throw new CounterexampleFormatException(at, "must not be null");
        }
        catch (JsonException x)
        {
            string field = x.Path is { Length: > 2 } p && p.StartsWith("$.", StringComparison.Ordinal) ? $"{at}.{p[2..]}" : at;
            throw new CounterexampleFormatException(field, $"wrong type or value: {FirstSentence(x.Message)}");
        }
        catch (Exception x) when (x is NotSupportedException or InvalidOperationException or ArgumentException)
        {
            throw new CounterexampleFormatException(at, $"cannot be read as {name}: {FirstSentence(x.Message)}");
        }
        var family = Designs.Named(design).Family;
        if (family != DesignFamily.Aeration && op is StartAerator or BeginShutdown or WakeShutdown)
            throw new CounterexampleFormatException($"{at}.op", $"{name} needs an aeration design, and the file's design is '{design}'");
        if (family == DesignFamily.Buddy && op is StepWorker or StepHost)
            throw new CounterexampleFormatException($"{at}.op", $"{name} needs a hinting design (v1 or reporting), and the file's design is '{design}'");
        if (family != DesignFamily.Reporting && op is RegisterReporting or UnregisterReporting or StepUnregister or AdvanceClock or FreezeGuest or RestoreGuest or SetReportingOrder)
            throw new CounterexampleFormatException($"{at}.op", $"{name} needs a version of the merged design (reporting...), and the file's design is '{design}'");
        if (op is AdvanceClock { Jiffies: < 0 })
            throw new CounterexampleFormatException($"{at}.jiffies", "time does not run backwards: jiffies must be 0 or more");
        switch (op)
        {
            case AllocPages a:
                if (a.Order < 0 || a.Order >= config.MaxOrder)
                    throw new CounterexampleFormatException($"{at}.order", $"{a.Order} is out of range 0..{config.MaxOrder - 1}");
                if (!Enum.IsDefined(a.Mt) || (int)a.Mt >= MigrateTypes.PcpTypes)
                    throw new CounterexampleFormatException($"{at}.mt", $"{a.Mt} is not a migratetype an allocation may ask for (Unmovable, Movable, Reclaimable)");
                break;
            case SetPageblockMigratetype s when !Enum.IsDefined(s.Mt):
                throw new CounterexampleFormatException($"{at}.mt", $"{s.Mt} is not a migratetype");
        }
        // A zone index is read modulo the zones when the step runs; a file still names one that exists.
        if (op is AllocPages { Zone: var za } && (uint)za >= (uint)zones
            || op is SetPageblockMigratetype { Zone: var zs } && (uint)zs >= (uint)zones
            || op is IsolateFreePage { Zone: var zi } && (uint)zi >= (uint)zones
            || op is StartIsolatePageRange { Zone: var zw } && (uint)zw >= (uint)zones)
            throw new CounterexampleFormatException($"{at}.zone", $"out of range 0..{zones - 1} (the file's guest has {zones} zone{(zones == 1 ? "" : "s")})");
        return op;
    }

    private static ExpectedFailure ReadExpected(JsonElement e)
    {
        var x = Obj(e, "expected");
        Only(x, "expected.", ExpectedFields);
        int step = IntIn(Required(x, "step", "expected."), "expected.step", 0, int.MaxValue);
        string invariant = NonEmptyString(Required(x, "invariant", "expected."), "expected.invariant");
        string message = NonEmptyString(Required(x, "message", "expected."), "expected.message");
        return new ExpectedFailure(step, invariant, message);
    }

    // ---- helpers: every one names the field it reads ----

    private static JsonElement Obj(JsonElement e, string at) =>
        e.ValueKind == JsonValueKind.Object ? e : throw Type(at, "an object", e);

    private static void Only(JsonElement obj, string prefix, string[] known)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in obj.EnumerateObject())
        {
            if (!known.Contains(p.Name, StringComparer.Ordinal))
                throw new CounterexampleFormatException($"{prefix}{p.Name}", $"unknown field (known here: {string.Join(", ", known)})");
            if (!seen.Add(p.Name))
                throw new CounterexampleFormatException($"{prefix}{p.Name}", "appears twice");
        }
    }

    private static JsonElement Required(JsonElement obj, string name, string prefix) =>
        Optional(obj, name) ?? throw new CounterexampleFormatException($"{prefix}{name}", "missing (required)");

    /// <summary>A present, non-null field.</summary>
    private static JsonElement? Optional(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    /// <summary>
    /// An operation's field has the kind of value its parameter takes, checked before the
    /// serializer sees it, so that the error names the field and the range in words.
    /// </summary>
    private static void CheckFieldValue(JsonElement v, string at, Type type)
    {
        if (type == typeof(int))
        {
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out double d) || d != Math.Floor(d))
                throw Type(at, "a whole number", v);
            if (!v.TryGetInt32(out _))
                throw new CounterexampleFormatException(at, $"{v.GetRawText()} is out of range {int.MinValue}..{int.MaxValue}");
        }
        else if (type.IsEnum && v.ValueKind != JsonValueKind.String)
        {
            throw Type(at, $"a name ({string.Join(", ", Enum.GetNames(type))})", v);
        }
    }

    private static int Int(JsonElement e, string at) =>
        e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int v) ? v : throw Type(at, "a 32-bit integer", e);

    private static int IntIn(JsonElement e, string at, int min, int max)
    {
        int v = Int(e, at);
        if (v < min || v > max)
            throw new CounterexampleFormatException(at, $"{v} is out of range {min}..{max}");
        return v;
    }

    private static bool Bool(JsonElement e, string at) => e.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw Type(at, "true or false", e),
    };

    private static string? OptString(JsonElement obj, string name, string at) =>
        Optional(obj, name) is { } v ? (v.ValueKind == JsonValueKind.String ? v.GetString() : throw Type(at, "a string", v)) : null;

    private static string NonEmptyString(JsonElement e, string at)
    {
        if (e.ValueKind != JsonValueKind.String)
            throw Type(at, "a string", e);
        string s = e.GetString()!;
        return s.Length > 0 ? s : throw new CounterexampleFormatException(at, "must not be empty");
    }

    private static string KnownDesign(JsonElement e, string at)
    {
        if (e.ValueKind != JsonValueKind.String)
            throw Type(at, "a design name", e);
        string name = e.GetString()!;
        return Designs.IsKnown(name) ? name : throw new CounterexampleFormatException(at, $"unknown design '{name}' (known: {string.Join(", ", Designs.Names)})");
    }

    private static CounterexampleFormatException Type(string at, string expected, JsonElement found) =>
        new(at, $"expected {expected}, found {Describe(found)}");

    private static string Describe(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"the string \"{Shorten(e.GetString()!)}\"",
        JsonValueKind.Number => $"the number {Shorten(e.GetRawText())}",
        JsonValueKind.True or JsonValueKind.False => e.GetRawText(),
        _ => "null",
    };

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "...";

    /// <summary>Run a model validator and turn its ArgumentException into a field error.</summary>
    private static void Check(Action validate, string prefix, Func<string?, string?> fieldOf)
    {
        try
        {
            validate();
        }
        catch (ArgumentException x)
        {
            string field = fieldOf(x.ParamName) is { } f ? $"{prefix}.{f}" : prefix;
            string message = x.Message;
            int paren = message.LastIndexOf(" (Parameter", StringComparison.Ordinal);
            throw new CounterexampleFormatException(field, paren > 0 ? message[..paren] : message);
        }
    }

    private static string? ZoneFieldOf(string? param) => param switch
    {
        nameof(ZoneConfig.NrPages) => "nrPages",
        nameof(ZoneConfig.StartPfn) => "startPfn",
        nameof(ZoneConfig.MaxOrder) => "maxOrder",
        nameof(ZoneConfig.PageblockOrder) => "pageblockOrder",
        nameof(ZoneConfig.MinWatermarkPages) => "minWatermarkPages",
        _ => null,
    };

    private static string? AerationFieldOf(string? param) => param switch
    {
        nameof(AeratorConfig.MinOrder) => "minOrder",
        nameof(AeratorConfig.Hwm) => "hwm",
        nameof(AeratorConfig.Capacity) => "capacity",
        _ => null,
    };

    private static string FirstSentence(string message)
    {
        int i = message.IndexOf(". ", StringComparison.Ordinal);
        return i > 0 ? message[..(i + 1)] : message;
    }
}
