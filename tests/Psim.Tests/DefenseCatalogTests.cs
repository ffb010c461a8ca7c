using Psim.Defense;

namespace Psim.Tests;

/// <summary>The defence catalog (issue 28): one entry per defence, each measured one way, settings from its record.</summary>
public class DefenseCatalogTests
{
    [Fact]
    public void Every_defence_kind_has_exactly_one_entry_measured_one_way()
    {
        foreach (var kind in Enum.GetValues<DefenseKind>())
        {
            var d = Assert.Single(DefenseCatalog.All, d => d.Kind == kind);
            Assert.True(d.Detector is null != d.ParaphrasedSuffix is null, $"{kind}: a detector or a paraphrasing defence, exactly one");
        }
        Assert.Equal(Enum.GetValues<DefenseKind>().Length, DefenseCatalog.All.Count);
    }

    [Fact]
    public void The_settings_groups_come_from_the_catalog()
    {
        Assert.Equal(["onion", "strip", "rap", "dan"], DefenseSettings.Groups.Select(g => g.Group.Name));
        Assert.All(DefenseSettings.Groups, g => Assert.Same(DefenseCatalog.Of(g.Defense).Options, g.Group));
        Assert.Equal(typeof(Psim.Defense.Baselines.RapOptions), DefenseSettings.Of(typeof(Psim.Defense.Baselines.RapOptions)).Type);
    }
}
