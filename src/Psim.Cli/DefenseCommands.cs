using System.CommandLine;
using System.Text.Json;
using Psim.Data;
using Psim.Defense;
using Psim.Defense.Psim;
using Psim.IO;
using Psim.Pipelines;
using Psim.Defense.Baselines;
using Psim.Runtime;
using Psim.Training;
using Psim.Files;

namespace Psim.Cli;

/// <summary><c>psim detector train</c>, <c>psim scan</c>, <c>psim predict</c>, <c>psim defend evaluate</c>.</summary>
internal static class DefenseCommands
{
    private static readonly JsonSerializerOptions Line = new() { WriteIndented = false };

    public static Command Detector()
    {
        var model = new Option<string>("--model") { Description = "the suspicious checkpoint (with its head): 'minilm' or a Hugging Face folder", Required = true };
        var data = new Option<string>("--data") { Description = "the defender's clean task folder (train file; dev file for calibration)", Required = true };
        var outDir = new Option<string>("--out") { Description = "folder for the detector (peft adapter + psim.json)", Required = true };
        var method = new Option<string>("--method") { Description = "PEFT method of the detector", DefaultValueFactory = _ => "ptuning" };
        var threshold = new Option<double>("--threshold") { Description = "fixed confidence threshold τ", DefaultValueFactory = _ => Defaults.PsimThreshold };
        var targetFrr = new Option<double?>("--target-frr") { Description = "calibrate τ on the clean dev set to this false-rejection rate (e.g. 0.05) instead" };
        var train = new TrainingFlags(new DetectorTrainOptions().Train);
        var dataFlags = new DataFlags();
        var cmd = new Command("train", "Train a PSIM detector on randomly relabelled clean data (spec §4)") { model, data, outDir, method, threshold, targetFrr };
        dataFlags.AddTo(cmd);
        train.AddTo(cmd);
        cmd.SetAction(r => Cli.RunCancellable(ct =>
        {
            using var detector = DetectorPipeline.Run(new DetectorRequest
            {
                Model = r.GetValue(model)!, DataDir = r.GetValue(data)!, OutDir = r.GetValue(outDir)!, Reading = dataFlags.Read(r),
                Detector = new DetectorTrainOptions
                {
                    Method = r.GetValue(method)!, Threshold = r.GetValue(threshold), TargetFrr = r.GetValue(targetFrr),
                    Train = train.Read(r, Defaults.FullLearningRate) with { KeepBestEpoch = false },
                },
            }, Cli.Log, ct);
            Console.WriteLine($"detector written to {Path.GetFullPath(r.GetValue(outDir)!)}: {detector.Settings.Method}, threshold {detector.Threshold:0.######} ({detector.Settings.Threshold.How})");
            return ExitCode.Ok;
        }));
        var group = new Command("detector", "Train and calibrate PSIM detectors");
        group.Subcommands.Add(cmd);
        group.Subcommands.Add(Calibrate());
        return group;
    }

    private static Command Calibrate()
    {
        var detector = new Option<string>("--detector") { Description = "a PSIM detector folder", Required = true };
        var data = new Option<string>("--data") { Description = "clean task folder whose dev file is the held-out calibration set", Required = true };
        var targetFrr = new Option<double>("--target-frr") { Description = "false-rejection rate to reach on the clean dev rows", Required = true };
        var dataFlags = new DataFlags();
        var cmd = new Command("calibrate", "Choose a saved detector's threshold for a target FRR on clean dev data (no retraining); rewrites psim.json") { detector, data, targetFrr };
        dataFlags.AddTo(cmd);
        cmd.SetAction(r => Cli.RunCancellable(ct =>
        {
            Cli.ApplyThreads(r);
            var task = new TaskData(r.GetValue(data)!) { Options = dataFlags.Read(r) };
            using var det = PsimDetector.Load(r.GetValue(detector)!, null, Cli.Log);
            var choice = DetectorTrainer.Recalibrate(det, task.Load("dev"), task.RequireFile("dev"), r.GetValue(targetFrr), Cli.Log, ct);
            Console.WriteLine($"threshold {choice.Threshold:0.######}: {choice.CalibrationFrr:P2} of {choice.CalibrationRows} clean dev rows flagged (target {choice.TargetFrr:P1})");
            return ExitCode.Ok;
        }));
        return cmd;
    }

    public static Command Scan()
    {
        var detector = new Option<string>("--detector") { Description = "a PSIM detector folder", Required = true };
        var input = new Option<string>("--input") { Description = "texts to scan: .jsonl/.json/.csv/.tsv data, or plain text with one input per line", Required = true };
        var model = new Option<string?>("--model") { Description = "where the detector's base checkpoint is, if it moved (checked by weight fingerprint)" };
        var outFile = new Option<string?>("--out") { Description = "write the JSON Lines here instead of stdout" };
        var failOnFlag = new Option<bool>("--fail-on-flag") { Description = "exit with code 3 when any input is flagged (for pipelines)" };
        var cmd = new Command("scan", "Score a dataset with PSIM: JSON Lines {index, confidence, flagged} and a summary") { detector, input, model, outFile, failOnFlag };
        cmd.SetAction(r => Cli.RunCancellable(ct =>
        {
            Cli.ApplyThreads(r);
            var texts = TextListReader.Read(r.GetValue(input)!);
            using var det = PsimDetector.Load(r.GetValue(detector)!, r.GetValue(model) is { } m ? ModelResolver.Open(m, Cli.Log) : null, Cli.Log);
            var scores = det.Score(texts, progressLabel: "scan", ct: ct);
            var lines = scores.Select((c, i) => JsonSerializer.Serialize(new { index = i, confidence = c, flagged = det.Flags(c) }, Line));
            var body = string.Join('\n', lines) + "\n";
            if (r.GetValue(outFile) is { } f) AtomicFile.WriteAllText(f, body); else Console.Write(body);
            int flagged = scores.Count(det.Flags);
            Cli.Log($"scanned {texts.Count} inputs: {flagged} flagged ({100.0 * flagged / texts.Count:F2}%) at threshold {det.Threshold:0.######} ({det.Settings.Threshold.How})");
            return r.GetValue(failOnFlag) && flagged > 0 ? ExitCode.Flagged : ExitCode.Ok;
        }));
        return cmd;
    }

    public static Command Predict()
    {
        var model = new Option<string>("--model") { Description = "the classifier, or the base of --adapter", Required = true };
        var adapter = new Option<string?>("--adapter") { Description = "a PEFT adapter folder on --model" };
        var detector = new Option<string>("--detector") { Description = "a PSIM detector folder trained on the same suspicious checkpoint", Required = true };
        var detectorBase = new Option<string?>("--detector-base") { Description = "the detector's checkpoint when --model is a fully fine-tuned copy of it" };
        var input = new Option<string?>("--input") { Description = "a file of inputs (see scan); without it and without texts, stdin, one per line" };
        var maxLen = Cli.MaxLengthOption();
        var texts = new Argument<string[]>("texts") { Description = "texts to classify", Arity = ArgumentArity.ZeroOrMore };
        var cmd = new Command("predict", "Classify texts behind PSIM: flagged inputs are rejected and get no label") { model, adapter, detector, detectorBase, input, maxLen, texts };
        cmd.SetAction(r => Cli.RunCancellable(ct =>
        {
            Cli.ApplyThreads(r);
            IReadOnlyList<string> items = r.GetValue(texts) is { Length: > 0 } t ? t
                : r.GetValue(input) is { } f ? TextListReader.Read(f)
                : TextListReader.Lines(Cli.ReadStdinLines());
            var request = new GuardedPredictionRequest
            {
                Model = r.GetValue(model)!, Adapter = r.GetValue(adapter), Detector = r.GetValue(detector)!, DetectorBase = r.GetValue(detectorBase), MaxLength = r.GetValue(maxLen),
            };
            foreach (var p in GuardedPredictionPipeline.Run(request, items, Cli.Log, ct))
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    text = p.Text, label = p.Label, probabilities = p.Probabilities?.Select(v => Math.Round(v, 6)).ToArray(),
                    detector_confidence = Math.Round(p.DetectorConfidence, 6), rejected = p.Rejected,
                }, Line));
            return ExitCode.Ok;
        }));
        return cmd;
    }

    private static Command Baselines()
    {
        var model = new Option<string>("--model") { Description = "the victim classifier, or the base of --adapter", Required = true };
        var adapter = new Option<string?>("--adapter") { Description = "the victim's PEFT adapter on --model" };
        var data = new Option<string>("--data") { Description = "task folder (train, dev, test and the paraphrased test files)", Required = true };
        var outDir = new Option<string>("--out") { Description = "folder for metrics.json and run.json", Required = true };
        var defenses = VocabularyOption.Many<DefenseKind>("--defense", "baseline defences to run (default: onion strip backtranslation scpd)");
        var copies = new Option<int>("--strip-copies") { Description = "STRIP: perturbed copies per input", DefaultValueFactory = _ => 20 };
        var frr = new Option<double>("--strip-target-frr") { Description = "STRIP: false-rejection rate on clean dev that sets the threshold", DefaultValueFactory = _ => 0.05 };
        var maxLen = Cli.MaxLengthOption();
        var seed = Cli.SeedOption("seed for trigger insertion and STRIP");
        var onionRates = new Option<double[]>("--onion-removal-rates")
        { Description = "ONION: calibrate one bar per fraction of clean dev words to remove (default 0.01 0.02 0.05 0.1 0.2)", AllowMultipleArgumentsPerToken = true };
        var onionBars = new Option<double[]>("--onion-bars")
        { Description = "ONION: use these bars instead of calibrated ones (the reference's GPT-2 sweep is -300 -270 ... -30)", AllowMultipleArgumentsPerToken = true };
        var attack = new AttackFlags(required: true);
        var dataFlags = new DataFlags();
        var cmd = new Command("baselines", "CA and ASR under ONION (n-gram LM), STRIP, back-translation and SCPD (spec §6)")
            { model, adapter, data, outDir, defenses, copies, frr, maxLen, seed, onionRates, onionBars };
        attack.AddTo(cmd);
        dataFlags.AddTo(cmd);
        cmd.SetAction(r => Cli.RunCancellable(ct =>
        {
            Cli.ApplyThreads(r);
            var request = new BaselineRequest
            {
                Model = r.GetValue(model)!, Adapter = r.GetValue(adapter), DataDir = r.GetValue(data)!, Attack = attack.Read(r)!, TargetLabel = r.GetValue(attack.Target),
                PoisonedTestFile = r.GetValue(attack.PoisonedTest), Reading = dataFlags.Read(r),
                OutDir = r.GetValue(outDir)!, Seed = r.GetValue(seed), MaxLength = r.GetValue(maxLen), StripCopies = r.GetValue(copies), StripTargetFrr = r.GetValue(frr),
            };
            if (r.GetValue(defenses) is { Length: > 0 } d) request = request with { Defenses = d };
            if (r.GetValue(onionRates) is { Length: > 0 } rates)
            {
                if (rates.Any(x => x is < 0 or > 1)) throw new PsimException("--onion-removal-rates are fractions between 0 and 1");
                request = request with { OnionRemovalRates = rates };
            }
            if (r.GetValue(onionBars) is { Length: > 0 } bars) request = request with { OnionBars = bars };
            foreach (var x in BaselineDefensePipeline.Run(request, Cli.Log, ct))
                Console.WriteLine($"{(x.Selected == true ? "*" : " ")}{x.Defense,-16} {x.Setting,-48} CA {(x.CleanAccuracy is double c ? c.ToString("P2") : "n/a")}  ASR {(x.AttackSuccessRate is double a ? a.ToString("P2") : "n/a")}{(x.Note is null ? "" : "  (" + x.Note + ")")}");
            return ExitCode.Ok;
        }));
        return cmd;
    }

    public static Command Defend()
    {
        var model = new Option<string>("--model") { Description = "the victim classifier, or the base of --adapter", Required = true };
        var adapter = new Option<string?>("--adapter") { Description = "the victim's PEFT adapter on --model" };
        var detector = new Option<string>("--detector") { Description = "a PSIM detector folder", Required = true };
        var detectorBase = new Option<string?>("--detector-base") { Description = "the detector's checkpoint when --model is a fully fine-tuned copy (default: the one psim.json records)" };
        var data = new Option<string>("--data") { Description = "task folder with the test file", Required = true };
        var outDir = new Option<string>("--out") { Description = "folder for metrics.json, confidence.png, summary.md, run.json", Required = true };
        var threshold = new Option<double?>("--threshold") { Description = "use this threshold instead of the detector's" };
        var maxLen = Cli.MaxLengthOption();
        var seed = Cli.SeedOption("seed for trigger insertion");
        var attack = new AttackFlags(required: true);
        var dataFlags = new DataFlags();
        var evaluate = new Command("evaluate", "CA and ASR with and without PSIM, FRR, FAR, precision, recall, F1, AUROC, and a confidence histogram")
            { model, adapter, detector, detectorBase, data, outDir, threshold, maxLen, seed };
        attack.AddTo(evaluate);
        dataFlags.AddTo(evaluate);
        evaluate.SetAction(r => Cli.RunCancellable(ct =>
        {
            Cli.ApplyThreads(r);
            var m = DefendEvaluatePipeline.Run(new DefendRequest
            {
                Model = r.GetValue(model)!, Adapter = r.GetValue(adapter), Detector = r.GetValue(detector)!, DetectorBase = r.GetValue(detectorBase),
                DataDir = r.GetValue(data)!, Attack = attack.Read(r)!, TargetLabel = r.GetValue(attack.Target), OutDir = r.GetValue(outDir)!, Reading = dataFlags.Read(r),
                Seed = r.GetValue(seed), MaxLength = r.GetValue(maxLen), PoisonedTestFile = r.GetValue(attack.PoisonedTest), Threshold = r.GetValue(threshold),
            }, Cli.Log, ct);
            Console.WriteLine($"CA  {m.CleanAccuracy:P2} -> {m.DefendedCleanAccuracy:P2} with PSIM ({m.CleanRows} rows)");
            Console.WriteLine($"ASR {m.AttackSuccessRate:P2} -> {m.DefendedAttackSuccessRate:P2} with PSIM ({m.AttackRows} rows, {m.Attack})");
            Console.WriteLine($"FRR {m.Frr:P2}  FAR {m.Far:P2}  precision {m.Precision:P2}  recall {m.Recall:P2}  F1 {m.F1:P2}  AUROC {m.Auroc:F4}  threshold {m.Threshold:0.######} ({m.ThresholdHow})");
            return ExitCode.Ok;
        }));
        var group = new Command("defend", "Evaluate defences");
        group.Subcommands.Add(evaluate);
        group.Subcommands.Add(Baselines());
        return group;
    }
}
