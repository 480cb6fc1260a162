using System.Globalization;
using DataFirst.Core.Ingest;

namespace DataFirst.Core.Tests.Ingest;

public sealed class IdRepeatCheckTests
{
    [Fact]
    public void Add_FindsARepeatFarBack_NamesTheEarlierPosition_AndDoesNotKeepTheRepeat()
    {
        var check = new IdRepeatCheck();
        var kept = new List<string>();
        for (var i = 0; i < 20_000; i++)
        {
            var id = "LD" + i.ToString("D8", CultureInfo.InvariantCulture);
            check.Add(id).Should().Be(-1);
            kept.Add(id);
            if (i % 1000 == 999)
            {
                // A repeat of an id added long before, and of the one just added.
                check.Add("LD" + (i - 997).ToString("D8", CultureInfo.InvariantCulture)).Should().Be(i - 997);
                check.Add(id).Should().Be(i);
            }
        }

        check.Count.Should().Be(20_000);
        var column = check.Build();
        Enumerable.Range(0, column.Count).Select(i => column[i]).Should().Equal(kept, "repeats are not kept, so positions stay those of the ids kept");
    }

    [Fact]
    public void Add_IdsDifferingInOneNonAsciiLetterOrInLength_AreDifferent()
    {
        var check = new IdRepeatCheck();
        check.Add("Zoë-7").Should().Be(-1);
        check.Add("Zoe-7").Should().Be(-1);
        check.Add("Zoé-7").Should().Be(-1);
        check.Add("Zoë-77").Should().Be(-1);
        check.Add("Zoë-").Should().Be(-1);
        check.Add("Zoé-7").Should().Be(2);
        check.Add(string.Empty).Should().Be(-1);
        check.Add(string.Empty).Should().Be(5);
    }

    [Fact]
    public void Add_WithGroups_RepeatsOnlyWithinAGroup()
    {
        var groups = new List<int>();
        var check = new IdRepeatCheck(position => groups[position]);
        int Add(int group, string id)
        {
            groups.Add(group);
            var earlier = check.Add(id);
            if (earlier >= 0)
            {
                groups.RemoveAt(groups.Count - 1);
            }

            return earlier;
        }

        Add(0, "1").Should().Be(-1);
        Add(1, "1").Should().Be(-1);
        Add(1, "2").Should().Be(-1);
        Add(0, "1").Should().Be(0);
        Add(1, "1").Should().Be(1);
        Add(0, "2").Should().Be(-1);
        check.Count.Should().Be(4);
    }

    [Fact]
    public void IndexOf_FindsAnIdAddedAsTextOrBytes_WithoutAddingIt_AndIsRefusedWithGroups()
    {
        var check = new IdRepeatCheck();
        var longId = new string('é', 300); // 600 bytes: past the stack buffer
        foreach (var id in new[] { "A1", "Zoé-7", longId, string.Empty })
        {
            check.Add(id);
        }

        check.IndexOf("Zoé-7").Should().Be(1);
        check.IndexOf(System.Text.Encoding.UTF8.GetBytes("Zoé-7")).Should().Be(1);
        check.IndexOf(longId).Should().Be(2);
        check.IndexOf(string.Empty).Should().Be(3);
        check.IndexOf("Zoe-7").Should().Be(-1);
        check.IndexOf(longId.AsSpan(0, 299)).Should().Be(-1);
        check.Count.Should().Be(4, "a lookup adds nothing");
        check.Intern("A1").Should().Be(0);
        check.Intern("B2").Should().Be(4);

        var grouped = () => new IdRepeatCheck(_ => 0).IndexOf("A1");
        grouped.Should().Throw<InvalidOperationException>();
    }
}
