using Rendering;
using Snapshooter.Xunit;
using Xunit;

namespace Cli.Tests;

/// <summary>
/// The text rendering of a schedule story (StoryTextRenderer) on a handmade story of the
/// shutdown race: the lanes are columns, each event's text stands in its lane's column, a lock
/// hold is marked from its Lock row to its Unlock row and not after, the preemption and the
/// violation are marked, the output is a pure function of the story (and of its JSON).
/// </summary>
public sealed class StoryRenderingTests
{
    public const string FreePath = "free path 1", Shutdown = "shutdown", Worker = "worker", Host = "host";

    /// <summary>
    /// The late notify of the shutdown race: free path 1 bumps refcnt under zone->lock and is
    /// preempted before queue_work(); shutdown clears a_dev_info; the worker, started by the late
    /// queue_work(), takes zone->lock (and never releases it) and dereferences a_dev_info.
    /// </summary>
    public static ScheduleStory Sample { get; } = new(
        Scenario: "shutdown-vs-late-notify",
        Trace: "/tmp/traces/shutdown-vs-late-notify.trace",
        Lanes: [FreePath, Shutdown, Worker, Host],
        Events:
        [
            new(0, Host, StoryEventKind.Event, "virtio-balloon probed: a_dev_info published"),
            new(1, FreePath, StoryEventKind.Lock, "took zone->lock"),
            new(1, FreePath, StoryEventKind.Event, "static_key_false() answered true"),
            new(2, Shutdown, StoryEventKind.Event, "static_branch_disable(&aerator_notify_enabled)"),
            new(3, FreePath, StoryEventKind.Event, "__aerator_notify: refcnt 0 -> 1"),
            new(3, FreePath, StoryEventKind.Unlock, "released zone->lock"),
            new(3, FreePath, StoryEventKind.Preempted, "before queue_work()"),
            new(4, Shutdown, StoryEventKind.Event, "cancel_work_sync(): nothing queued"),
            new(5, Shutdown, StoryEventKind.Event, "a_dev_info = NULL"),
            new(6, FreePath, StoryEventKind.Event, "queue_work(aerator_work)"),
            new(7, Worker, StoryEventKind.Lock, "took zone->lock"),
            new(7, Worker, StoryEventKind.Event, "aerator_cycle: reads a_dev_info"),
            new(8, Worker, StoryEventKind.Violation, "Device lifetime violated: the worker dereferenced a_dev_info after shutdown set it to NULL"),
        ],
        Preemptions: 1,
        SchedulingSteps: 9,
        Invariant: "DeviceLifetime",
        Bug: "aerator_shutdown() does not wait for a notify that already raised refcnt");

    /// <summary>The table, parsed back: the header, where each lane's column is, and each event's lines.</summary>
    private sealed record Table(string Header, int[] Separators, int[] TextAt, List<List<string>> Rows, string[] Lines);

    private static Table Parse(string text)
    {
        var lines = text.Split('\n');
        int h = Array.FindIndex(lines, l => l.StartsWith("step ", StringComparison.Ordinal));
        Assert.True(h >= 0, "no header row");
        string header = lines[h];
        Assert.StartsWith("-----+", lines[h + 1], StringComparison.Ordinal);
        var seps = Enumerable.Range(0, header.Length).Where(i => header[i] == '|').ToArray();
        Assert.Equal(Sample.Lanes.Count, seps.Length);
        var textAt = new int[seps.Length];
        for (int k = 0; k < seps.Length; k++)
            textAt[k] = header.IndexOf(Sample.Lanes[k], seps[k], StringComparison.Ordinal);
        // An event's first line has its step number; continuation lines have a blank step column.
        var rows = new List<List<string>>();
        int i = h + 2;
        for (; i < lines.Length && lines[i].Length > 0; i++)
        {
            if (!string.IsNullOrWhiteSpace(lines[i][..seps[0]]))
                rows.Add([]);
            rows[^1].Add(lines[i]);
        }
        return new Table(header, seps, textAt, rows, lines);
    }

    /// <summary>The text of lane k's cell on a line (after the mark slot), trimmed.</summary>
    private static string Cell(Table t, string line, int k)
    {
        int from = t.TextAt[k], to = k + 1 < t.Separators.Length ? t.Separators[k + 1] : int.MaxValue;
        if (line.Length <= from)
            return "";
        return line[from..Math.Min(to, line.Length)].Trim();
    }

    private static char Mark(Table t, string line, int k) => line.Length > t.Separators[k] + 1 ? line[t.Separators[k] + 1] : ' ';

    [Fact]
    public void Story_header_names_the_scenario_the_trace_and_the_counts()
    {
        string text = StoryTextRenderer.Render(Sample);
        var lines = text.Split('\n');
        Assert.Equal("Schedule story: shutdown-vs-late-notify", lines[0]);
        Assert.Equal("trace: shutdown-vs-late-notify.trace", lines[1]);
        Assert.Equal("1 preemption, 9 scheduling steps", lines[2]);
        Assert.Contains("invariant: DeviceLifetime", lines, StringComparer.Ordinal);
        Assert.Contains("bug: " + Sample.Bug, lines, StringComparer.Ordinal);
        Assert.Contains(StoryTextRenderer.Legend, lines, StringComparer.Ordinal);
        Assert.DoesNotContain(text, c => c > 127);
    }

    [Fact]
    public void Story_lanes_are_columns_of_the_header_row()
    {
        var t = Parse(StoryTextRenderer.Render(Sample));
        for (int k = 0; k < Sample.Lanes.Count; k++)
        {
            Assert.True(t.TextAt[k] > t.Separators[k], $"lane {Sample.Lanes[k]} is not in its column of the header: {t.Header}");
            Assert.True(k + 1 == t.Separators.Length || t.TextAt[k] + Sample.Lanes[k].Length < t.Separators[k + 1]);
        }
        Assert.Equal(Sample.Events.Count, t.Rows.Count);
    }

    [Fact]
    public void Story_event_texts_stand_in_their_lanes_columns()
    {
        var t = Parse(StoryTextRenderer.Render(Sample));
        for (int i = 0; i < Sample.Events.Count; i++)
        {
            var e = Sample.Events[i];
            int lane = Sample.Lanes.ToList().IndexOf(e.Lane);
            var row = t.Rows[i];
            // The first line: the step number on the left, the text starting at the lane's offset.
            Assert.Equal(e.Step.ToString(System.Globalization.CultureInfo.InvariantCulture), row[0][..t.Separators[0]].Trim());
            string display = StoryTextRenderer.Display(e);
            string start = display[..Math.Min(display.Length, 12)];
            Assert.True(row[0].Length > t.TextAt[lane] && row[0][t.TextAt[lane]..].StartsWith(start, StringComparison.Ordinal),
                $"event {i} ({e.Text}) does not start at column {t.TextAt[lane]} of lane {e.Lane}:\n{row[0]}");
            Assert.Equal(' ', row[0][t.TextAt[lane] - 1]);
            // Every line of the row: the text (wrapped) only in its lane's column, the others empty.
            // (A word longer than the column is cut across lines, so compare without the spaces.)
            Assert.Equal(NoSpaces(display), NoSpaces(string.Concat(row.Select(l => Cell(t, l, lane)))));
            foreach (var line in row)
                for (int k = 0; k < Sample.Lanes.Count; k++)
                    if (k != lane)
                        Assert.Equal("", Cell(t, line, k));
        }
        // A long kernel name is cut after its punctuation, not in the middle of a word.
        int shutdown = Sample.Lanes.ToList().IndexOf(Shutdown);
        var disable = t.Rows[3].Select(l => Cell(t, l, shutdown)).ToList();
        Assert.Equal(["static_branch_disable(", "&aerator_notify_enabled)"], disable);
        // The long violation text is wrapped within the worker's column, not past it.
        int worker = Sample.Lanes.ToList().IndexOf(Worker);
        Assert.True(t.Rows[^1].Count > 1, "the violation's long text was not wrapped");
        Assert.All(t.Rows[^1], l => Assert.True(Cell(t, l, worker).Length <= StoryTextRenderer.MaxColumnWidth, l));
        Assert.Equal(t.TextAt[worker] + StoryTextRenderer.MaxColumnWidth + 1, t.Separators[worker + 1]);
    }

    [Fact]
    public void Story_lock_bar_lasts_from_the_lock_row_to_the_unlock_row()
    {
        var t = Parse(StoryTextRenderer.Render(Sample));
        var events = Sample.Events.ToList();
        int free = 0, worker = 2;
        int freeLock = events.FindIndex(e => e.Lane == FreePath && e.Kind == StoryEventKind.Lock);
        int freeUnlock = events.FindIndex(e => e.Lane == FreePath && e.Kind == StoryEventKind.Unlock);
        int workerLock = events.FindIndex(e => e.Lane == Worker && e.Kind == StoryEventKind.Lock);
        Assert.True(freeLock >= 0 && freeUnlock > freeLock + 1 && workerLock > freeUnlock);
        for (int i = 0; i < t.Rows.Count; i++)
            foreach (var line in t.Rows[i])
            {
                bool freeHolds = i >= freeLock && i <= freeUnlock;
                Assert.True((Mark(t, line, free) == StoryTextRenderer.HoldMark) == freeHolds,
                    $"row {i}: free path 1's lock bar {(freeHolds ? "missing" : "drawn after the unlock or before the lock")}:\n{line}");
                // The worker never unlocks: its bar runs to the end of the table.
                Assert.True((Mark(t, line, worker) == StoryTextRenderer.HoldMark) == (i >= workerLock), $"row {i}: worker's lock bar:\n{line}");
                Assert.Equal(' ', Mark(t, line, 1));
                Assert.Equal(' ', Mark(t, line, 3));
            }
    }

    [Fact]
    public void Story_preemption_is_marked_in_its_lane()
    {
        var t = Parse(StoryTextRenderer.Render(Sample));
        int i = Sample.Events.ToList().FindIndex(e => e.Kind == StoryEventKind.Preempted);
        Assert.StartsWith(">> preempted: before queue_work()", t.Rows[i][0][t.TextAt[0]..], StringComparison.Ordinal);
        Assert.Single(t.Rows.SelectMany(r => r), l => l.Contains(">> preempted", StringComparison.Ordinal));
    }

    [Fact]
    public void Story_violation_is_the_last_row_and_named_under_the_table()
    {
        string text = StoryTextRenderer.Render(Sample);
        var t = Parse(text);
        Assert.StartsWith("!! Device lifetime violated:", t.Rows[^1][0][t.TextAt[2]..], StringComparison.Ordinal);
        Assert.Single(t.Rows, r => r.Any(l => l.Contains("!! ", StringComparison.Ordinal)));
        // After the table: one blank line, the violation line, the end.
        string[] tail = [.. t.Lines.SkipWhile(l => !l.StartsWith("step ", StringComparison.Ordinal)).Skip(2 + t.Rows.Sum(r => r.Count))];
        Assert.Equal(["", "the violation: DeviceLifetime: " + Sample.Bug, ""], tail);
        Assert.EndsWith("the violation: DeviceLifetime: aerator_shutdown() does not wait for a notify that already raised refcnt\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Story_rendering_is_the_same_for_the_same_story_and_after_a_json_round_trip()
    {
        string once = StoryTextRenderer.Render(Sample);
        Assert.Equal(once, StoryTextRenderer.Render(Sample));
        var back = ScheduleStory.FromJson(Sample.ToJson());
        Assert.Equal(once, StoryTextRenderer.Render(back));
        Assert.Equal(StorySvgRenderer.Render(Sample), StorySvgRenderer.Render(back));
        Assert.Equal(StorySvgRenderer.Render(Sample), StorySvgRenderer.Render(Sample));
    }

    [Fact]
    public void Story_text_longer_than_its_lines_is_cut_with_an_ellipsis()
    {
        string word = string.Concat(Enumerable.Repeat("refcnt ", 60));
        var story = Sample with { Events = [new(0, Host, StoryEventKind.Event, word), new(1, Host, StoryEventKind.Event, new string('x', 80))] };
        var t = Parse(StoryTextRenderer.Render(story));
        Assert.Equal(StoryTextRenderer.MaxLines, t.Rows[0].Count);
        Assert.EndsWith(StoryTextRenderer.Ellipsis, t.Rows[0][^1], StringComparison.Ordinal);
        Assert.All(t.Rows.SelectMany(r => r), l => Assert.True(Cell(t, l, 3).Length <= StoryTextRenderer.MaxColumnWidth, l));
        // A word longer than the column is cut across lines, not lost.
        Assert.Equal(new string('x', 80), string.Concat(t.Rows[1].Select(l => Cell(t, l, 3))));
    }

    [Fact]
    public void Story_without_a_violation_or_with_an_unlisted_lane_still_renders()
    {
        var story = new ScheduleStory("empty", "a.trace", [Host], [new(3, "free path 2", StoryEventKind.Lock, "")], 0, 1, null, null);
        string text = StoryTextRenderer.Render(story);
        Assert.Contains("0 preemptions, 1 scheduling step\n", text, StringComparison.Ordinal);
        Assert.Contains("invariant: none\n", text, StringComparison.Ordinal);
        Assert.EndsWith("\nno violation in this story\n", text, StringComparison.Ordinal);
        // The unlisted lane gets a column after the listed ones; the hold runs to the end.
        Assert.Matches(@"(?m)^step \|  host +\|  free path 2$", text);
        Assert.Matches(@"(?m)^   3 \| +\|# took zone->lock$", text);
        string html = StorySvgRenderer.Render(story);
        Assert.Equal(1, CountOf(html, "<rect class=\"lock-hold\""));
        Assert.DoesNotContain("class=\"violation\"", html, StringComparison.Ordinal);
        Assert.Contains(">no violation in this story</p>", html, StringComparison.Ordinal);
        Assert.Equal(StoryTextRenderer.Render(new ScheduleStory("none", "b.trace", [], [], 0, 0, null, null)),
            StoryTextRenderer.Render(new ScheduleStory("none", "b.trace", [], [], 0, 0, null, null)));
    }

    [Fact]
    public void Story_text_rendering_snapshot()
    {
        Snapshot.Match(StoryTextRenderer.Render(Sample));
    }

    [Fact]
    public void Story_html_has_no_script_one_bar_per_hold_the_preemption_the_violation_and_every_lane()
    {
        string html = StorySvgRenderer.Render(Sample);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        Assert.Equal(1, CountOf(html, "<svg "));
        // Two holds: free path 1's (Lock to Unlock) and the worker's (never released).
        Assert.Equal(2, CountOf(html, "<rect class=\"lock-hold\""));
        Assert.Contains($"fill=\"{StorySvgRenderer.LockHoldColour}\"><title>free path 1 holds zone-&gt;lock, to its Unlock row</title>", html, StringComparison.Ordinal);
        Assert.Contains("<title>worker holds zone-&gt;lock, to the end: never released</title>", html, StringComparison.Ordinal);
        Assert.Equal(1, CountOf(html, "<g class=\"preempted\">"));
        Assert.Contains($"stroke=\"{StorySvgRenderer.PreemptedColour}\"", html, StringComparison.Ordinal);
        Assert.Contains(">preempted</text>", html, StringComparison.Ordinal);
        Assert.Equal(1, CountOf(html, "class=\"violation\""));
        Assert.Matches("<rect class=\"violation\" [^>]*fill=\"#e00000\"", html);
        Assert.Equal(HtmlRenderer.ViolationColour, StorySvgRenderer.ViolationColour);
        foreach (var lane in Sample.Lanes)
            Assert.Matches($"<text class=\"lane-name\" [^>]*>{System.Text.RegularExpressions.Regex.Escape(lane)}</text>", html);
        // Kernel text is escaped, and the verdict follows the picture.
        Assert.Contains("refcnt 0 -&gt; 1", html, StringComparison.Ordinal);
        Assert.Contains("static_branch_disable(&amp;aerator_notify_enabled)", html, StringComparison.Ordinal);
        Assert.True(html.IndexOf("id=\"verdict\"", StringComparison.Ordinal) > html.IndexOf("</svg>", StringComparison.Ordinal));
        Assert.Contains("the violation: DeviceLifetime: aerator_shutdown() does not wait", html, StringComparison.Ordinal);
    }

    private static string NoSpaces(string s) => string.Concat(s.Where(c => c != ' '));

    internal static int CountOf(string text, string part)
    {
        int n = 0;
        for (int i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal))
            n++;
        return n;
    }
}
