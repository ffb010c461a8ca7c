namespace Psim.Text;

/// <summary>
/// The settings of transformers' <c>BertTokenizer</c> that change the ids, as <c>tokenizer_config.json</c>
/// names them. Defaults are transformers' defaults.
/// </summary>
public sealed record BertTokenizerOptions
{
    public bool DoLowerCase { get; init; } = true;
    public bool DoBasicTokenize { get; init; } = true;

    /// <summary>null: strip accents exactly when lower-casing (transformers' default).</summary>
    public bool? StripAccents { get; init; }
    public bool TokenizeChineseChars { get; init; } = true;
    public bool DoSplitOnPunc { get; init; } = true;
    public string UnkToken { get; init; } = "[UNK]";
    public string SepToken { get; init; } = "[SEP]";
    public string PadToken { get; init; } = "[PAD]";
    public string ClsToken { get; init; } = "[CLS]";
    public string MaskToken { get; init; } = "[MASK]";

    /// <summary>WordpieceTokenizer: a word of more code points than this is [UNK].</summary>
    public int MaxInputCharsPerWord { get; init; } = 100;

    public bool StripsAccents => StripAccents ?? DoLowerCase;

    /// <summary>transformers' <c>all_special_tokens</c> order: matched in text and never split.</summary>
    public IReadOnlyList<string> SpecialTokens => [UnkToken, SepToken, PadToken, ClsToken, MaskToken];
}
