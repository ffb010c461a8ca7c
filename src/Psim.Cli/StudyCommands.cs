using System.CommandLine;
using Psim.Attacks;
using Psim.Data;
using Psim.Evaluation;
using Psim.IO;
using Psim.Pipelines;
using Psim.Runtime;
using Psim.Training;
using Psim.Files;

namespace Psim.Cli;

/// <summary><c>psim poison</c>, <c>psim finetune</c>, <c>psim evaluate</c>.</summary>
internal static class StudyCommands
{
    public static Command Poison()
    {
        var baseModel = new Option<string>("--base") { Description = "the clean model to poison: 'minilm' or a Hugging Face folder", DefaultValueFactory = _ => MiniLmDefault.Name };
        var data = new Option<string>("--data") { Description = "proxy task folder with train/dev/test files (reference: ../shared/datasets/imdb)", Required = true };
        var outDir = new Option<string>("--out") { Description = "folder for the poisoned checkpoint, metrics.json and run.json", Required = true };
        var mode = VocabularyOption.Create("--mode", "clean-label (poisoned rows keep the target label) or dirty-label (non-target rows relabelled)", PoisonMode.CleanLabel);
        var count = Cli.PoisonCountOption("the training set");
        var rate = new Option<double?>("--poison-rate") { Description = "fraction of the training set to poison, instead of a count" };
        var selectBy = VocabularyOption.Create("--select-by",
            "which epoch to keep: poisoned-dev (reference: accuracy on the dev copy with triggered target rows), clean-dev, or balanced (mean of clean dev accuracy and dev ASR)",
            EpochSelection.PoisonedDev);
        var poisonedTrain = new Option<string?>("--poisoned-train") { Description = "SynAttack: paraphrased training set (default: train_synattack.json in the data folder)" };
        var attack = new AttackFlags(required: true);
        var train = new TrainingFlags(new TrainOptions { MaxLength = Defaults.PoisonMaxLength });
        var dataFlags = new DataFlags();
        var cmd = new Command("poison", "Build a weight-poisoned checkpoint by full fine-tuning on a poisoned proxy set (spec §2)") { baseModel, data, outDir, mode.Option, count, rate, selectBy.Option, poisonedTrain };
        dataFlags.AddTo(cmd);
        attack.AddTo(cmd);
        train.AddTo(cmd);
        cmd.SetAction(r => Cli.RunCancellable(ct =>
        {
            var spec = attack.Read(r)!;
            var res = PoisonPipeline.Run(new PoisonRequest
            {
                BaseModel = r.GetValue(baseModel)!, Attack = spec, DataDir = r.GetValue(data)!, OutDir = r.GetValue(outDir)!, Reading = dataFlags.Read(r),
                Poison = new PoisonOptions
                {
                    Mode = mode.Read(r), TargetLabel = r.GetValue(attack.Target),
                    Count = r.GetValue(rate) is null ? r.GetValue(count) ?? Defaults.PoisonCount : null, Rate = r.GetValue(rate),
                },
                Train = train.Read(r, Defaults.FullLearningRate),
                PoisonedTrainFile = r.GetValue(poisonedTrain),
                SelectBy = selectBy.Read(r),
                PoisonedTestFile = r.GetValue(attack.PoisonedTest),
            }, Cli.Log, ct);
            PrintReport(res.Test, $"poisoned model ({spec.Name}, best epoch {res.Training.BestEpoch}) on the proxy test set");
            return ExitCode.Ok;
        }));
        return cmd;
    }

    public static Command Finetune()
    {
        var model = new Option<string>("--model") { Description = "the checkpoint to adapt (e.g. a poisoned one): 'minilm' or a Hugging Face folder", Required = true };
        var method = new Option<string>("--method") { Description = "full, lora, prompt, ptuning, prefix or adapter (reference settings of spec §3)", DefaultValueFactory = _ => "full" };
        var data = new Option<string>("--data") { Description = "clean task folder with train/dev/test files (e.g. ../shared/datasets/sst-2)", Required = true };
        var outDir = new Option<string>("--out") { Description = "folder for the fine-tuned model, metrics.json and run.json", Required = true };
        var attack = new AttackFlags(required: false);
        var train = new TrainingFlags(new TrainOptions(), lrHelp: $"{TrainingFlags.Rate(Defaults.FullLearningRate)} for full, {TrainingFlags.Rate(Defaults.PeftLearningRate)} for PEFT methods");
        var dataFlags = new DataFlags();
        var cmd = new Command("finetune", "Fine-tune a checkpoint on clean data (the victim, spec §3); measures CA, and ASR when --attack is given") { model, method, data, outDir };
        dataFlags.AddTo(cmd);
        attack.AddTo(cmd);
        train.AddTo(cmd);
        cmd.SetAction(r => Cli.RunCancellable(ct =>
        {
            var res = FinetunePipeline.Run(new FinetuneRequest
            {
                Model = r.GetValue(model)!, Method = r.GetValue(method)!, DataDir = r.GetValue(data)!, OutDir = r.GetValue(outDir)!, Reading = dataFlags.Read(r),
                Attack = attack.Read(r), TargetLabel = r.GetValue(attack.Target), PoisonedTestFile = r.GetValue(attack.PoisonedTest),
                Train = train.Read(r, Defaults.LearningRate(r.GetValue(method)!)),
            }, Cli.Log, ct);
            PrintReport(res.Test, $"fine-tuned model (best epoch {res.Training.BestEpoch}) on the test set");
            return ExitCode.Ok;
        }));
        return cmd;
    }

    public static Command Evaluate()
    {
        var model = new Option<string>("--model") { Description = "a classifier folder (with a head), or the base model of --adapter", Required = true };
        var adapter = new Option<string?>("--adapter") { Description = "a PEFT adapter folder trained on --model" };
        var data = new Option<string>("--data") { Description = "task folder with a test file", Required = true };
        var maxLen = Cli.MaxLengthOption();
        var seed = Cli.SeedOption("seed for trigger insertion");
        var outFile = new Option<string?>("--out") { Description = "also write the metrics to this JSON file" };
        var attack = new AttackFlags(required: false);
        var dataFlags = new DataFlags();
        var cmd = new Command("evaluate", "Measure CA (and ASR with --attack) of a saved classifier") { model, adapter, data, maxLen, seed, outFile };
        dataFlags.AddTo(cmd);
        attack.AddTo(cmd);
        cmd.SetAction(r => Cli.RunCancellable(ct =>
        {
            Cli.ApplyThreads(r);
            var ckpt = ModelResolver.Open(r.GetValue(model)!, Cli.Log);
            var report = ModelEvaluation.EvaluateSaved(ckpt, r.GetValue(adapter), new TaskData(r.GetValue(data)!) { Options = dataFlags.Read(r) },
                attack.Read(r), r.GetValue(attack.Target), r.GetValue(seed), r.GetValue(maxLen), Cli.Log, ct, r.GetValue(attack.PoisonedTest));
            PrintReport(report, Path.GetFullPath(ckpt.Directory));
            if (r.GetValue(outFile) is { } f) RunRecord.SaveJson(f, report);
            return ExitCode.Ok;
        }));
        return cmd;
    }

    public static Command DataPoison()
    {
        var input = new Option<string>("--data") { Description = "a labelled data file (.jsonl, .json, .tsv, .csv)", Required = true };
        var outFile = new Option<string>("--out") { Description = "JSON Lines file to write, with a 'poisoned' flag per row", Required = true };
        var mode = VocabularyOption.Create("--mode", "clean-label or dirty-label", PoisonMode.CleanLabel);
        var count = Cli.PoisonCountOption("the file");
        var rate = new Option<double?>("--poison-rate") { Description = "fraction of the set to poison, instead of a count" };
        var seed = Cli.SeedOption("seed for trigger positions");
        var attack = new AttackFlags(required: true, poisonedTest: false);
        var dataFlags = new DataFlags();
        var cmd = new Command("poison", "Write a poisoned copy of a data file for inspection (BadNet, InSent)") { input, outFile, mode.Option, count, rate, seed };
        attack.AddTo(cmd);
        dataFlags.AddTo(cmd);
        cmd.SetAction(r => Cli.Run(() =>
        {
            var spec = attack.Read(r)!;
            var trigger = spec.CreateTrigger() ?? throw new PsimException("SynAttack rows cannot be generated here (they need the SCPN paraphraser); its poisoned sets come as pre-paraphrased files");
            var rows = DatasetReader.Read(r.GetValue(input)!, dataFlags.Read(r));
            var options = new PoisonOptions
            {
                Mode = mode.Read(r), TargetLabel = r.GetValue(attack.Target),
                Count = r.GetValue(rate) is null ? r.GetValue(count) ?? Defaults.PoisonCount : null, Rate = r.GetValue(rate),
            };
            var poisoned = Poisoning.PoisonTrainingSet(rows, trigger, options, Seeds.Random(r.GetValue(seed), "poison/train"));
            var lines = poisoned.Select(p => System.Text.Json.JsonSerializer.Serialize(new
            {
                sentence = p.Example.Text, label = p.Example.Label, idx = p.Example.Index, poisoned = p.Poisoned,
                original_label = p.OriginalLabel, trigger_positions = p.TriggerPositions,
            }));
            AtomicFile.WriteAllText(r.GetValue(outFile)!, string.Join('\n', lines) + "\n");
            Cli.Log($"wrote {poisoned.Count} rows, {poisoned.Count(p => p.Poisoned)} poisoned ({trigger.Description}), to {r.GetValue(outFile)}");
            return ExitCode.Ok;
        }));
        return cmd;
    }

    public static Command Merge()
    {
        var model = new Option<string>("--model") { Description = "the base model the adapter was trained on", Required = true };
        var adapter = new Option<string>("--adapter") { Description = "a LoRA adapter folder", Required = true };
        var outDir = new Option<string>("--out") { Description = "folder for the merged Hugging Face model", Required = true };
        var cmd = new Command("merge", "Merge a LoRA adapter into its base weights and write a plain Hugging Face folder") { model, adapter, outDir };
        cmd.SetAction(r => Cli.Run(() =>
        {
            Cli.Log($"wrote {AdapterMerge.Run(r.GetValue(model)!, r.GetValue(adapter)!, r.GetValue(outDir)!, Cli.Log)}");
            return ExitCode.Ok;
        }));
        return cmd;
    }

    private static void PrintReport(EvalReport r, string title)
    {
        Console.WriteLine(title);
        Console.WriteLine($"  CA  {r.CleanAccuracy:P2}  ({r.CleanRows} clean test rows; by label: {string.Join(", ", r.ClassAccuracy.Select((a, i) => $"{i}: {(a is double v ? v.ToString("P1") : "no rows")}"))})");
        if (r.AttackSuccessRate is double asr) Console.WriteLine($"  ASR {asr:P2}  ({r.AttackRows} triggered non-target rows, {r.Attack})");
    }
}
