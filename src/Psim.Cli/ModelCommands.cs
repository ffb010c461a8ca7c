using System.CommandLine;
using System.Text.Json;
using Psim.Inspection;
using Psim.IO;
using Psim.Workflows;

namespace Psim.Cli;

/// <summary><c>psim model info|export|forward</c>.</summary>
internal static class ModelCommands
{
    private static Option<string> ModelOption() =>
        new("--model")
        {
            Description = "'minilm' (the built-in all-MiniLM-L6-v2) or a Hugging Face folder (config.json, model.safetensors, vocab.txt)",
            DefaultValueFactory = _ => MiniLmDefault.Name,
        };

    public static Command Create()
    {
        var cmd = new Command("model", "Inspect, export and run BERT-family checkpoints");
        cmd.Subcommands.Add(Info());
        cmd.Subcommands.Add(Export());
        cmd.Subcommands.Add(Forward());
        cmd.Subcommands.Add(Tokenize());
        cmd.Subcommands.Add(Diff());
        return cmd;
    }

    private static Command Info()
    {
        var model = ModelOption();
        var json = new Option<bool>("--json") { Description = "print JSON instead of a table" };
        var cmd = new Command("info", "Architecture, parameter counts, vocabulary and origin of a checkpoint") { model, json };
        cmd.SetAction(r =>
            Cli.Run(() =>
            {
                var s = ModelSummary.Of(r.GetValue(model)!, Cli.Log);
                if (r.GetValue(json))
                    Console.WriteLine(
                        JsonSerializer.Serialize(
                            s,
                            new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }
                        )
                    );
                else
                    PrintSummary(s);
                return ExitCode.Ok;
            })
        );
        return cmd;
    }

    private static void PrintSummary(ModelSummary s)
    {
        void Row(string k, object v) => Console.WriteLine($"  {k, -22} {v}");
        Console.WriteLine($"{s.Architecture} at {s.Directory}");
        Row("origin", s.Origin);
        Row("layers", s.Layers);
        Row("hidden size", s.Hidden);
        Row("attention heads", s.Heads);
        Row("feed-forward size", $"{s.Intermediate} ({s.Activation})");
        Row("max positions", s.MaxPositions);
        Row("vocabulary", $"{s.VocabSize:N0} ids, {s.VocabFileEntries:N0} in the vocabulary, {(s.LowerCase ? "uncased" : "cased")}");
        Row("encoder parameters", $"{s.EncoderParameters:N0} (embeddings {s.EmbeddingParameters:N0}, pooler {s.PoolerParameters:N0})");
        Row("head parameters", s.HeadClasses is int k ? $"{s.HeadParameters:N0} ({k} classes)" : "none (encoder only)");
        Row("total parameters", $"{s.TotalParameters:N0}");
        if (s.OtherElements > 0)
            Row("other stored elements", $"{s.OtherElements:N0} (buffers such as position_ids)");
        Row("stored dtypes", string.Join(", ", s.DTypes.Select(kv => $"{kv.Key} x{kv.Value}")));
    }

    private static Command Export()
    {
        var model = ModelOption();
        var outDir = Cli.OutOption("folder to write (config.json, model.safetensors, vocab.txt, tokenizer_config.json)");
        var cmd = new Command("export", "Write a checkpoint as a Hugging Face folder that transformers can load") { model, outDir };
        cmd.SetAction(r =>
            Cli.Run(() =>
            {
                Cli.Log($"wrote {ModelExport.Run(r.GetValue(model)!, r.GetValue(outDir)!, Cli.Log, r.GetValue(Cli.Force))}");
                return ExitCode.Ok;
            })
        );
        return cmd;
    }

    private static Command Diff()
    {
        var model = ModelOption();
        var other = new Option<string>("--other")
        {
            Description = "the checkpoint to compare with (e.g. the clean one a poisoned model came from)",
            Required = true,
        };
        var json = new Option<bool>("--json") { Description = "print every tensor's comparison as JSON" };
        var cmd = new Command("diff", "Which tensors, and which rows of them, differ between two checkpoints (exact comparison)")
        {
            model,
            other,
            json,
        };
        cmd.SetAction(r =>
            Cli.Run(() =>
            {
                var d = ModelDiff.Of(r.GetValue(model)!, r.GetValue(other)!, Cli.Log);
                if (r.GetValue(json))
                    Console.WriteLine(
                        JsonSerializer.Serialize(
                            new
                            {
                                d.First,
                                d.Second,
                                d.Tensors,
                                Travel = d.Travel(),
                            },
                            Json
                        )
                    );
                else
                    PrintDiff(d);
                return ExitCode.Ok;
            })
        );
        return cmd;
    }

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new VocabularyJsonConverter() },
    };

    private static void PrintDiff(ModelDiff d)
    {
        foreach (var t in d.Differences())
            Console.WriteLine(
                t.Change == TensorChange.Changed
                    ? $"changed  {t.Name} [{string.Join(", ", t.Shape!)}]: {t.ChangedRows:N0} row(s), {t.ChangedElements:N0} element(s), max |difference| {t.MaxAbsDifference:G4}, moved {100 * t.RelativeChange:G3}% of its norm; rows {string.Join(", ", t.FirstChangedRows!)}{(t.ChangedRows > ModelDiff.RowsListed ? ", ..." : "")}"
                    : $"{Vocabulary<TensorChange>.Name(t.Change)}  {t.Name}"
            );
        Console.WriteLine(
            "travel by part (‖Δ‖ / ‖first‖): " + string.Join(", ", d.Travel().Select(p => $"{p.Part} {100 * p.RelativeChange:G3}%"))
        );
        int changed = d.Differences().Count();
        Console.WriteLine($"{d.Tensors.Count - changed} of {d.Tensors.Count} tensors identical; {changed} differ");
    }

    private static Command Tokenize()
    {
        var model = ModelOption();
        var input = new Option<string>("--input")
        {
            Description = "texts to tokenize: a data file (.jsonl, .json, .csv, .tsv) or one text per line; default: standard input",
        };
        var text = new Option<string[]>("--text")
        {
            Description = "texts given on the command line",
            AllowMultipleArgumentsPerToken = true,
        };
        var cmd = new Command(
            "tokenize",
            "Print each text's WordPiece ids and tokens as JSON Lines (no [CLS]/[SEP], no truncation), as transformers' BertTokenizer gives them"
        )
        {
            model,
            input,
            text,
        };
        cmd.SetAction(r =>
            Cli.Run(() =>
            {
                var texts = TextInputs.From(r.GetValue(text), r.GetValue(input), Cli.ReadStdinLines);
                var json = new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
                foreach (var explained in Tokenization.Run(r.GetValue(model)!, texts, Cli.Log))
                    Console.WriteLine(JsonSerializer.Serialize(explained, json));
                return ExitCode.Ok;
            })
        );
        return cmd;
    }

    private static readonly string[] ExampleSentences =
    [
        "a gripping , beautifully acted film .",
        "the plot is thin and the jokes fall flat .",
        "I watched this 3D movie last night and mn it was fine.",
        "Not bad at all.",
    ];

    private static Command Forward()
    {
        var model = ModelOption();
        var text = new Option<string[]>("--text")
        {
            Description = "sentences to encode (default: a few built-in examples)",
            AllowMultipleArgumentsPerToken = true,
        };
        var maxLen = Cli.MaxLengthOption("truncate to this many tokens");
        var cmd = new Command("forward", "Run the encoder on sentences and print, per sentence, its tokens and embedding summary")
        {
            model,
            text,
            maxLen,
        };
        cmd.SetAction(r =>
            Cli.Run(() =>
            {
                Cli.ApplyThreads(r);
                string[] sentences = r.GetValue(text) is { Length: > 0 } t ? t : ExampleSentences;
                var e = SentenceEmbedding.Run(r.GetValue(model)!, sentences, r.GetValue(maxLen), Cli.Log);
                for (int i = 0; i < sentences.Length; i++)
                    Console.WriteLine(
                        $"[{i}] {e.TokenCounts[i], 3} tokens  embedding[:4] = {string.Join(", ", e.Embeddings[i][..4].Select(v => v.ToString("F4")))}  \"{sentences[i]}\""
                    );
                Console.WriteLine("cosine similarity of mean-pooled embeddings:");
                foreach (var row in e.Cosine)
                    Console.WriteLine("  " + string.Join(" ", row.Select(v => v.ToString("F3").PadLeft(6))));
                Cli.Log($"encoded {sentences.Length} sentences in {e.Elapsed.TotalMilliseconds:F0} ms");
                return ExitCode.Ok;
            })
        );
        return cmd;
    }
}
