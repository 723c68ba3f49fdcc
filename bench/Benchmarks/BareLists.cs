namespace Benchmarks;

/// <summary>
/// The floor for issue 2's target 1: intrusive circular doubly-linked lists as two int arrays
/// (the same layout as BuddyModel.FreeListNodes), one list per order, no flags, no merging,
/// no checks. Nodes of order o are ids o*perOrder .. (o+1)*perOrder-1; heads come after.
/// </summary>
public sealed class BareLists
{
    private readonly int[] _next;
    private readonly int[] _prev;
    private readonly int _headBase;

    public BareLists(int orders, int perOrder)
    {
        _headBase = orders * perOrder;
        _next = new int[_headBase + orders];
        _prev = new int[_headBase + orders];
        for (int o = 0; o < orders; o++)
        {
            int head = _headBase + o;
            _next[head] = head;
            _prev[head] = head;
            for (int i = 0; i < perOrder; i++)
                Push(o * perOrder + i, o);
        }
    }

    /// <summary>list_add at the head.</summary>
    public void Push(int n, int order)
    {
        int head = _headBase + order;
        int next = _next[head];
        _next[head] = n;
        _prev[n] = head;
        _next[n] = next;
        _prev[next] = n;
    }

    /// <summary>list_first_entry + list_del (poisoning the links).</summary>
    public int PopFirst(int order)
    {
        int head = _headBase + order;
        int n = _next[head];
        if (n == head)
            throw new InvalidOperationException($"bare list of order {order} is empty");
        int p = _prev[n], x = _next[n];
        _next[p] = x;
        _prev[x] = p;
        _next[n] = -1;
        _prev[n] = -1;
        return n;
    }
}
