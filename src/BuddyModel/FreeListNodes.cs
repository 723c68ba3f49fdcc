namespace BuddyModel;

/// <summary>
/// struct list_head, as an array of (next, prev) pairs. Node ids 0..NrPages-1 are the lru nodes of head pages;
/// the ids above are the sentinel heads of the free lists. A node id is therefore "a list
/// node" that may be a block or a list head, which is what the aerator's boundary points at.
/// Circular, doubly linked; a deleted node is poisoned (-1) as list_del() poisons it.
/// A zone that starts at pfn S numbers its nodes from S (FirstId): the page nodes are the
/// absolute pfns S .. S + NrPages - 1, the list heads follow, so that a node id is still a pfn.
/// </summary>
public sealed class FreeListNodes
{
    /// <summary>LIST_POISON: the link value of a node on no list.</summary>
    public const int Poison = -1;

    /// <summary>struct list_head: both links of one node side by side (one cache line touch per node).</summary>
    private struct Link
    {
        public int Next;
        public int Prev;
    }

    private readonly Link[] _links;
    private readonly int _first;

    /// <summary>count node ids, numbered firstId .. firstId + count - 1 (firstId: the zone's start pfn).</summary>
    public FreeListNodes(int count, int firstId = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstId);
        _links = new Link[count];
        _first = firstId;
        Array.Fill(_links, new Link { Next = Poison, Prev = Poison });
    }

    /// <summary>Number of node ids.</summary>
    public int Count => _links.Length;

    /// <summary>The first node id (the zone's start pfn).</summary>
    public int FirstId => _first;

    /// <summary>Whether n is a node id of these lists.</summary>
    public bool IsNode(int n) => (uint)(n - _first) < (uint)_links.Length;

    /// <summary>The node after n (list_head.next).</summary>
    public int Next(int n) => _links[n - _first].Next;

    /// <summary>The node before n (list_head.prev).</summary>
    public int Prev(int n) => _links[n - _first].Prev;

    /// <summary>Whether n is linked into some list.</summary>
    public bool IsLinked(int n) => _links[n - _first].Next != Poison;

    /// <summary>Where every write of a link is recorded, when an incremental checker watches (the zone sets it).</summary>
    internal ZoneChangeLog? Log
    {
        get => _log;
        set => _log = value;
    }

    private ZoneChangeLog? _log;

    /// <summary>Record the three nodes a link store touches; out of line, so that Del and Insert stay as small as without a log.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void Logged(int a, int b, int c)
    {
        _log!.Node(a);
        _log.Node(b);
        _log.Node(c);
    }

    /// <summary>INIT_LIST_HEAD: an empty list is a head pointing at itself.</summary>
    public void InitHead(int head)
    {
        _log?.Node(head);
        _links[head - _first] = new Link { Next = head, Prev = head };
    }

    /// <summary>list_empty.</summary>
    public bool IsEmpty(int head) => _links[head - _first].Next == head;

    /// <summary>list_add: insert n right after head (at the list's head).</summary>
    public void Add(int n, int head) => Insert(n, head, _links[head - _first].Next);

    /// <summary>list_add_tail: insert n right before at (at the tail when at is the list head).</summary>
    public void AddTail(int n, int at) => Insert(n, _links[at - _first].Prev, at);

    /// <summary>list_del: unlink n and poison its links.</summary>
    public void Del(int n)
    {
        ref var link = ref _links[n - _first];
        int p = link.Prev, x = link.Next;
        if (_log is not null)
            Logged(n, p, x);
        _links[p - _first].Next = x;
        _links[x - _first].Prev = p;
        link = new Link { Next = Poison, Prev = Poison };
    }

    /// <summary>list_move: unlink n and add it at the head of another list.</summary>
    public void Move(int n, int head)
    {
        Del(n);
        Add(n, head);
    }

    /// <summary>list_move_tail: unlink n and add it at the tail of another list.</summary>
    public void MoveTail(int n, int head)
    {
        Del(n);
        AddTail(n, head);
    }

    /// <summary>
    /// list_rotate_to_front(n, head): make n the first node of its list, keeping the cyclic
    /// order (the nodes before n move, in order, to the tail). n must be a node of head's list.
    /// </summary>
    public void RotateToFront(int n, int head)
    {
        if (_links[head - _first].Next == n)
            return;
        // list_move_tail(head, n): the sentinel goes just before n.
        Del(head);
        AddTail(head, n);
    }

    private void Insert(int n, int prev, int next)
    {
        if (_log is not null)
            Logged(n, prev, next);
        _links[prev - _first].Next = n;
        _links[n - _first] = new Link { Next = next, Prev = prev };
        _links[next - _first].Prev = n;
    }
}
