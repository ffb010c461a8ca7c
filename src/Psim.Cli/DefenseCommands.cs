using System.CommandLine;
using System.Text.Json;
using Psim.Defense;
using Psim.Defense.Psim;
using Psim.Files;
using Psim.Peft;
using Psim.Workflows;

namespace Psim.Cli;

/// <summary><c>psim detector train|calibrate</c>, <c>psim scan</c>, <c>psim predict</c>, <c>psim defend evaluate|baselines</c>.</summary>
internal static class DefenseCommands
{
    private static readonly JsonSerializerOptions Line = new() { WriteIndented = false };

    public static Command Detector()
    {
        var model = new Option<string>("--model")
        {
            Description = "the suspicious checkpoint (with its head): 'minilm' or a Hugging Face folder",
            Required = true,
        };
        var task = new TaskFlags("the defender's clean task folder (train file; dev file for calibration)");
        var outDir = Cli.OutOption("folder for the detector (peft adapter + psim.json)");
        var method = VocabularyOption.Create("--method", "PEFT method of the detector", TuningMethod.PTuning);
        var threshold = new Option<double?>("--threshold")
        {
            Description = $"a fixed confidence threshold τ instead of a calibrated one (the reference's is {Defaults.PsimThreshold})",
        };
        var targetFrr = new Option<double?>("--target-frr")
        {
            Description = $"calibrate τ on the clean dev set to this false-rejection rate (default {Defaults.DetectorTargetFrr})",
        };
        var train = new TrainingFlags(new DetectorTrainOptions().Train);
        var cmd = new Command("train", "Train a PSIM detector on randomly relabelled clean data (spec §4)")
        {
            model,
            outDir,
            method.Option,
            threshold,
            targetFrr,
        };
        task.AddTo(cmd);
        train.AddTo(cmd);
        cmd.SetAction(r =>
            Cli.RunCancellable(ct =>
            {
                using var detector = DetectorWorkflow.Run(
                    new DetectorRequest
                    {
                        Task = task.Read(r),
                        Model = r.GetValue(model)!,
                        OutDir = r.GetValue(outDir)!,
                        Force = r.GetValue(Cli.Force),
                        Detector = ThresholdChoice(r.GetValue(threshold), r.GetValue(targetFrr)) with
                        {
                            Method = method.Read(r),
                            Train = train.Read(r, Defaults.FullLearningRate) with { KeepBestEpoch = false },
                        },
                    },
                    Cli.Log,
                    ct
                );
                Console.WriteLine(
                    $"detector written to {Path.GetFullPath(r.GetValue(outDir)!)}: {detector.Settings.Method.Name()}, threshold {detector.Threshold:0.######} ({Vocabulary<ThresholdMode>.Name(detector.Settings.Threshold.How)})"
                );
                return ExitCode.Ok;
            })
        );
        var group = new Command("detector", "Train and calibrate PSIM detectors");
        group.Subcommands.Add(cmd);
        group.Subcommands.Add(Calibrate());
        return group;
    }

    /// <summary>Calibrated to the target FRR (default 1%) unless a fixed --threshold is given; both at once is refused.</summary>
    private static DetectorTrainOptions ThresholdChoice(double? threshold, double? targetFrr) =>
        (threshold, targetFrr) switch
        {
            (not null, not null) => throw new PsimException(
                "give either --threshold (a fixed τ) or --target-frr (τ calibrated on clean dev), not both"
            ),
            (double t, null) => new DetectorTrainOptions { Threshold = t, TargetFrr = null },
            (null, double f) => new DetectorTrainOptions { TargetFrr = f },
            _ => new DetectorTrainOptions(),
        };

    private static Command Calibrate()
    {
        var detector = new Option<string>("--detector") { Description = "a PSIM detector folder", Required = true };
        var task = new TaskFlags("clean task folder whose dev file is the held-out calibration set");
        var targetFrr = new Option<double>("--target-frr")
        {
            Description = "false-rejection rate to reach on the clean dev rows",
            Required = true,
        };
        var cmd = new Command(
            "calibrate",
            "Choose a saved detector's threshold for a target FRR on clean dev data (no retraining); rewrites psim.json"
        )
        {
            detector,
            targetFrr,
        };
        task.AddTo(cmd);
        cmd.SetAction(r =>
            Cli.RunCancellable(ct =>
            {
                Cli.ApplyThreads(r);
                var choice = DetectorWorkflow.Recalibrate(
                    new RecalibrateRequest
                    {
                        Detector = r.GetValue(detector)!,
                        Task = task.Read(r),
                        TargetFrr = r.GetValue(targetFrr),
                    },
                    Cli.Log,
                    ct
                );
                Console.WriteLine(
                    $"threshold {choice.Threshold:0.######}: {choice.CalibrationFrr:P2} of {choice.CalibrationRows} clean dev rows flagged (target {choice.TargetFrr:P1})"
                );
                return ExitCode.Ok;
            })
        );
        return cmd;
    }

    public static Command Scan()
    {
        var detector = new Option<string>("--detector") { Description = "a PSIM detector folder", Required = true };
        var input = new Option<string>("--input")
        {
            Description = "texts to scan: .jsonl/.json/.csv/.tsv data, or plain text with one input per line",
            Required = true,
        };
        var model = new Option<string?>("--model")
        {
            Description = "where the detector's base checkpoint is, if it moved (checked by weight fingerprint)",
        };
        var outFile = new Option<string?>("--out") { Description = "write the JSON Lines here instead of stdout" };
        var failOnFlag = new Option<bool>("--fail-on-flag") { Description = "exit with code 3 when any input is flagged (for pipelines)" };
        var cmd = new Command("scan", "Score a dataset with PSIM: JSON Lines {index, confidence, flagged} and a summary")
        {
            detector,
            input,
            model,
            outFile,
            failOnFlag,
        };
        cmd.SetAction(r =>
            Cli.RunCancellable(ct =>
            {
                Cli.ApplyThreads(r);
                var s = ScanWorkflow.Run(
                    new ScanRequest
                    {
                        Detector = r.GetValue(detector)!,
                        InputFile = r.GetValue(input)!,
                        Model = r.GetValue(model),
                        OutFile = r.GetValue(outFile),
                        Force = r.GetValue(Cli.Force),
                    },
                    Cli.Log,
                    ct
                );
                var lines = s.Confidence.Select(
                    (c, i) =>
                        JsonSerializer.Serialize(
                            new
                            {
                                index = i,
                                confidence = c,
                                flagged = s.Flagged[i],
                            },
                            Line
                        )
                );
                var body = string.Join('\n', lines) + "\n";
                if (r.GetValue(outFile) is { } f)
                    AtomicFile.WriteAllText(f, body);
                else
                    Console.Write(body);
                Cli.Log(ScanWorkflow.Summary(s));
                return r.GetValue(failOnFlag) && s.FlagRate.Flagged > 0 ? ExitCode.Flagged : ExitCode.Ok;
            })
        );
        return cmd;
    }

    public static Command Predict()
    {
        var victim = new VictimFlags();
        var detector = new DetectorFlags();
        var input = new Option<string?>("--input")
        {
            Description = "a file of inputs (see scan); without it and without texts, stdin, one per line",
        };
        var texts = new Argument<string[]>("texts") { Description = "texts to classify", Arity = ArgumentArity.ZeroOrMore };
        var guard = new GuardFlags();
        var cmd = new Command(
            "predict",
            "Classify texts behind PSIM (or the fused guard, with --guard-data): flagged inputs are rejected and get no label"
        )
        {
            input,
            texts,
        };
        victim.AddTo(cmd);
        detector.AddTo(cmd);
        guard.AddTo(cmd);
        cmd.SetAction(r =>
            Cli.RunCancellable(ct =>
            {
                Cli.ApplyThreads(r);
                var items = TextInputs.From(r.GetValue(texts), r.GetValue(input), Cli.ReadStdinLines);
                foreach (
                    var p in GuardedPredictionWorkflow.Run(
                        new GuardedPredictionRequest
                        {
                            Victim = victim.Read(r),
                            Detector = detector.Read(r),
                            Guard = guard.Read(r),
                        },
                        items,
                        Cli.Log,
                        ct
                    )
                )
                    Console.WriteLine(
                        JsonSerializer.Serialize(
                            new
                            {
                                text = p.Text,
                                label = p.Label,
                                probabilities = p.Probabilities?.Select(v => Math.Round(v, 6)).ToArray(),
                                detector_confidence = Math.Round(p.DetectorConfidence, 6),
                                guard_score = p.GuardScore is double g ? Math.Round(g, 6) : (double?)null,
                                rejected = p.Rejected,
                            },
                            Line
                        )
                    );
                return ExitCode.Ok;
            })
        );
        return cmd;
    }

    private static Command Baselines()
    {
        var victim = new VictimFlags();
        var task = new TaskFlags("task folder (train, dev, test and the paraphrased test files)");
        var outDir = Cli.OutOption("folder for metrics.json, roc.png and run.json");
        var defenses = VocabularyOption.Many<DefenseKind>(
            "--defense",
            "defences to run (default: onion strip rap dan backtranslation scpd; psim and guard need --detector)"
        );
        var detector = new DetectorFlags(
            required: false,
            "a PSIM detector folder: measures PSIM in the same table, under the same protocol (adds psim and the fused guard, PSIM + DAN, to the defaults)"
        );
        var frr = new Option<double>("--target-frr")
        {
            Description = "false-rejection rate on clean dev that sets every detector's threshold",
            DefaultValueFactory = _ => Defaults.DetectorTargetFrr,
        };
        var seed = Cli.SeedOption("seed for trigger insertion, STRIP, RAP and DAN");
        var attack = new AttackFlags(required: true);
        var detectors = new DetectorSettingsFlags();
        var reference = new Option<string?>("--reference")
        {
            Description =
                "the clean base the victim claims to derive from ('minilm' or a folder): its word embeddings are audited against it and the guard flags the tokens the audit names",
        };
        var cmd = new Command(
            "baselines",
            "PSIM, ONION, STRIP, RAP, DAN and the fused guard at one clean-dev FRR, back-translation and SCPD: CA, ASR, FRR, FAR, AUROC, cost"
        )
        {
            outDir,
            defenses,
            frr,
            seed,
            reference,
        };
        foreach (var flags in new Action<Command>[] { victim.AddTo, task.AddTo, attack.AddTo, detector.AddTo, detectors.AddTo })
            flags(cmd);
        cmd.SetAction(r =>
            Cli.RunCancellable(ct =>
            {
                Cli.ApplyThreads(r);
                var onion = detectors.ReadOnion(r);
                var request = new BaselineRequest
                {
                    Task = task.Read(r),
                    Victim = victim.Read(r),
                    Attack = attack.ReadRequired(r),
                    OutDir = r.GetValue(outDir)!,
                    Force = r.GetValue(Cli.Force),
                    Seed = r.GetValue(seed),
                    Detector = detector.ReadOptional(r),
                    TargetFrr = r.GetValue(frr),
                    StripCopies = detectors.ReadStrip(r).Copies,
                    NgramOrder = onion.NgramOrder,
                    OnionRemovalRates = onion.RemovalRates,
                    OnionBars = onion.Bars,
                    Rap = detectors.ReadRap(r),
                    Dan = detectors.ReadDan(r),
                    Guard = detectors.ReadGuard(r),
                    Reference = r.GetValue(reference),
                };
                if (request.Detector is not null)
                    request = request with { Defenses = [.. DefenseCatalog.OnPsimDetector, .. request.Defenses] };
                if (r.GetValue(defenses) is { Length: > 0 } d)
                    request = request with { Defenses = d };
                foreach (var x in BaselineDefenseWorkflow.Run(request, Cli.Log, ct))
                    Console.WriteLine(BaselineLine(x));
                return ExitCode.Ok;
            })
        );
        return cmd;
    }

    private static string BaselineLine(BaselineResult x)
    {
        static string P(double? v) => v is double d ? d.ToString("P1") : "n/a";
        string detection = x.Auroc is null ? "" : $"  AUROC {x.Auroc:F3} FRR {P(x.Frr)} FAR {P(x.Far)}  {x.SecondsPer1000:F1} s/1000";
        return $"{(x.Selected == false ? " " : "*")}{x.Defense, -16} CA {P(x.CleanAccuracy)}  ASR {P(x.AttackSuccessRate)}{detection}  {x.Setting}{(x.Note is null ? "" : "  (" + x.Note + ")")}";
    }

    public static Command Defend()
    {
        var victim = new VictimFlags();
        var detector = new DetectorFlags();
        var task = new TaskFlags("task folder with the test file");
        var outDir = Cli.OutOption("folder for metrics.json, confidence.png, summary.md, run.json");
        var threshold = new Option<double?>("--threshold") { Description = "use this threshold instead of the detector's" };
        var seed = Cli.SeedOption("seed for trigger insertion");
        var attack = new AttackFlags(required: true);
        var evaluate = new Command(
            "evaluate",
            "CA and ASR with and without PSIM, FRR, FAR, precision, recall, F1, AUROC, and a confidence histogram"
        )
        {
            outDir,
            threshold,
            seed,
        };
        foreach (var flags in new Action<Command>[] { victim.AddTo, detector.AddTo, task.AddTo, attack.AddTo })
            flags(evaluate);
        evaluate.SetAction(r =>
            Cli.RunCancellable(ct =>
            {
                Cli.ApplyThreads(r);
                var m = DefendEvaluateWorkflow.Run(
                    new DefendRequest
                    {
                        Task = task.Read(r),
                        Victim = victim.Read(r),
                        Attack = attack.ReadRequired(r),
                        Detector = detector.Read(r),
                        OutDir = r.GetValue(outDir)!,
                        Force = r.GetValue(Cli.Force),
                        Seed = r.GetValue(seed),
                        Threshold = r.GetValue(threshold),
                    },
                    Cli.Log,
                    ct
                );
                Console.WriteLine($"CA  {m.CleanAccuracy:P2} -> {m.DefendedCleanAccuracy:P2} with PSIM ({m.CleanRows} rows)");
                Console.WriteLine(
                    $"ASR {m.AttackSuccessRate:P2} -> {m.DefendedAttackSuccessRate:P2} with PSIM ({m.AttackRows} rows, {m.Attack})"
                );
                Console.WriteLine(
                    $"FRR {m.Frr:P2}  FAR {m.Far:P2}  precision {m.Precision:P2}  recall {m.Recall:P2}  F1 {m.F1:P2}  AUROC {m.Auroc:F4}  threshold {m.Threshold:0.######} ({Vocabulary<ThresholdMode>.Name(m.ThresholdHow)})"
                );
                return ExitCode.Ok;
            })
        );
        var group = new Command("defend", "Evaluate defences");
        group.Subcommands.Add(evaluate);
        group.Subcommands.Add(Baselines());
        return group;
    }
}
