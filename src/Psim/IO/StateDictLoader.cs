using TorchSharp;
using static TorchSharp.torch;

namespace Psim.IO;

/// <summary>
/// Strict loading of a safetensors state dict into a module. Keys of a plain encoder checkpoint
/// (<c>embeddings.*</c>) are mapped under the module's prefix (<c>bert.</c>) when the module needs it.
/// </summary>
public static class StateDictLoader
{
    /// <summary>Buffers that older transformers versions saved and that carry no weights.</summary>
    private static bool IsBenignExtra(string key) => key.EndsWith("embeddings.position_ids", StringComparison.Ordinal);

    /// <param name="allowNew">keys (exact or prefixes ending in '.') the caller accepts to initialise freshly when absent, e.g. a new head</param>
    /// <param name="skipFileKeys">file keys (exact or prefixes ending in '.') not to load, e.g. a head being replaced; reported as ignored</param>
    public static LoadReport Load(
        nn.Module module,
        SafeTensorsFile file,
        IReadOnlyCollection<string> allowNew,
        bool strict = true,
        IReadOnlyCollection<string>? skipFileKeys = null
    )
    {
        var wanted = module.state_dict();
        bool Skip(string k) => skipFileKeys?.Any(a => a == k || (a.EndsWith('.') && k.StartsWith(a, StringComparison.Ordinal))) == true;
        var fileKeys = file.Entries.Keys.Where(k => !Skip(k)).ToList();
        var skipped = file.Entries.Keys.Where(Skip).ToList();
        var mapped = MapKeys(wanted.Keys, fileKeys);

        var missing = new List<string>();
        var newInit = new List<string>();
        var mismatched = new List<string>();
        var toCopy = new List<(string Key, string FileKey)>();
        foreach (var (key, t) in wanted)
        {
            if (!mapped.TryGetValue(key, out var fk))
            {
                if (allowNew.Any(a => a == key || (a.EndsWith('.') && key.StartsWith(a, StringComparison.Ordinal))))
                    newInit.Add(key);
                else
                    missing.Add(key);
                continue;
            }
            var e = file.Entries[fk];
            if (!e.Shape.SequenceEqual(t.shape))
                mismatched.Add($"{key} (file [{string.Join(",", e.Shape)}], model [{string.Join(",", t.shape)}])");
            else
                toCopy.Add((key, fk));
        }
        var unexpected = mapped.Keys.Where(k => !wanted.ContainsKey(k) && !IsBenignExtra(k)).Select(k => mapped[k]).ToList();
        var ignored = mapped.Keys.Where(k => !wanted.ContainsKey(k) && IsBenignExtra(k)).Select(k => mapped[k]).Concat(skipped).ToList();
        var report = new LoadReport(missing, unexpected, mismatched, newInit, ignored);
        if (strict && !report.IsClean)
            throw new PsimFormatException($"{file.Path}: the weights do not fit this model: {report.Describe()}");

        using (no_grad())
        {
            foreach (var (key, fk) in toCopy)
            {
                using var scope = NewDisposeScope(); // the tensor read and its cast (a copy when the file's dtype differs) freed at once
                wanted[key].copy_(file.ReadParameter(fk).to(wanted[key].dtype));
            }
        }
        return report;
    }

    /// <summary>model key → file key. An encoder file loads into a classifier under <c>bert.</c>;
    /// a classifier file loads into an encoder with <c>bert.</c> stripped (its head is then unexpected).</summary>
    private static Dictionary<string, string> MapKeys(IEnumerable<string> modelKeys, IReadOnlyCollection<string> fileKeys)
    {
        const string P = "bert.";
        bool modelHasBert = modelKeys.Any(k => k.StartsWith(P, StringComparison.Ordinal));
        bool fileHasBert = fileKeys.Any(k => k.StartsWith(P, StringComparison.Ordinal));
        Func<string, string> map = (modelHasBert, fileHasBert) switch
        {
            (true, false) => k => P + k,
            (false, true) => k => k.StartsWith(P, StringComparison.Ordinal) ? k[P.Length..] : k,
            _ => k => k,
        };
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var k in fileKeys)
            result[map(k)] = k;
        return result;
    }
}
