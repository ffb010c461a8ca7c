using System.Text.Json.Serialization;

namespace Psim.Text;

/// <summary>One input's WordPiece tokens and ids, without [CLS] and [SEP] (as transformers' <c>add_special_tokens=False</c>).</summary>
public sealed record TokenizedText(
    [property: JsonPropertyName("row")] int Row,
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("ids")] int[] Ids,
    [property: JsonPropertyName("tokens")] string[] Tokens
);
