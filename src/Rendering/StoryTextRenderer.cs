using System.Globalization;
using System.Text;

namespace Rendering;

/// <summary>
/// Draws a <see cref="ScheduleStory"/> as plain ASCII text for a terminal: a header (scenario,
/// trace file, preemptions and scheduling steps, the invariant and the bug), a legend, then a
/// table with a step column and one column per lane, one row per event in the order they
/// happened. An event's text stands in its lane's column (wrapped at word boundaries within
/// the column, continuation lines in the same column); a lane that holds zone->lock has a
/// <see cref="HoldMark"/> at the left edge of its column on every line from its Lock row to its
/// Unlock row (to the end of the table if it never unlocks); a preemption reads
/// "&gt;&gt; preempted"; the violation reads "!! " and its text. Under the table one line names
/// the violation. A pure function of the story: the same story gives the same string.
/// </summary>
public static class StoryTextRenderer
{
    /// <summary>The widest a lane's column grows (in characters); longer text is wrapped.</summary>
    public const int MaxColumnWidth = 34;

    /// <summary>An event wraps to at most this many lines; what is left over ends in <see cref="Ellipsis"/>.</summary>
    public const int MaxLines = 6;

    /// <summary>What a truncated line ends with (ASCII, like the rest of the table).</summary>
    public const string Ellipsis = "...";

    /// <summary>The mark at the left edge of a lane's column while the lane holds zone->lock.</summary>
    public const char HoldMark = '#';

    public const string PreemptedPrefix = ">> ";
    public const string ViolationPrefix = "!! ";

    public const string Legend = "legend: # = the task holds zone->lock (from its Lock row to its Unlock row), >> = the task was preempted (switched out while it could have gone on), !! = the violation; one column per task, rows in the order they happened";

    public static string Render(ScheduleStory story)
    {
        ArgumentNullException.ThrowIfNull(story);
        var lanes = LanesOf(story);
        var sb = new StringBuilder();
        sb.Append("Schedule story: ").Append(story.Scenario).Append('\n');
        sb.Append("trace: ").Append(FileName(story.Trace)).Append('\n');
        sb.Append(Counts(story)).Append('\n');
        sb.Append("invariant: ").Append(story.Invariant ?? "none").Append('\n');
        if (story.Bug is not null)
            sb.Append("bug: ").Append(story.Bug).Append('\n');
        sb.Append(Legend).Append('\n');
        sb.Append('\n');

        // The columns: the step numbers, then per lane a mark slot, a space and the text.
        int maxStep = story.Events.Count == 0 ? 0 : story.Events.Max(e => e.Step);
        int stepWidth = Math.Max(4, maxStep.ToString(CultureInfo.InvariantCulture).Length);
        var widths = new int[lanes.Count];
        for (int k = 0; k < lanes.Count; k++)
        {
            int longest = story.Events.Where(e => e.Lane == lanes[k]).Select(e => Display(e).Length).DefaultIfEmpty(0).Max();
            widths[k] = Math.Max(lanes[k].Length, Math.Min(MaxColumnWidth, longest));
        }

        var header = new StringBuilder().Append("step".PadLeft(stepWidth)).Append(' ');
        var rule = new StringBuilder().Append('-', stepWidth + 1);
        for (int k = 0; k < lanes.Count; k++)
        {
            header.Append("|  ").Append(lanes[k].PadRight(widths[k])).Append(' ');
            rule.Append('+').Append('-', widths[k] + 3);
        }
        AppendLine(sb, header.ToString());
        AppendLine(sb, rule.ToString());

        // Which lanes hold zone->lock; a hold starts on its Lock row and lasts through its Unlock row.
        var holding = new bool[lanes.Count];
        foreach (var e in story.Events)
        {
            int lane = lanes.IndexOf(e.Lane);
            bool endsHold = false;
            if (e.Kind == StoryEventKind.Lock)
                holding[lane] = true;
            else if (e.Kind == StoryEventKind.Unlock)
                endsHold = holding[lane];
            var lines = Lines(e, widths[lane]);
            for (int i = 0; i < lines.Count; i++)
            {
                var row = new StringBuilder();
                row.Append(i == 0 ? e.Step.ToString(CultureInfo.InvariantCulture).PadLeft(stepWidth) : new string(' ', stepWidth)).Append(' ');
                for (int k = 0; k < lanes.Count; k++)
                {
                    row.Append('|').Append(holding[k] ? HoldMark : ' ').Append(' ');
                    row.Append((k == lane ? lines[i] : "").PadRight(widths[k])).Append(' ');
                }
                AppendLine(sb, row.ToString());
            }
            if (endsHold)
                holding[lane] = false;
        }
        sb.Append('\n');
        sb.Append(ViolationLine(story)).Append('\n');
        return sb.ToString();
    }

    /// <summary>The closing line: "the violation: Invariant: Bug".</summary>
    public static string ViolationLine(ScheduleStory story)
    {
        ArgumentNullException.ThrowIfNull(story);
        return (story.Invariant, story.Bug) switch
        {
            (null, null) => "no violation in this story",
            ({ } inv, null) => $"the violation: {inv}",
            (null, { } bug) => $"the violation: {bug}",
            ({ } inv, { } bug) => $"the violation: {inv}: {bug}",
        };
    }

    /// <summary>"N preemptions, M scheduling steps".</summary>
    public static string Counts(ScheduleStory story)
    {
        ArgumentNullException.ThrowIfNull(story);
        return string.Create(CultureInfo.InvariantCulture,
            $"{story.Preemptions} preemption{(story.Preemptions == 1 ? "" : "s")}, {story.SchedulingSteps} scheduling step{(story.SchedulingSteps == 1 ? "" : "s")}");
    }

    /// <summary>The story's lanes, then any lane an event names that the list lacks (in order of appearance).</summary>
    internal static List<string> LanesOf(ScheduleStory story)
    {
        var lanes = new List<string>(story.Lanes);
        foreach (var e in story.Events)
            if (!lanes.Contains(e.Lane))
                lanes.Add(e.Lane);
        return lanes;
    }

    /// <summary>The last part of a path (either separator), so the header does not depend on where the trace was.</summary>
    internal static string FileName(string path)
    {
        int cut = path.LastIndexOfAny(['/', '\\']);
        return cut < 0 ? path : path[(cut + 1)..];
    }

    /// <summary>The text as drawn: a preemption and the violation are marked.</summary>
    public static string Display(StoryEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return PrefixOf(e) + Body(e);
    }

    private static string PrefixOf(StoryEvent e) => e.Kind switch
    {
        StoryEventKind.Preempted => PreemptedPrefix,
        StoryEventKind.Violation => ViolationPrefix,
        _ => "",
    };

    private static string Body(StoryEvent e) => e.Kind switch
    {
        StoryEventKind.Preempted => string.IsNullOrWhiteSpace(e.Text) ? "preempted" : "preempted: " + e.Text,
        StoryEventKind.Lock when string.IsNullOrWhiteSpace(e.Text) => "took zone->lock",
        StoryEventKind.Unlock when string.IsNullOrWhiteSpace(e.Text) => "released zone->lock",
        _ => e.Text,
    };

    /// <summary>The event's lines in a column this wide; a marked event's continuation lines are indented under its text.</summary>
    private static List<string> Lines(StoryEvent e, int width)
    {
        string prefix = PrefixOf(e);
        var lines = Wrap(Body(e), Math.Max(1, width - prefix.Length), MaxLines, Ellipsis);
        for (int i = 0; i < lines.Count; i++)
            lines[i] = (i == 0 ? prefix : new string(' ', prefix.Length)) + lines[i];
        return lines;
    }

    /// <summary>
    /// Greedy word wrap to lines of at most width characters (a word longer than a line is cut
    /// across lines, after punctuation where it can be); past maxLines the last line ends with ellipsis. Whitespace runs (newlines
    /// too) count as one space. Never returns no line.
    /// </summary>
    internal static List<string> Wrap(string text, int width, int maxLines, string ellipsis)
    {
        var words = (text ?? "").Split([' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries);
        var lines = new List<string>();
        var line = new StringBuilder();
        foreach (var w in words)
        {
            string word = w;
            if (line.Length > 0 && line.Length + 1 + word.Length <= width)
            {
                line.Append(' ').Append(word);
                continue;
            }
            if (line.Length > 0)
            {
                lines.Add(line.ToString());
                line.Clear();
            }
            while (word.Length > width)
            {
                int cut = Cut(word, width);
                lines.Add(word[..cut]);
                word = word[cut..];
            }
            line.Append(word);
        }
        if (line.Length > 0 || lines.Count == 0)
            lines.Add(line.ToString());
        if (lines.Count > maxLines)
        {
            string last = lines[maxLines - 1];
            if (last.Length + ellipsis.Length > width)
                last = last[..Math.Max(0, width - ellipsis.Length)].TrimEnd();
            lines.RemoveRange(maxLines, lines.Count - maxLines);
            lines[maxLines - 1] = last + ellipsis;
        }
        return lines;
    }

    /// <summary>
    /// Where to cut a word longer than a line: after the last opening parenthesis, comma or
    /// similar that fits in the line's second half, else after the last underscore, arrow or
    /// dot there, else at the width.
    /// </summary>
    private static int Cut(string word, int width)
    {
        foreach (char[] marks in (char[][])[['(', ',', '/', ';'], ['_', '-', '>', '.', ':', '=']])
        {
            int at = word.LastIndexOfAny(marks, width - 1) + 1;
            if (at > width / 2)
                return at;
        }
        return width;
    }

    private static void AppendLine(StringBuilder sb, string line) => sb.Append(line.TrimEnd()).Append('\n');
}
