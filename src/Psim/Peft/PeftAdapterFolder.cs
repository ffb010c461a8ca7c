using System.Text.Json;
using System.Text.Json.Nodes;
using Psim.Files;
using Psim.IO;
using static TorchSharp.torch;

namespace Psim.Peft;

/// <summary>
/// A peft adapter folder: <c>adapter_config.json</c> and <c>adapter_model.safetensors</c> with peft's
/// field names and keys, plus <c>psim_adapter.json</c> recording the base checkpoint's weight fingerprint.
/// </summary>
public static class PeftAdapterFolder
{
    public const string ConfigFile = "adapter_config.json",
        WeightsFile = "adapter_model.safetensors",
        IdentityFile = "psim_adapter.json";

    public static void Save(string dir, PeftClassifier model, HfCheckpoint baseCheckpoint, string baseFingerprint)
    {
        Directory.CreateDirectory(dir);
        var state = model.Method.SaveState(model.Model);
        foreach (var (k, v) in model.HeadState())
            state[k] = v;
        SafeTensorsWriter.RequireFinite(Path.Combine(dir, WeightsFile), state);
        SafeTensorsWriter.Write(Path.Combine(dir, WeightsFile), state, new Dictionary<string, string> { ["format"] = "pt" });
        AtomicFile.WriteAllText(Path.Combine(dir, ConfigFile), model.Config.ToJson());
        var identity = new JsonObject
        {
            ["method"] = model.Config.Method,
            ["base_fingerprint"] = baseFingerprint,
            ["base_model"] = Path.GetFullPath(baseCheckpoint.Directory),
            ["base_origin"] = baseCheckpoint.Origin,
            ["written_by"] = "psim " + Runtime.PsimVersion.Psim,
        };
        AtomicFile.WriteAllText(Path.Combine(dir, IdentityFile), identity.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    public static PeftConfig ReadConfig(string dir)
    {
        var path = Path.Combine(dir, ConfigFile);
        if (!File.Exists(path))
            throw new PsimException($"{dir}: no {ConfigFile}; not a PEFT adapter folder");
        return PeftConfig.Parse(Files.StrictText.ReadAll(path), path);
    }

    /// <summary>
    /// Builds the base classifier, checks that the adapter was trained on these very weights, attaches
    /// the method and loads the adapter and head. An adapter without psim's identity file (e.g. from
    /// Python) cannot be checked; <paramref name="warn"/> says so.
    /// </summary>
    public static PeftClassifier Load(string dir, HfCheckpoint baseCheckpoint, Action<string>? warn = null)
    {
        if (!Directory.Exists(dir))
            throw new PsimException($"{dir}: adapter folder not found");
        IO.RunFile.RequireFinished(dir);
        var config = ReadConfig(dir);
        var weightsPath = Path.Combine(dir, WeightsFile);
        if (!File.Exists(weightsPath))
        {
            if (File.Exists(Path.Combine(dir, "adapter_model.bin")))
                throw PickleGuard.Refusal(Path.Combine(dir, "adapter_model.bin"));
            throw new PsimException($"{dir}: no {WeightsFile}");
        }
        CheckBase(dir, baseCheckpoint, warn);
        var file = SafeTensorsFile.Open(weightsPath);
        if (file.ElementCount > baseCheckpoint.Config.ParameterCount)
            throw new PsimFormatException(
                $"{weightsPath}: the adapter holds {file.ElementCount:N0} values, more than its base model's {baseCheckpoint.Config.ParameterCount:N0} parameters; psim refuses it before reading it"
            );
        var state = file.ReadAllParameters();
        var headKey = state.Keys.FirstOrDefault(k => k.EndsWith("classifier.weight", StringComparison.Ordinal))
            ?? throw new PsimFormatException($"{weightsPath}: no classifier.weight (the trained head copy)");
        int numLabels = (int)state[headKey].shape[0];
        var model = baseCheckpoint.LoadClassifier(out _, numLabels);
        var peft = PeftFactory.Attach(model, config);
        peft.Method.LoadState(model, state, weightsPath);
        foreach (var (k, t) in peft.HeadState())
            PeftState.CopyInto(state, k, t, weightsPath);
        var known = peft.Method.SaveState(model).Keys.Concat(peft.HeadState().Keys).ToHashSet();
        var extra = state.Keys.Where(k => !known.Contains(k)).ToList();
        foreach (var t in state.Values)
            t.Dispose();
        if (extra.Count > 0)
            throw new PsimFormatException($"{weightsPath}: unexpected tensors {string.Join(", ", extra.Take(5))}");
        return peft;
    }

    private static void CheckBase(string dir, HfCheckpoint baseCheckpoint, Action<string>? warn)
    {
        var idPath = Path.Combine(dir, IdentityFile);
        if (!File.Exists(idPath))
        {
            warn?.Invoke($"{dir} has no {IdentityFile}: cannot check that it was trained on {baseCheckpoint.Directory}");
            return;
        }
        var fields = new JsonFields(Json.ParseObject(idPath), idPath);
        var expected = fields.String("base_fingerprint") ?? throw new PsimFormatException($"{idPath}: no base_fingerprint");
        if (expected.Length < 19)
            throw new PsimFormatException($"{idPath}: base_fingerprint \"{expected}\" is not a fingerprint psim wrote");
        var actual = WeightsFingerprint.Compute(baseCheckpoint.Weights);
        if (expected != actual)
            throw new PsimException(
                $"the adapter in {dir} was trained on different base weights ({fields.String("base_model") ?? "unknown"}, {expected[..19]}...) "
                    + $"than {baseCheckpoint.Directory} ({actual[..19]}...). An adapter only works on the exact weights it was trained with; give that model with --model."
            );
    }
}
