using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Psim.Data;
using Psim.Inspection;
using Psim.IO;
using Psim.Models;
using static TorchSharp.torch;

namespace Psim.Cli;

/// <summary><c>psim model info|export|forward</c>.</summary>
internal static class ModelCommands
{
    private static Option<string> ModelOption() => new("--model")
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
        return cmd;
    }

    private static Command Info()
    {
        var model = ModelOption();
        var json = new Option<bool>("--json") { Description = "print JSON instead of a table" };
        var cmd = new Command("info", "Architecture, parameter counts, vocabulary and origin of a checkpoint") { model, json };
        cmd.SetAction(r => Cli.Run(() =>
        {
            var ckpt = ModelResolver.Open(r.GetValue(model)!, Cli.Log);
            var s = ModelSummary.From(ckpt);
            if (r.GetValue(json))
                Console.WriteLine(JsonSerializer.Serialize(s, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }));
            else
                PrintSummary(s);
            return ExitCode.Ok;
        }));
        return cmd;
    }

    private static void PrintSummary(ModelSummary s)
    {
        void Row(string k, object v) => Console.WriteLine($"  {k,-22} {v}");
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
        if (s.OtherElements > 0) Row("other stored elements", $"{s.OtherElements:N0} (buffers such as position_ids)");
        Row("stored dtypes", string.Join(", ", s.DTypes.Select(kv => $"{kv.Key} x{kv.Value}")));
    }

    private static Command Export()
    {
        var model = ModelOption();
        var outDir = new Option<string>("--out") { Description = "folder to write (config.json, model.safetensors, vocab.txt, tokenizer_config.json)", Required = true };
        var cmd = new Command("export", "Write a checkpoint as a Hugging Face folder that transformers can load") { model, outDir };
        cmd.SetAction(r => Cli.Run(() =>
        {
            var ckpt = ModelResolver.Open(r.GetValue(model)!, Cli.Log);
            var dest = r.GetValue(outDir)!;
            using var scope = NewDisposeScope();
            if (ckpt.HasClassifierHead)
            {
                using var m = ckpt.LoadClassifier(out _);
                HfCheckpoint.Save(dest, m, m.Config, ckpt.Tokenizer, ckpt.Origin);
            }
            else
            {
                using var m = ckpt.LoadEncoder(out _);
                HfCheckpoint.Save(dest, m, ckpt.Config, ckpt.Tokenizer, ckpt.Origin);
            }
            Cli.Log($"wrote {Path.GetFullPath(dest)}");
            return ExitCode.Ok;
        }));
        return cmd;
    }

    private static Command Tokenize()
    {
        var model = ModelOption();
        var input = new Option<string>("--input") { Description = "texts to tokenize: a data file (.jsonl, .json, .csv, .tsv) or one text per line; default: standard input" };
        var text = new Option<string[]>("--text") { Description = "texts given on the command line", AllowMultipleArgumentsPerToken = true };
        var cmd = new Command("tokenize", "Print each text's WordPiece ids and tokens as JSON Lines (no [CLS]/[SEP], no truncation), as transformers' BertTokenizer gives them") { model, input, text };
        cmd.SetAction(r => Cli.Run(() =>
        {
            var tokenizer = ModelResolver.Open(r.GetValue(model)!, Cli.Log).Tokenizer;
            var texts = r.GetValue(text) is { Length: > 0 } t ? t
                : r.GetValue(input) is { } f ? TextListReader.Read(f)
                : TextListReader.Lines(Cli.ReadStdinLines());
            var json = new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
            for (int i = 0; i < texts.Count; i++)
                Console.WriteLine(JsonSerializer.Serialize(tokenizer.Explain(i + 1, texts[i]), json));
            return ExitCode.Ok;
        }));
        return cmd;
    }

    private static Command Forward()
    {
        var model = ModelOption();
        var text = new Option<string[]>("--text") { Description = "sentences to encode (default: a few built-in examples)", AllowMultipleArgumentsPerToken = true };
        var maxLen = Cli.MaxLengthOption("truncate to this many tokens");
        var cmd = new Command("forward", "Run the encoder on sentences and print, per sentence, its tokens and embedding summary") { model, text, maxLen };
        cmd.SetAction(r => Cli.Run(() =>
        {
            Cli.ApplyThreads(r);
            var ckpt = ModelResolver.Open(r.GetValue(model)!, Cli.Log);
            var sentences = r.GetValue(text) is { Length: > 0 } t ? t :
            [
                "a gripping , beautifully acted film .",
                "the plot is thin and the jokes fall flat .",
                "I watched this 3D movie last night and mn it was fine.",
                "Not bad at all.",
            ];
            var enc = ckpt.CreateTextEncoder(r.GetValue(maxLen));
            using var bert = ckpt.LoadEncoder(out _);
            bert.eval();
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            using var batch = enc.EncodeBatch(sentences);
            var sw = Stopwatch.StartNew();
            var o = bert.call(new BertInput { InputIds = batch.InputIds, AttentionMask = batch.AttentionMask, TokenTypeIds = batch.TokenTypeIds });
            var maskF = batch.AttentionMask.unsqueeze(-1).to(ScalarType.Float32);          // [B, S, 1]
            var mean = (o.LastHiddenState * maskF).sum(1) / maskF.sum(1);                    // [B, H]
            var meanNorm = nn.functional.normalize(mean, p: 2, dim: 1);                    // sentence-transformers' embedding
            sw.Stop();
            var lengths = batch.AttentionMask.sum(1).data<long>().ToArray();
            var sims = meanNorm.matmul(meanNorm.t());                                       // [B, B] cosine
            for (int i = 0; i < sentences.Length; i++)
            {
                var head = meanNorm[i, ..4].data<float>().ToArray();
                Console.WriteLine($"[{i}] {lengths[i],3} tokens  embedding[:4] = {string.Join(", ", head.Select(v => v.ToString("F4")))}  \"{sentences[i]}\"");
            }
            Console.WriteLine("cosine similarity of mean-pooled embeddings:");
            for (int i = 0; i < sentences.Length; i++)
                Console.WriteLine("  " + string.Join(" ", sims[i].data<float>().ToArray().Select(v => v.ToString("F3").PadLeft(6))));
            Cli.Log($"encoded {sentences.Length} sentences in {sw.Elapsed.TotalMilliseconds:F0} ms");
            return ExitCode.Ok;
        }));
        return cmd;
    }
}
