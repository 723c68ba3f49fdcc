namespace Kernel;

/// <summary>What a trace event marks.</summary>
public enum TraceKind
{
    /// <summary>Something the code did (the kernel's trace_* events, in words).</summary>
    Event,
    /// <summary>spin_lock(&amp;zone->lock) returned: a hold begins.</summary>
    Lock,
    /// <summary>spin_unlock(&amp;zone->lock): the hold ends.</summary>
    Unlock,
}

/// <summary>Receives trace events (the concurrency harness's story recorder).</summary>
public interface ITraceListener
{
    void Trace(TraceKind kind, string text);
}

/// <summary>
/// Tracepoints, as include/trace/events/ gives the kernel: the model says in kernel terms what
/// it just did ("static_key_false() answered true", "refcnt 0 -> 1", "a_dev_info = NULL"), and
/// a listener may write it down. Nothing listens in the sequential checks: each tracepoint is one
/// test of a plain static field, and call sites that format a message test <see cref="On"/>
/// first. The field is plain on purpose: under Coyote's rewriting a Volatile or Interlocked
/// access would be a scheduling point, and a story told while replaying a trace must schedule
/// exactly as the run that wrote the trace. One listener per process (the story recorder runs
/// one replay at a time).
/// </summary>
public static class Tracepoint
{
    private static ITraceListener? s_listener;

    /// <summary>Whether anything listens (test it before formatting a message).</summary>
    public static bool On => s_listener != null;

    /// <summary>Install a listener for the life of the returned handle.</summary>
    public static IDisposable Listen(ITraceListener listener)
    {
        if (s_listener != null)
            throw new InvalidOperationException("a trace listener is already installed");
        s_listener = listener;
        return new Handle();
    }

    public static void Emit(string text) => s_listener?.Trace(TraceKind.Event, text);

    public static void Emit(TraceKind kind, string text) => s_listener?.Trace(kind, text);

    private sealed class Handle : IDisposable
    {
        public void Dispose() => s_listener = null;
    }
}
