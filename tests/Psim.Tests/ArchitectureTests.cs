using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Psim.Tests;

/// <summary>
/// The dependency arrows between psim's library folders, as the compiler resolves every name in the
/// source, against the table in docs/architecture.md: an arrow the table does not list fails.
/// </summary>
public class ArchitectureTests
{
    /// <summary>folder → folders its "uses" column names (text after ';' is a comment, e.g. "never `Attacks`").</summary>
    internal static Dictionary<string, HashSet<string>> TableArrows(string markdown)
    {
        var arrows = new Dictionary<string, HashSet<string>>();
        foreach (
            Match m in Regex.Matches(markdown, @"^\| `(?<folder>[A-Za-z.]+)/?` \|[^|\n]*\| (?<uses>[^|\n]*) \|$", RegexOptions.Multiline)
        )
        {
            var uses = m.Groups["uses"].Value.Split(';')[0];
            arrows[m.Groups["folder"].Value] = Regex.Matches(uses, "`([A-Za-z.]+)`").Select(u => u.Groups[1].Value).ToHashSet();
        }
        return arrows;
    }

    /// <summary>The library, the service and the CLI compiled together from source, for their symbols.</summary>
    private static (CSharpCompilation Compilation, List<SyntaxTree> Trees) Compile(string root)
    {
        var files = new[] { "src/Psim", "src/Psim.Serving", "src/Psim.Cli" }
            .SelectMany(p => Directory.EnumerateFiles(Path.Combine(root, p), "*.cs", SearchOption.AllDirectories))
            .Where(f =>
                !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}")
            )
            .ToList();
        var trees = files
            .Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), new CSharpParseOptions(LanguageVersion.Preview), f))
            .ToList();
        var refs = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Concat(Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll"))
            .Where(p => !Path.GetFileName(p).StartsWith("Psim", StringComparison.Ordinal))
            .DistinctBy(Path.GetFileName)
            .Select(p => MetadataReference.CreateFromFile(p));
        return (
            CSharpCompilation.Create(
                "arch",
                trees,
                refs,
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable)
            ),
            trees
        );
    }

    /// <summary>folder → (used folder → one place that uses it), from the compiler's symbols.</summary>
    private static Dictionary<string, Dictionary<string, string>> SourceArrows(string root)
    {
        var (compilation, trees) = Compile(root);
        var arrows = new Dictionary<string, Dictionary<string, string>>();
        foreach (var tree in trees)
        {
            string from = FolderOf(root, tree.FilePath);
            var model = compilation.GetSemanticModel(tree);
            foreach (var node in tree.GetRoot().DescendantNodes().Where(n => n is SimpleNameSyntax))
            {
                var symbol = model.GetSymbolInfo(node).Symbol ?? model.GetSymbolInfo(node).CandidateSymbols.FirstOrDefault();
                var ns = (symbol as INamespaceSymbol)?.ToDisplayString() ?? symbol?.ContainingNamespace?.ToDisplayString();
                if (ns is null || !ns.StartsWith("Psim.", StringComparison.Ordinal))
                    continue;
                string to = ns.Split('.')[1];
                if (to == from || (from == "Psim.Cli" && to == "Cli"))
                    continue;
                var uses = arrows.TryGetValue(from, out var u) ? u : arrows[from] = new();
                uses.TryAdd(
                    to,
                    $"{Path.GetRelativePath(root, tree.FilePath)}:{node.GetLocation().GetLineSpan().StartLinePosition.Line + 1} ({node})"
                );
            }
        }
        return arrows;
    }

    private static string FolderOf(string root, string file)
    {
        var rel = Path.GetRelativePath(Path.Combine(root, "src"), file).Split(Path.DirectorySeparatorChar);
        return rel[0] switch
        {
            "Psim.Cli" => "Psim.Cli",
            "Psim.Serving" => "Serving", // a project of its own, one folder of the table
            _ => rel.Length > 2 ? rel[1] : "(root)",
        };
    }

    [Fact]
    public void Every_dependency_between_folders_is_an_arrow_of_the_architecture_table()
    {
        string root = Repo.Root();
        var table = TableArrows(File.ReadAllText(Path.Combine(root, "docs", "architecture.md")));
        var found = SourceArrows(root);
        var unlisted = found
            .SelectMany(f =>
                f.Value.Where(t => !(table.TryGetValue(f.Key, out var allowed) && allowed.Contains(t.Key)))
                    .Select(t => $"{f.Key} -> {t.Key}: {t.Value}")
            )
            .Order()
            .ToList();
        Assert.True(unlisted.Count == 0, "arrows not in docs/architecture.md:\n" + string.Join('\n', unlisted));
        var unused = table
            .SelectMany(t =>
                t.Value.Where(to => !(found.TryGetValue(t.Key, out var f) && f.ContainsKey(to))).Select(to => $"{t.Key} -> {to}")
            )
            .Order()
            .ToList();
        Assert.True(unused.Count == 0, "arrows docs/architecture.md lists that nothing uses:\n" + string.Join('\n', unused));
        var folders = Directory
            .EnumerateDirectories(Path.Combine(root, "src", "Psim"))
            .Select(Path.GetFileName)
            .Where(n => n is not ("bin" or "obj"));
        Assert.All(folders, f => Assert.True(table.ContainsKey(f!), $"folder {f} has no row in docs/architecture.md"));
    }

    [Fact]
    public void Every_arrow_points_up_the_table()
    {
        var markdown = File.ReadAllText(Path.Combine(Repo.Root(), "docs", "architecture.md"));
        var order = Regex.Matches(markdown, @"^\| `([A-Za-z.]+)/?` \|", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();
        var table = TableArrows(markdown);
        var downward = order
            .SelectMany((f, i) => table[f].Where(u => order.IndexOf(u) is var j && (j < 0 || j >= i)).Select(u => $"{f} -> {u}"))
            .ToList();
        Assert.True(
            downward.Count == 0,
            "arrows to a folder not above in the table (a cycle, or a row out of order):\n" + string.Join('\n', downward)
        );
    }

    /// <summary>
    /// The CLI builds records from lower folders (options, vocabularies) but calls library code only
    /// through a workflow, the study, the service, inspection or the process set-up: a command that calls a reader,
    /// a trainer or a detector directly is a second library.
    /// </summary>
    [Fact]
    public void The_command_line_calls_the_library_only_through_workflows()
    {
        string root = Repo.Root();
        var (compilation, trees) = Compile(root);
        string[] allowed = ["Workflows", "Study", "Serving", "Inspection", "Runtime", "Cli", "Files"];
        var calls = new List<string>();
        foreach (var tree in trees.Where(t => FolderOf(root, t.FilePath) == "Psim.Cli"))
        {
            var model = compilation.GetSemanticModel(tree);
            foreach (var call in tree.GetRoot().DescendantNodes().OfType<InvocationExpressionSyntax>())
            {
                var info = model.GetSymbolInfo(call);
                if ((info.Symbol ?? info.CandidateSymbols.FirstOrDefault()) is not IMethodSymbol m)
                    continue;
                var ns = m.ContainingNamespace.ToDisplayString();
                if (!ns.StartsWith("Psim.", StringComparison.Ordinal) || allowed.Contains(ns.Split('.')[1]))
                    continue;
                if (m.IsExtensionMethod && m.ReceiverType?.TypeKind == TypeKind.Enum)
                    continue; // a vocabulary's name or default
                calls.Add(
                    $"{Path.GetRelativePath(root, tree.FilePath)}:{call.GetLocation().GetLineSpan().StartLinePosition.Line + 1} {m.ContainingType.Name}.{m.Name}"
                );
            }
        }
        Assert.True(calls.Count == 0, "the CLI calls the library outside the workflows:\n" + string.Join('\n', calls));
    }

    [Fact]
    public void The_command_line_holds_no_tensors()
    {
        var cli = Path.Combine(Repo.Root(), "src", "Psim.Cli");
        var uses = Directory
            .EnumerateFiles(cli, "*.cs", SearchOption.AllDirectories)
            .Where(f =>
                !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
                && File.ReadAllText(f).Contains("TorchSharp", StringComparison.Ordinal)
            )
            .Select(f => Path.GetRelativePath(cli, f));
        Assert.Empty(uses);
    }

    [Fact]
    public void The_fixed_rules_hold_in_the_table()
    {
        var table = TableArrows(File.ReadAllText(Path.Combine(Repo.Root(), "docs", "architecture.md")));
        Assert.Empty(table["Models"]);
        Assert.Empty(table["Runtime"]);
        Assert.DoesNotContain("Models", table["Psim.Cli"]);
        Assert.DoesNotContain("Attacks", table["Defense"]);
        Assert.True(TableArrows("| `X/` | c | `A`, `B`; never `C` |\n")["X"].SetEquals(["A", "B"]));
    }

    [Fact]
    public void The_library_a_CSharp_caller_references_carries_neither_ASP_NET_Core_nor_Prometheus()
    {
        var core = typeof(Psim.Workflows.PoisonWorkflow).Assembly;
        Assert.Equal("Psim", core.GetName().Name);
        var heavy = core.GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(n =>
                n.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) || n.StartsWith("Prometheus", StringComparison.Ordinal)
            )
            .ToList();
        Assert.True(heavy.Count == 0, string.Join(", ", heavy));
        Assert.Contains(typeof(Psim.Serving.GuardServer).Assembly.GetReferencedAssemblies(), a =>
            a.Name!.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)
        );
    }
}
