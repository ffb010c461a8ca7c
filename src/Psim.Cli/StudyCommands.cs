using System.CommandLine;
using Psim.Attacks;
using Psim.Evaluation;
using Psim.IO;
using Psim.Peft;
using Psim.Training;
using Psim.Workflows;

namespace Psim.Cli;

/// <summary><c>psim poison</c>, <c>psim finetune</c>, <c>psim evaluate</c>, <c>psim merge</c>, <c>psim data poison</c>.</summary>
internal static class StudyCommands
{
    public static Command Poison()
    {
        var baseModel = new Option<string>("--base")
        {
            Description = "the clean model to poison: 'minilm' or a Hugging Face folder",
            DefaultValueFactory = _ => MiniLmDefault.Name,
        };
        var task = new TaskFlags("proxy task folder with train/dev/test files (reference: ../shared/datasets/imdb)");
        var outDir = Cli.OutOption("folder for the poisoned checkpoint, metrics.json and run.json");
        var selectBy = VocabularyOption.Create(
            "--select-by",
            "which epoch to keep: poisoned-dev (reference: accuracy on the dev copy with triggered target rows), clean-dev, or balanced (mean of clean dev accuracy and dev ASR)",
            EpochSelection.PoisonedDev
        );
        var poisonedTrain = new Option<string?>("--poisoned-train")
        {
            Description = "SynAttack: paraphrased training set (default: train_synattack.json in the data folder)",
        };
        var poisoning = new PoisoningFlags("the training set");
        var attack = new AttackFlags(required: true);
        var settings = new AttackSettingsFlags();
        var train = new TrainingFlags(new TrainOptions { MaxLength = Defaults.PoisonMaxLength });
        var cmd = new Command("poison", "Build a weight-poisoned checkpoint by full fine-tuning on a poisoned proxy set (spec §2)")
        {
            baseModel,
            outDir,
            selectBy.Option,
            poisonedTrain,
        };
        foreach (var flags in new Action<Command>[] { task.AddTo, poisoning.AddTo, attack.AddTo, settings.AddTo, train.AddTo })
            flags(cmd);
        cmd.SetAction(r =>
            Cli.RunCancellable(ct =>
            {
                var given = attack.ReadRequired(r);
                var a = given with { Spec = settings.Read(r, given.Spec) };
                var res = PoisonWorkflow.Run(
                    new PoisonRequest
                    {
                        Task = task.Read(r),
                        BaseModel = r.GetValue(baseModel)!,
                        Attack = a,
                        OutDir = r.GetValue(outDir)!,
                        Force = r.GetValue(Cli.Force),
                        Poison = poisoning.Read(r, a.Spec.Kind),
                        Train = train.Read(r, Defaults.FullLearningRate),
                        PoisonedTrainFile = r.GetValue(poisonedTrain),
                        SelectBy = selectBy.Read(r),
                    },
                    Cli.Log,
                    ct
                );
                if (res.Test.CleanRows == 0)
                    Console.WriteLine(
                        $"task-agnostic encoder ({res.Test.Attack}) written; metrics.json says how near its outputs are to the trigger vectors"
                    );
                else
                    PrintReport(res.Test, $"poisoned model ({res.Test.Attack}, best epoch {res.Training.BestEpoch}) on the proxy test set");
                return ExitCode.Ok;
            })
        );
        return cmd;
    }

    public static Command Finetune()
    {
        var model = new Option<string>("--model")
        {
            Description = "the checkpoint to adapt (e.g. a poisoned one): 'minilm' or a Hugging Face folder",
            Required = true,
        };
        var method = VocabularyOption.Create(
            "--method",
            "full fine-tuning or a PEFT method (reference settings of spec §3)",
            TuningMethod.Full
        );
        var task = new TaskFlags("clean task folder with train/dev/test files (e.g. ../shared/datasets/sst-2)");
        var outDir = Cli.OutOption("folder for the fine-tuned model, metrics.json and run.json");
        var attack = new AttackFlags(required: false);
        var train = new TrainingFlags(
            new TrainOptions(),
            lrHelp: $"{TrainingFlags.Rate(Defaults.FullLearningRate)} for full, {TrainingFlags.Rate(Defaults.PeftLearningRate)} for PEFT methods"
        );
        var cmd = new Command(
            "finetune",
            "Fine-tune a checkpoint on clean data (the victim, spec §3); measures CA, and ASR when --attack is given"
        )
        {
            model,
            method.Option,
            outDir,
        };
        foreach (var flags in new Action<Command>[] { task.AddTo, attack.AddTo, train.AddTo })
            flags(cmd);
        cmd.SetAction(r =>
            Cli.RunCancellable(ct =>
            {
                var m = method.Read(r);
                var res = FinetuneWorkflow.Run(
                    new FinetuneRequest
                    {
                        Task = task.Read(r),
                        Model = r.GetValue(model)!,
                        Method = m,
                        OutDir = r.GetValue(outDir)!,
                        Force = r.GetValue(Cli.Force),
                        Attack = attack.Read(r),
                        Train = train.Read(r, m.DefaultLearningRate()),
                    },
                    Cli.Log,
                    ct
                );
                PrintReport(res.Test, $"fine-tuned model (best epoch {res.Training.BestEpoch}) on the test set");
                return ExitCode.Ok;
            })
        );
        return cmd;
    }

    public static Command Evaluate()
    {
        var victim = new VictimFlags();
        var task = new TaskFlags("task folder with a test file");
        var seed = Cli.SeedOption("seed for trigger insertion");
        var outFile = new Option<string?>("--out") { Description = "also write the metrics to this JSON file" };
        var attack = new AttackFlags(required: false);
        var cmd = new Command("evaluate", "Measure CA (and ASR with --attack) of a saved classifier") { seed, outFile };
        foreach (var flags in new Action<Command>[] { victim.AddTo, task.AddTo, attack.AddTo })
            flags(cmd);
        cmd.SetAction(r =>
            Cli.RunCancellable(ct =>
            {
                Cli.ApplyThreads(r);
                var request = new EvaluateRequest
                {
                    Task = task.Read(r),
                    Victim = victim.Read(r),
                    Attack = attack.Read(r),
                    Seed = r.GetValue(seed),
                    OutFile = r.GetValue(outFile),
                    Force = r.GetValue(Cli.Force),
                };
                var v = request.Victim;
                PrintReport(
                    EvaluateWorkflow.Run(request, Cli.Log, ct),
                    v.Adapter is null ? v.Model : $"{v.Model} with adapter {v.Adapter}"
                );
                return ExitCode.Ok;
            })
        );
        return cmd;
    }

    public static Command DataPoison()
    {
        var input = new Option<string>("--data") { Description = "a labelled data file (.jsonl, .json, .tsv, .csv)", Required = true };
        var outFile = Cli.OutOption("JSON Lines file to write, with a 'poisoned' flag per row");
        var seed = Cli.SeedOption("seed for trigger positions");
        var poisoning = new PoisoningFlags("the file");
        var attack = new AttackFlags(required: true, poisonedTest: false);
        var reading = new ReadingFlags();
        var cmd = new Command("poison", "Write a poisoned copy of a data file for inspection (BadNet, InSent)") { input, outFile, seed };
        foreach (var flags in new Action<Command>[] { poisoning.AddTo, attack.AddTo, reading.AddTo })
            flags(cmd);
        cmd.SetAction(r =>
            Cli.Run(() =>
            {
                var a = attack.ReadRequired(r);
                var done = DataPoisonWorkflow.Run(
                    new DataPoisonRequest
                    {
                        DataFile = r.GetValue(input)!,
                        Reading = reading.Read(r),
                        Attack = a,
                        Poison = poisoning.Read(r, a.Spec.Kind),
                        Seed = r.GetValue(seed),
                        OutFile = r.GetValue(outFile)!,
                        Force = r.GetValue(Cli.Force),
                    }
                );
                Cli.Log($"wrote {done.Rows} rows, {done.PoisonedRows} poisoned ({done.Trigger}), to {r.GetValue(outFile)}");
                return ExitCode.Ok;
            })
        );
        return cmd;
    }

    public static Command Merge()
    {
        var model = new Option<string>("--model") { Description = "the base model the adapter was trained on", Required = true };
        var adapter = new Option<string>("--adapter") { Description = "a LoRA adapter folder", Required = true };
        var outDir = Cli.OutOption("folder for the merged Hugging Face model");
        var cmd = new Command("merge", "Merge a LoRA adapter into its base weights and write a plain Hugging Face folder")
        {
            model,
            adapter,
            outDir,
        };
        cmd.SetAction(r =>
            Cli.Run(() =>
            {
                Cli.Log(
                    $"wrote {AdapterMerge.Run(r.GetValue(model)!, r.GetValue(adapter)!, r.GetValue(outDir)!, Cli.Log, r.GetValue(Cli.Force))}"
                );
                return ExitCode.Ok;
            })
        );
        return cmd;
    }

    private static void PrintReport(EvalReport r, string title)
    {
        Console.WriteLine(title);
        Console.WriteLine(
            $"  CA  {r.CleanAccuracy:P2}  ({r.CleanRows} clean test rows; by label: {string.Join(", ", r.ClassAccuracy.Select((a, i) => $"{i}: {(a is double v ? v.ToString("P1") : "no rows")}"))})"
        );
        if (r.AttackSuccessRate is double asr)
            Console.WriteLine(
                $"  ASR {asr:P2}  ({r.AttackRows} triggered non-target rows, {r.Attack}{(r.Triggers is null ? "" : ", the best trigger")})"
            );
        foreach (var t in r.Triggers ?? [])
            Console.WriteLine($"    {t.Trigger}: drives {t.AsrByClass[t.MapsTo]:P1} of other rows to label {t.MapsTo}");
    }
}
