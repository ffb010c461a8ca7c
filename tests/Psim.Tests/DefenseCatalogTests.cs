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

    /// <summary>Where code outside a defence's own folder still names it, and why; a new place fails the test below.</summary>
    private static readonly (string File, DefenseKind[] Kinds, string Why)[] Exceptions =
    [
        ("src/Psim/Defense/DefenseKind.cs", Enum.GetValues<DefenseKind>(), "the vocabulary"),
        ("src/Psim/Study/StudyConfig.cs", Enum.GetValues<DefenseKind>(), "the presets list defences as data"),
        (
            "src/Psim/Workflows/BaselineDefenseWorkflow.cs",
            Enum.GetValues<DefenseKind>(),
            "the default list of defences; PSIM's loaded detector; ONION's bar sweep"
        ),
        ("src/Psim/Study/StudyPlan.cs", [DefenseKind.Psim], "PSIM is the method: the study plans its detector steps"),
        ("src/Psim.Cli/DefenseCommands.cs", [DefenseKind.Psim], "--detector adds PSIM to the compared defences"),
        (
            "src/Psim/Study/StudyReport.cs",
            [DefenseKind.Onion, DefenseKind.Strip, DefenseKind.Backtranslation, DefenseKind.Scpd],
            "the report's table of CA and ASR under each defence"
        ),
    ];

    [Fact]
    public void Nothing_outside_a_defences_own_folder_names_it_except_the_listed_places()
    {
        // a defence's own folder: where its descriptor is declared
        var own = typeof(DefenseCatalog)
            .Assembly.GetTypes()
            .SelectMany(t =>
                t.GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
                    .Where(f => f.FieldType == typeof(DefenseDescriptor))
                    .Select(f =>
                        (
                            ((DefenseDescriptor)f.GetValue(null)!).Kind,
                            Folder: $"src/Psim/{string.Join('/', t.Namespace!.Split('.').Skip(1))}/"
                        )
                    )
            )
            .ToLookup(x => x.Kind, x => x.Folder);
        var member = new System.Text.RegularExpressions.Regex(@"\bDefenseKind\.(\w+)");
        var root = Repo.Root();
        var offences = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories))
        {
            var rel = Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');
            if (rel.Contains("/obj/") || rel.Contains("/bin/"))
                continue;
            foreach (System.Text.RegularExpressions.Match m in member.Matches(File.ReadAllText(file)))
                if (
                    Enum.TryParse<DefenseKind>(m.Groups[1].Value, out var kind)
                    && !own[kind].Any(rel.StartsWith)
                    && !Exceptions.Any(e => e.File == rel && e.Kinds.Contains(kind))
                )
                    offences.Add($"{rel} names {m.Value}");
        }
        Assert.True(offences.Count == 0, string.Join("\n", offences));
        Assert.All(Enum.GetValues<DefenseKind>(), k => Assert.Single(own[k]));
        Assert.DoesNotContain("src/Psim/Defense/", own.SelectMany(g => g)); // every defence is in a folder of its own, none at the root
    }

    [Fact]
    public void The_settings_groups_come_from_the_catalog()
    {
        Assert.Equal(["onion", "strip", "rap", "dan", "guard"], DefenseSettings.Groups.Select(g => g.Group.Name));
        Assert.All(DefenseSettings.Groups, g => Assert.Same(DefenseCatalog.Of(g.Defense).Options, g.Group));
        Assert.Equal(typeof(Psim.Defense.Rap.RapOptions), DefenseSettings.Of(typeof(Psim.Defense.Rap.RapOptions)).Type);
    }
}
