namespace BuddyModel;

/// <summary>
/// Every branch of the model that guards a kernel rule: a merge refused, a watermark that
/// refuses, a block skipped, a boundary moved, a request suppressed, a putback flag honoured,
/// and so on. A model counts a rule (RuleReach.Hit) only where the branch is taken AND changes
/// what happens: a screen counts when it alone stopped a notification (the later screens would
/// have let it through), a placement rule when the block would have gone elsewhere without it,
/// a skip when there was something to skip. A check that never reaches a rule with effect
/// proves nothing about it; `check` prints these counts and a test asserts each is reached.
///
/// [Guard] names the kernel function; [Unreached] marks a rule this model cannot reach, with
/// the reason (the test asserts it stays unreached, so that the reason stays true).
/// One enum for the allocator and both hinting designs, so that one counter serves a system.
/// </summary>
public enum GuardedRule
{
    // ---- mm/page_alloc.c: __free_one_page ----

    /// <summary>__free_one_page / page_is_buddy: the buddy is not free (allocated, or not a block head): no merge.</summary>
    [Guard("__free_one_page")] MergeBuddyNotFree,
    /// <summary>__free_one_page / page_is_buddy: the buddy is held off the lists (isolated, in a batch or a report): no merge.</summary>
    [Guard("__free_one_page")] MergeBuddyHeld,
    /// <summary>__free_one_page / page_is_buddy: the buddy is free but of a lower order (split): no merge.</summary>
    [Guard("__free_one_page")] MergeBuddyOtherOrder,
    /// <summary>__free_one_page / page_is_buddy (pfn_valid_within, zone span): the buddy lies outside the zone.</summary>
    [Guard("__free_one_page")]
    [Unreached("a zone holds whole MAX_ORDER-1 blocks (ZoneConfig.Validate) and merging stops below MAX_ORDER-1, so every buddy lies inside the zone")]
    MergeBuddyOutsideZone,
    /// <summary>__free_one_page: merging stops at MAX_ORDER-1 although the buddy of that order is free.</summary>
    [Guard("__free_one_page")] MergeCappedAtMaxOrder,
    /// <summary>__free_one_page: above pageblock_order an isolated and a non-isolated pageblock do not merge, the buddy being free (reached where isolation is per pageblock: the 6.10 allocator of reporting, and the isolation walk).</summary>
    [Guard("__free_one_page")]
    MergeRefusedByIsolation,
    /// <summary>__free_one_page / buddy_merge_likely: the next-higher buddy is free, so the block goes to the tail.</summary>
    [Guard("buddy_merge_likely")] PlaceTailMergeLikely,
    /// <summary>buddy_merge_likely: order >= MAX_ORDER-2 answers false although the higher buddy is free (head).</summary>
    [Guard("buddy_merge_likely")] MergeLikelyCappedBelowMaxOrder,
    /// <summary>__free_one_page / shuffle_pick_tail: at the shuffle order the shuffler picked the tail.</summary>
    [Guard("shuffle_pick_tail")] PlaceTailShuffle,
    /// <summary>__free_one_page (5.10): FPI_TO_TAIL places at the tail a block that would have gone to the head.</summary>
    [Guard("__free_one_page")] PlaceTailFpiToTail,
    /// <summary>__free_one_page (v1, aerated = true): a block back from the host goes to the tail (the boundary), not the head.</summary>
    [Guard("__free_one_page")] PlaceTailHinted,

    // ---- mm/page_alloc.c: allocation ----

    /// <summary>__rmqueue_smallest: no block of the requested order on the list; a larger one is split by expand().</summary>
    [Guard("__rmqueue_smallest")] AllocSplitLargerBlock,
    /// <summary>__rmqueue: no block of the migratetype at any order; __rmqueue_fallback steals from another type.</summary>
    [Guard("__rmqueue_fallback")] AllocFallbackSteals,
    /// <summary>__rmqueue_fallback / find_suitable_fallback: no fallback type has a block: the allocation fails.</summary>
    [Guard("__rmqueue_fallback")] AllocFallbackFindsNothing,
    /// <summary>__rmqueue_fallback: a movable request that may not steal the pageblock takes the smallest block, not the largest.</summary>
    [Guard("__rmqueue_fallback")] FallbackMovableTakesSmallest,
    /// <summary>steal_suitable_fallback: a block of at least pageblock_order retypes all its pageblocks (change_pageblock_range).</summary>
    [Guard("steal_suitable_fallback")] StealPageblockRange,
    /// <summary>steal_suitable_fallback: enough free or alike pages: the pageblock is claimed for the new type.</summary>
    [Guard("steal_suitable_fallback")] StealClaimsPageblock,
    /// <summary>steal_suitable_fallback: the pageblock's free blocks move, but too few are free or alike to claim it.</summary>
    [Guard("steal_suitable_fallback")] StealPageblockNotClaimed,
    /// <summary>steal_suitable_fallback / can_steal_fallback: the pageblock may not be stolen: only this block moves.</summary>
    [Guard("can_steal_fallback")] StealSingleBlock,
    /// <summary>steal_suitable_fallback: move_freepages_block moved nothing, so only this block moves (single_page).</summary>
    [Guard("steal_suitable_fallback")]
    [Unreached("the stolen block is itself free in its pageblock and the model's zone holds whole pageblocks, so move_freepages_block moves at least it")]
    StealMovedNothing,

    // ---- isolation, pageblocks, free lists (5.2 with the 5.7/5.10 changes) ----

    /// <summary>__isolate_free_page: the zone would drop to its min watermark: refused.</summary>
    [Guard("__isolate_free_page")] IsolateRefusedByWatermark,
    /// <summary>__isolate_free_page: a block of an ISOLATE pageblock is taken with no watermark check and no NR_FREE_PAGES change.</summary>
    [Guard("__isolate_free_page")] IsolateFromIsolatedPageblock,
    /// <summary>__isolate_free_page: a block of at least half a pageblock turns its pageblock(s) MOVABLE.</summary>
    [Guard("__isolate_free_page")] IsolateRetypesPageblock,
    /// <summary>__isolate_free_page: ... except an ISOLATE pageblock, which keeps its type.</summary>
    [Guard("__isolate_free_page")] IsolateKeepsIsolatedPageblock,
    /// <summary>unset_migratetype_isolate: a free block of at least pageblock_order is freed again and merges with its buddy (reached where isolation is per pageblock).</summary>
    [Guard("unset_migratetype_isolate")]
    UnisolateFreesToMerge,
    /// <summary>del_page_from_free_list (5.7+): a reported block leaving its list loses PG_reported.</summary>
    [Guard("del_page_from_free_list")] DelClearsReported,
    /// <summary>move_to_free_list (5.10+): a moved block goes to the tail of a non-empty list.</summary>
    [Guard("move_to_free_list")] MoveToTail,

    // ---- v1 aerator (mm/aeration.c of the June 2019 series) ----

    /// <summary>aerator_get_tail: zone ACTIVE, order >= MIN_ORDER: a tail insertion goes in above the aerated blocks.</summary>
    [Guard("aerator_get_tail")] AeratorTailAtBoundary,
    /// <summary>clear_page_aerated: an aerated block leaving its list loses its mark and leaves nr_free_aerated.</summary>
    [Guard("clear_page_aerated")] AeratedBlockLeftList,
    /// <summary>__aerator_del_from_boundary: the block that was the boundary left: the boundary moves to the next node.</summary>
    [Guard("__aerator_del_from_boundary")] BoundaryMovedOnDelete,
    /// <summary>__free_one_page (v1, aerated): a block back from the host that merged stays raw.</summary>
    [Guard("__free_one_page")] AeratedDrainMergedStaysRaw,
    /// <summary>aerator_notify_free: the static key is off (the only screen that stopped the notification).</summary>
    [Guard("aerator_notify_free")] AeratorNotifyKeyOff,
    /// <summary>aerator_notify_free: order below AERATOR_MIN_ORDER (the only screen that stopped it).</summary>
    [Guard("aerator_notify_free")] AeratorNotifyOrderBelowMin,
    /// <summary>aerator_notify_free: the zone is already REQUESTED (the only screen that stopped it).</summary>
    [Guard("aerator_notify_free")] AeratorNotifyAlreadyRequested,
    /// <summary>aerator_notify_free: fewer than HWM raw blocks of the order (the only screen that stopped it).</summary>
    [Guard("aerator_notify_free")] AeratorNotifyBelowHwm,
    /// <summary>__aerator_notify: refcnt was not 0, so the worker is not scheduled again.</summary>
    [Guard("__aerator_notify")] AeratorNotifyNoSchedule,
    /// <summary>aerator_fill: capacity blocks taken: the zone stays REQUESTED for another batch.</summary>
    [Guard("aerator_fill")] FillBudgetUsedUp,
    /// <summary>aerator_fill (fix): the MIGRATE_ISOLATE list is skipped although it holds blocks.</summary>
    [Guard("aerator_fill")] FillSkipsIsolate,
    /// <summary>aerator_fill (fix): the low watermark stops the fill while a raw block was there to take.</summary>
    [Guard("aerator_fill")] FillStopsAtLowWatermark,
    /// <summary>aerator_fill (fix): stopped by the watermark with blocks out: the zone stays REQUESTED.</summary>
    [Guard("aerator_fill")] FillKeepsRequested,
    /// <summary>get_aeration_page: the block above the boundary is aerated: take the list's first block instead.</summary>
    [Guard("get_aeration_page")] AerationPageTakesFirst,
    /// <summary>get_aeration_page: the whole list is aerated: it becomes the boundary, nothing is taken.</summary>
    [Guard("get_aeration_page")] AerationPageListAllAerated,
    /// <summary>aerator_populate_boundaries: the zone is already ACTIVE: the boundaries are kept (a reset would move one).</summary>
    [Guard("aerator_populate_boundaries")] PopulateKeepsBoundaries,
    /// <summary>put_aeration_page: with isolation about, the block goes to its pageblock's type, not the recorded one.</summary>
    [Guard("put_aeration_page")] DrainUsesPageblockType,
    /// <summary>aerator_startup: a device is already published: -EBUSY.</summary>
    [Guard("aerator_startup")] AeratorStartupBusy,
    /// <summary>aerator_cycle: a zone that is not REQUESTED is passed over (guests of several zones).</summary>
    [Guard("aerator_cycle")]
    CycleSkipsUnrequestedZone,
    /// <summary>aerator_scrub_zone: still REQUESTED after a drain: fill another batch.</summary>
    [Guard("aerator_scrub_zone")] ScrubAgainWhileRequested,
    /// <summary>aerator_cycle: other references held at the end of a pass: pass again.</summary>
    [Guard("aerator_cycle")] CyclePassAgain,
    /// <summary>aerator_cycle: the final atomic_cmpxchg(1 -> 0) fails (a notify in between): pass again.</summary>
    [Guard("aerator_cycle")]
    [Unreached("the sequential check runs the worker's end of pass in one step, so no notify can come between its read of refcnt and the cmpxchg; that interleaving is the concurrency stage's (Coyote), which is not counted")]
    CycleCmpxchgFails,
    /// <summary>aerator_shutdown: refcnt not yet 0: msleep(20) and look again.</summary>
    [Guard("aerator_shutdown")] ShutdownSleeps,
    /// <summary>virtballoon_validate (in v1-fixed's driver): page poisoning without PAGE_POISON: hinting not started.</summary>
    [Guard("virtballoon_validate")] HintingRefusedForPoison,

    // ---- merged design (mm/page_reporting.c, 5.7+) and its virtio side ----

    /// <summary>page_reporting_notify_free: the static branch is off (the only screen that stopped the notification).</summary>
    [Guard("page_reporting_notify_free")] ReportingNotifyKeyOff,
    /// <summary>page_reporting_notify_free: order below page_reporting_order (the only screen that stopped it).</summary>
    [Guard("page_reporting_notify_free")] ReportingNotifyOrderBelow,
    /// <summary>__page_reporting_notify: pr_dev_info is NULL (unregistered): no request.</summary>
    [Guard("__page_reporting_notify")] ReportingNotifyNoDevice,
    /// <summary>__page_reporting_request: the pass is ACTIVE: REQUESTED is set but the work is not scheduled (the pass sees it).</summary>
    [Guard("__page_reporting_request")] RequestDuringPass,
    /// <summary>__free_one_page (FPI_SKIP_REPORT_NOTIFY, 5.7+ putback): a free that would have notified does not.</summary>
    [Guard("__putback_isolated_page")] PutbackSkipsNotify,
    /// <summary>page_reporting_register: a device is registered already: -EBUSY.</summary>
    [Guard("page_reporting_register")]
    [Unreached("the harness models one virtio-balloon device, whose probe runs once per registration: register_reporting while one is registered is skipped before it reaches page_reporting_register")]
    RegisterBusy,
    /// <summary>page_reporting_register (2022+): a page_reporting_order set at boot or by sysfs wins over the driver's order.</summary>
    [Guard("page_reporting_register")] RegisterKeepsParameterOrder,
    /// <summary>page_reporting_register (2022+): the driver's order is out of range: pageblock_order instead.</summary>
    [Guard("page_reporting_register")] RegisterDriverOrderOutOfRange,
    /// <summary>page_reporting_order's set op (param_set_uint_minmax, 2022+): a value outside 0..MAX_ORDER-1 is -EINVAL.</summary>
    [Guard("param_set_uint_minmax")] OrderParameterRefused,
    /// <summary>page_reporting_process_zone: free pages not above low + (32 &lt;&lt; order): the zone is skipped.</summary>
    [Guard("page_reporting_process_zone")] ZoneBelowReportingGate,
    /// <summary>page_reporting_process_zone: the MIGRATE_ISOLATE list is skipped although it holds blocks.</summary>
    [Guard("page_reporting_process_zone")] ReportingSkipsIsolateList,
    /// <summary>page_reporting_cycle: a block already PageReported is passed over.</summary>
    [Guard("page_reporting_cycle")] CycleSkipsReported,
    /// <summary>page_reporting_cycle: the budget is spent: state REQUESTED, the cycle stops.</summary>
    [Guard("page_reporting_cycle")] CycleBudgetSpent,
    /// <summary>page_reporting_cycle: __isolate_free_page refused (watermark): the cycle stops.</summary>
    [Guard("page_reporting_cycle")] CycleStopsOnIsolateRefusal,
    /// <summary>page_reporting_cycle: the first unprocessed block is rotated to the list head (list_rotate_to_front).</summary>
    [Guard("page_reporting_cycle")] CycleRotatesList,
    /// <summary>page_reporting_process_zone: a leftover of fewer than 32 blocks is reported at the zone's end.</summary>
    [Guard("page_reporting_process_zone")] LeftoverReported,
    /// <summary>page_reporting_drain: a block that merged on its put-back is not marked PG_reported.</summary>
    [Guard("page_reporting_drain")] DrainMergedStaysUnreported,
    /// <summary>virtballoon_free_page_report: virtqueue_add_inbuf fails (ring full): report() fails and the blocks drain unreported.</summary>
    [Guard("virtballoon_free_page_report")]
    [Unreached("report() is the only user of reporting_vq and waits for each buffer, and probe refuses a ring smaller than PAGE_REPORTING_CAPACITY, so a chain of at most 32 descriptors always fits")]
    ReportFailsVirtqueueFull,
    /// <summary>page_reporting_process: the state was REQUESTED at the end of the pass: schedule the work again.</summary>
    [Guard("page_reporting_process")] PassEndsRequested,
    /// <summary>page_reporting_process: REQUESTED at the end, but cancel_delayed_work_sync holds the work: not scheduled.</summary>
    [Guard("page_reporting_process")] RescheduleRefusedByCancel,
    /// <summary>system_freezable_wq (2026): the work is due but the workqueue is frozen: it does not start.</summary>
    [Guard("freeze_workqueues_begin")] WorkHeldByFreeze,
    /// <summary>freeze_workqueues_busy (2026): the reporting work runs on a freezable workqueue: the freeze waits for it.</summary>
    [Guard("freeze_workqueues_busy")] FreezeWaitsForWork,
    /// <summary>page_reporting_unregister / cancel_delayed_work_sync: the work is running: unregister waits.</summary>
    [Guard("cancel_delayed_work_sync")] UnregisterWaitsForWork,
    /// <summary>page_reporting_unregister / synchronize_rcu: a notifier is inside its read-side section: unregister waits.</summary>
    [Guard("synchronize_rcu")]
    [Unreached("the sequential harness runs each free, notify included, inside one step, so no reader is ever inside a read-side section when unregister waits; the Coyote scenario reporting-unregister is where this wait happens")]
    UnregisterWaitsForRcu,
    /// <summary>virtballoon_validate (5.7 stable): page poisoning without PAGE_POISON: F_REPORTING is cleared.</summary>
    [Guard("virtballoon_validate")] ReportingRefusedForPoison,
    /// <summary>virtballoon_probe: reporting_vq smaller than PAGE_REPORTING_CAPACITY: -ENOSPC, no registration.</summary>
    [Guard("virtballoon_probe")] ProbeRingTooSmall,
    /// <summary>virtio_balloon_handle_report (QEMU): discards inhibited (VFIO, postcopy): acknowledged, not discarded.</summary>
    [Guard("virtio_balloon_handle_report")] HostSkipsDiscardInhibited,
    /// <summary>virtio_balloon_handle_report (QEMU): PAGE_POISON with a non-zero poison_val: acknowledged, not discarded.</summary>
    [Guard("virtio_balloon_handle_report")] HostSkipsPoisonVal,
    /// <summary>virtio_balloon_handle_report (QEMU): range not aligned to the host page size: acknowledged, not discarded.</summary>
    [Guard("virtio_balloon_handle_report")] HostSkipsUnaligned,
}
