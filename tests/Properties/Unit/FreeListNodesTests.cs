using BuddyModel;
using Xunit;

namespace Properties.Unit;

/// <summary>
/// struct list_head semantics of FreeListNodes (include/linux/list.h): list_add, list_add_tail,
/// list_del with LIST_POISON, list_move, list_empty. Every check walks the list both ways so that
/// a broken prev link cannot hide behind a correct next link.
/// </summary>
public class FreeListNodesTests
{
    // Nodes 0..5 are "pages", 6 and 7 are the sentinel heads of two lists.
    private const int H = 6;
    private const int H2 = 7;

    private static FreeListNodes NewLists()
    {
        var lists = new FreeListNodes(8);
        lists.InitHead(H);
        lists.InitHead(H2);
        return lists;
    }

    /// <summary>Asserts the list at head holds exactly expected, in order, with next and prev links consistent.</summary>
    private static void AssertList(FreeListNodes lists, int head, params int[] expected)
    {
        var forward = new List<int>();
        for (int n = lists.Next(head); n != head; n = lists.Next(n))
        {
            Assert.True(forward.Count <= lists.Count, "next links do not come back to the head");
            forward.Add(n);
        }
        var backward = new List<int>();
        for (int n = lists.Prev(head); n != head; n = lists.Prev(n))
        {
            Assert.True(backward.Count <= lists.Count, "prev links do not come back to the head");
            backward.Add(n);
        }
        backward.Reverse();
        Assert.Equal(expected, forward);
        Assert.Equal(expected, backward);
        // Every node's neighbours point back at it.
        int prev = head;
        foreach (int n in forward)
        {
            Assert.Equal(prev, lists.Prev(n));
            Assert.Equal(n, lists.Next(prev));
            Assert.True(lists.IsLinked(n));
            prev = n;
        }
        Assert.Equal(head, lists.Next(prev));
        Assert.Equal(prev, lists.Prev(head));
        Assert.Equal(expected.Length == 0, lists.IsEmpty(head));
    }

    private static void AssertPoisoned(FreeListNodes lists, int n)
    {
        Assert.Equal(FreeListNodes.Poison, lists.Next(n));
        Assert.Equal(FreeListNodes.Poison, lists.Prev(n));
        Assert.False(lists.IsLinked(n));
    }

    [Fact]
    public void Fresh_nodes_are_poisoned_and_on_no_list()
    {
        var lists = new FreeListNodes(4);
        Assert.Equal(4, lists.Count);
        for (int n = 0; n < 4; n++)
            AssertPoisoned(lists, n);
    }

    [Fact]
    public void INIT_LIST_HEAD_makes_an_empty_list_pointing_at_itself()
    {
        var lists = NewLists();
        Assert.True(lists.IsEmpty(H));
        Assert.Equal(H, lists.Next(H));
        Assert.Equal(H, lists.Prev(H));
        Assert.True(lists.IsLinked(H)); // a head is always "linked" to itself
        AssertList(lists, H);
    }

    [Fact]
    public void List_add_on_an_empty_list_links_the_node_both_ways_to_the_head()
    {
        var lists = NewLists();
        lists.Add(0, H);
        Assert.False(lists.IsEmpty(H));
        Assert.Equal(0, lists.Next(H));
        Assert.Equal(0, lists.Prev(H));
        Assert.Equal(H, lists.Next(0));
        Assert.Equal(H, lists.Prev(0));
        AssertList(lists, H, 0);
    }

    [Fact]
    public void List_add_inserts_at_the_head_so_the_list_is_LIFO()
    {
        var lists = NewLists();
        lists.Add(0, H);
        lists.Add(1, H);
        lists.Add(2, H);
        AssertList(lists, H, 2, 1, 0);
    }

    [Fact]
    public void List_add_after_a_node_inserts_right_after_it()
    {
        var lists = NewLists();
        lists.AddTail(0, H);
        lists.AddTail(2, H);
        lists.Add(1, 0); // list_add(new, prev_entry): right after node 0
        AssertList(lists, H, 0, 1, 2);
    }

    [Fact]
    public void List_add_tail_before_the_head_appends_so_the_list_is_FIFO()
    {
        var lists = NewLists();
        lists.AddTail(0, H);
        lists.AddTail(1, H);
        lists.AddTail(2, H);
        AssertList(lists, H, 0, 1, 2);
        Assert.Equal(2, lists.Prev(H));
    }

    [Fact]
    public void List_add_tail_before_a_middle_node_inserts_just_before_it()
    {
        var lists = NewLists();
        lists.AddTail(0, H);
        lists.AddTail(2, H);
        lists.AddTail(1, 2); // before node 2
        AssertList(lists, H, 0, 1, 2);
        Assert.Equal(1, lists.Prev(2));
        Assert.Equal(0, lists.Prev(1));
    }

    [Fact]
    public void List_add_tail_before_the_first_node_puts_it_at_the_front()
    {
        var lists = NewLists();
        lists.AddTail(1, H);
        lists.AddTail(0, 1); // before the first entry: same as list_add at the head
        AssertList(lists, H, 0, 1);
        Assert.Equal(0, lists.Next(H));
        Assert.Equal(H, lists.Prev(0));
    }

    [Fact]
    public void List_del_unlinks_joins_the_neighbours_and_poisons_the_node()
    {
        var lists = NewLists();
        lists.AddTail(0, H);
        lists.AddTail(1, H);
        lists.AddTail(2, H);
        lists.Del(1);
        AssertPoisoned(lists, 1);
        AssertList(lists, H, 0, 2);
        Assert.Equal(2, lists.Next(0));
        Assert.Equal(0, lists.Prev(2));
    }

    [Fact]
    public void List_del_of_the_first_and_last_nodes_fixes_the_head_links()
    {
        var lists = NewLists();
        lists.AddTail(0, H);
        lists.AddTail(1, H);
        lists.AddTail(2, H);
        lists.Del(0);
        AssertList(lists, H, 1, 2);
        Assert.Equal(1, lists.Next(H));
        lists.Del(2);
        AssertList(lists, H, 1);
        Assert.Equal(1, lists.Prev(H));
        AssertPoisoned(lists, 0);
        AssertPoisoned(lists, 2);
    }

    [Fact]
    public void List_del_of_the_only_node_leaves_the_list_empty()
    {
        var lists = NewLists();
        lists.Add(3, H);
        lists.Del(3);
        Assert.True(lists.IsEmpty(H));
        AssertList(lists, H);
        AssertPoisoned(lists, 3);
    }

    [Fact]
    public void A_deleted_node_can_be_added_again()
    {
        var lists = NewLists();
        lists.AddTail(0, H);
        lists.AddTail(1, H);
        lists.Del(0);
        lists.AddTail(0, H);
        AssertList(lists, H, 1, 0);
    }

    [Fact]
    public void List_move_takes_the_node_off_its_list_and_adds_it_at_the_head_of_another()
    {
        var lists = NewLists();
        lists.AddTail(0, H);
        lists.AddTail(1, H);
        lists.AddTail(2, H);
        lists.AddTail(4, H2);
        lists.Move(1, H2);
        AssertList(lists, H, 0, 2);
        AssertList(lists, H2, 1, 4);
    }

    [Fact]
    public void List_move_of_the_last_node_empties_the_source_list()
    {
        var lists = NewLists();
        lists.Add(5, H);
        lists.Move(5, H2);
        Assert.True(lists.IsEmpty(H));
        AssertList(lists, H);
        AssertList(lists, H2, 5);
    }

    [Fact]
    public void List_move_within_the_same_list_brings_the_node_to_the_front()
    {
        var lists = NewLists();
        lists.AddTail(0, H);
        lists.AddTail(1, H);
        lists.AddTail(2, H);
        lists.Move(2, H);
        AssertList(lists, H, 2, 0, 1);
    }

    [Fact]
    public void List_empty_is_true_only_while_the_head_points_at_itself()
    {
        var lists = NewLists();
        Assert.True(lists.IsEmpty(H));
        lists.AddTail(0, H);
        Assert.False(lists.IsEmpty(H));
        Assert.True(lists.IsEmpty(H2));
        lists.Del(0);
        Assert.True(lists.IsEmpty(H));
    }
}
