using Psim.IO;
using Psim.Text;

namespace Psim.Workflows;

/// <summary>What <c>psim model tokenize</c> does: each text's WordPiece ids and tokens, as transformers' BertTokenizer gives them.</summary>
public static class Tokenization
{
    /// <summary>One explanation per text, numbered from 1 (no [CLS]/[SEP], no truncation).</summary>
    public static IReadOnlyList<TokenizedText> Run(string model, IReadOnlyList<string> texts, Action<string> log)
    {
        var tokenizer = ModelResolver.Open(model, log).Tokenizer;
        return texts.Select((t, i) => tokenizer.Explain(i + 1, t)).ToList();
    }
}
