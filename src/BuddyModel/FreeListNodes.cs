namespace BuddyModel;

/// <summary>
/// struct list_head, as two int arrays. Node ids 0..NrPages-1 are the lru nodes of head pages;
/// the ids above are the sentinel heads of the free lists. A node id is therefore "a list
/// node" that may be a block or a list head, which is what the aerator's boundary points at.
/// Circular, doubly linked; a deleted node is poisoned (-1) as list_del() poisons it.
/// </summary>
public sealed class FreeListNodes
{
    /// <summary>LIST_POISON: the link value of a node on no list.</summary>
    public const int Poison = -1;

    private readonly int[] _next;
    private readonly int[] _prev;

    public FreeListNodes(int count)
    {
        _next = new int[count];
        _prev = new int[count];
        Array.Fill(_next, Poison);
        Array.Fill(_prev, Poison);
    }

    /// <summary>Number of node ids.</summary>
    public int Count => _next.Length;

    /// <summary>The node after n (list_head.next).</summary>
    public int Next(int n) => _next[n];

    /// <summary>The node before n (list_head.prev).</summary>
    public int Prev(int n) => _prev[n];

    /// <summary>Whether n is linked into some list.</summary>
    public bool IsLinked(int n) => _next[n] != Poison;

    /// <summary>INIT_LIST_HEAD: an empty list is a head pointing at itself.</summary>
    public void InitHead(int head)
    {
        _next[head] = head;
        _prev[head] = head;
    }

    /// <summary>list_empty.</summary>
    public bool IsEmpty(int head) => _next[head] == head;

    /// <summary>list_add: insert n right after head (at the list's head).</summary>
    public void Add(int n, int head) => Insert(n, head, _next[head]);

    /// <summary>list_add_tail: insert n right before at (at the tail when at is the list head).</summary>
    public void AddTail(int n, int at) => Insert(n, _prev[at], at);

    /// <summary>list_del: unlink n and poison its links.</summary>
    public void Del(int n)
    {
        int p = _prev[n], x = _next[n];
        _next[p] = x;
        _prev[x] = p;
        _next[n] = Poison;
        _prev[n] = Poison;
    }

    /// <summary>list_move: unlink n and add it at the head of another list.</summary>
    public void Move(int n, int head)
    {
        Del(n);
        Add(n, head);
    }

    private void Insert(int n, int prev, int next)
    {
        _next[prev] = n;
        _prev[n] = prev;
        _next[n] = next;
        _prev[next] = n;
    }
}
