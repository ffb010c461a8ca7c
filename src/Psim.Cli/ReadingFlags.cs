using System.CommandLine;
using Psim.Data;

namespace Psim.Cli;

/// <summary>How a command reads task files: --allow-empty-text, --text-column, --label-column.</summary>
internal sealed class ReadingFlags
{
    public Option<bool> AllowEmptyText { get; } =
        new("--allow-empty-text")
        {
            Description = "keep data rows whose text is empty as empty inputs instead of stopping (the released CR files have a few)",
        };
    public Option<string?> TextColumn { get; } =
        new("--text-column")
        {
            Description = "the field (JSON) or column (CSV/TSV header) holding the text (default: sentence, else text)",
        };
    public Option<string?> LabelColumn { get; } =
        new("--label-column") { Description = "the field or column holding the label (default: label)" };

    public void AddTo(Command c)
    {
        foreach (var o in new Option[] { AllowEmptyText, TextColumn, LabelColumn })
            c.Options.Add(o);
    }

    public ReadOptions Read(ParseResult r) =>
        new()
        {
            AllowEmptyText = r.GetValue(AllowEmptyText),
            TextColumn = r.GetValue(TextColumn),
            LabelColumn = r.GetValue(LabelColumn),
        };
}
