using Specs;
using System.Text.Json.Serialization;
using BuddyModel;

namespace Harness.Operations;

/// <summary>
/// One step of the operation language that generated tests, counterexample files and the CLI
/// share. Arguments that pick a block ("the k-th live block") are read modulo the number of
/// candidates when the step runs, so every prefix or shrunk list of operations stays runnable;
/// a step with no candidate is skipped and says so in the log. An operation that picks a zone
/// (Zone: the index in the guest's ascending list of zones) reads it modulo the number of
/// zones; it is optional, 0 (the first zone) when absent, and written only when not 0, so
/// files of one zone read and write as before.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "op")]
[JsonDerivedType(typeof(AllocPages), "alloc_pages")]
[JsonDerivedType(typeof(FreePages), "free_pages")]
[JsonDerivedType(typeof(SetPageblockMigratetype), "set_pageblock_migratetype")]
[JsonDerivedType(typeof(IsolateFreePage), "isolate_free_page")]
[JsonDerivedType(typeof(PutbackIsolatedPage), "putback_isolated_page")]
[JsonDerivedType(typeof(StartAerator), "aerator_startup")]
[JsonDerivedType(typeof(BeginShutdown), "aerator_shutdown")]
[JsonDerivedType(typeof(StepWorker), "worker_step")]
[JsonDerivedType(typeof(StepHost), "host_step")]
[JsonDerivedType(typeof(WakeShutdown), "shutdown_step")]
[JsonDerivedType(typeof(RegisterReporting), "page_reporting_register")]
[JsonDerivedType(typeof(UnregisterReporting), "page_reporting_unregister")]
[JsonDerivedType(typeof(StepUnregister), "unregister_step")]
[JsonDerivedType(typeof(AdvanceClock), "advance_clock")]
[JsonDerivedType(typeof(FreezeGuest), "freeze")]
[JsonDerivedType(typeof(RestoreGuest), "restore")]
[JsonDerivedType(typeof(SetReportingOrder), "set_page_reporting_order")]
[JsonDerivedType(typeof(StartIsolatePageRange), "start_isolate_page_range")]
[JsonDerivedType(typeof(UndoIsolatePageRange), "undo_isolate_page_range")]
[JsonDerivedType(typeof(IsolationStep), "isolation_step")]
public abstract record Operation
{
    /// <summary>The step as a reviewer reads it in a numbered list.</summary>
    public abstract override string ToString();
}

/// <summary>
/// alloc_pages(order) of migratetype mt from zone number Zone; the result becomes the newest
/// live block. The zone is chosen by the operation, not by a zonelist walk: each choice is what
/// an allocation with the matching GFP zone modifier does (GFP_DMA, GFP_DMA32, or GFP_KERNEL
/// served by ZONE_NORMAL), and a GFP_KERNEL allocation that falls back from Normal to DMA32 ends
/// in the same state as an explicit one in DMA32 (the model's rmqueue has no watermark check to
/// pick the fallback by; see Zone.Allocate). The free and hinting paths see only the zone a
/// block came from, so explicit zones reach every state the fallback reaches.
/// </summary>
public sealed record AllocPages(int Order, MigrateType Mt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] int Zone = 0) : Operation
{
    public override string ToString() => $"alloc_pages(order {Order}, {MigrateTypes.Name(Mt)}{ZoneSuffix.Of(Zone)})";
}

/// <summary>How an operation names a zone other than the first in its text.</summary>
internal static class ZoneSuffix
{
    public static string Of(int zone) => zone == 0 ? "" : $", zone #{zone}";
}

/// <summary>__free_pages() of live block number Block (modulo the live blocks, oldest first).</summary>
public sealed record FreePages(int Block) : Operation
{
    public override string ToString() => $"__free_pages(live block #{Block})";
}

/// <summary>Set the migratetype of pageblock number Pageblock (modulo the pageblocks of zone number Zone), ISOLATE included.</summary>
public sealed record SetPageblockMigratetype(int Pageblock, MigrateType Mt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] int Zone = 0) : Operation
{
    public override string ToString() => $"set pageblock #{Pageblock}{ZoneSuffix.Of(Zone).Replace(",", " of", StringComparison.Ordinal)} to {MigrateTypes.Name(Mt)}";
}

/// <summary>__isolate_free_page() of free block number Block (modulo the free blocks of zone number Zone, in pfn order).</summary>
public sealed record IsolateFreePage(int Block,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] int Zone = 0) : Operation
{
    public override string ToString() => $"__isolate_free_page(free block #{Block}{ZoneSuffix.Of(Zone)})";
}

/// <summary>__putback_isolated_page() of isolated block number Block (modulo the isolated blocks, oldest first).</summary>
public sealed record PutbackIsolatedPage(int Block) : Operation
{
    public override string ToString() => $"__putback_isolated_page(isolated block #{Block})";
}

/// <summary>virtballoon_probe() with F_HINTING: the driver starts the aerator (aerator_startup) if it may.</summary>
public sealed record StartAerator : Operation
{
    public override string ToString() => "aerator_startup()";
}

/// <summary>virtballoon_remove(): aerator_shutdown() begins (static key off) and checks refcnt once.</summary>
public sealed record BeginShutdown : Operation
{
    public override string ToString() => "aerator_shutdown()";
}

/// <summary>The design's worker runs to its next sleeping point (v1: react's wait; merged: report()'s wait) or the end of a pass.</summary>
public sealed record StepWorker : Operation
{
    public override string ToString() => "worker step";
}

/// <summary>The host processes one available hinting or reporting buffer: drops (or skips) the ranges and returns the buffer.</summary>
public sealed record StepHost : Operation
{
    public override string ToString() => "host step";
}

/// <summary>aerator_shutdown()'s msleep(20) loop wakes once and checks refcnt.</summary>
public sealed record WakeShutdown : Operation
{
    public override string ToString() => "shutdown wakes";
}

/// <summary>virtballoon_probe() with F_REPORTING (merged design): validate features, create reporting_vq, page_reporting_register().</summary>
public sealed record RegisterReporting : Operation
{
    public override string ToString() => "page_reporting_register()";
}

/// <summary>virtballoon_remove(): page_reporting_unregister() clears the pointer and goes as far as it can (synchronize_rcu, cancel_delayed_work_sync).</summary>
public sealed record UnregisterReporting : Operation
{
    public override string ToString() => "page_reporting_unregister()";
}

/// <summary>page_reporting_unregister() waits on: it goes on as far as it can.</summary>
public sealed record StepUnregister : Operation
{
    public override string ToString() => "unregister goes on";
}

/// <summary>Time passes: the virtual clock advances by Jiffies (HZ=250; PAGE_REPORTING_DELAY is 500).</summary>
public sealed record AdvanceClock(int Jiffies) : Operation
{
    public override string ToString() => $"{Jiffies} jiffies pass";
}

/// <summary>Hibernation begins: the freezable workqueues freeze, then virtballoon_freeze() deletes the virtqueues.</summary>
public sealed record FreezeGuest : Operation
{
    public override string ToString() => "freeze (virtballoon_freeze)";
}

/// <summary>Resume: virtballoon_restore() re-creates the virtqueues, then the workqueues thaw.</summary>
public sealed record RestoreGuest : Operation
{
    public override string ToString() => "restore (virtballoon_restore)";
}

/// <summary>A write of Value to /sys/module/page_reporting/parameters/page_reporting_order (5.14+).</summary>
public sealed record SetReportingOrder(int Value) : Operation
{
    public override string ToString() => $"page_reporting_order := {Value}";
}

/// <summary>
/// alloc_contig_range() calls start_isolate_page_range() on Pageblocks pageblocks from pageblock
/// number Pageblock (the first modulo the zone's pageblocks, the count modulo those left, at
/// least one); the range is aligned as the zone's era aligns it. Nothing is isolated until the
/// walk takes its isolation_steps; skipped while another walk is under way.
/// </summary>
public sealed record StartIsolatePageRange(int Pageblock, int Pageblocks,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] int Zone = 0) : Operation
{
    public override string ToString() => $"start_isolate_page_range(pageblock #{Pageblock}{ZoneSuffix.Of(Zone).Replace(",", " of", StringComparison.Ordinal)}, {Pageblocks} pageblock(s))";
}

/// <summary>undo_isolate_page_range() of isolated range number Range (modulo the ranges a finished start isolated, oldest first), one isolation_step per pageblock.</summary>
public sealed record UndoIsolatePageRange(int Range) : Operation
{
    public override string ToString() => $"undo_isolate_page_range(isolated range #{Range})";
}

/// <summary>The isolation walk under way takes its next zone->lock hold (a set_migratetype_isolate, unset_migratetype_isolate or split_free_page), or returns.</summary>
public sealed record IsolationStep : Operation
{
    public override string ToString() => "isolation walk step";
}
