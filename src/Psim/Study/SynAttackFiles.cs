using Psim.Attacks;
using Psim.Data;

namespace Psim.Study;

/// <summary>
/// SynAttack's poisoned rows come as pre-paraphrased files (<c>train_synattack</c> in the proxy folder,
/// <c>test_synattack</c> in both), in any format the data readers accept; a study skips the attack for a
/// pair that lacks one, and says which.
/// </summary>
public static class SynAttackFiles
{
    public static string? Missing(AttackKind kind, string proxyDir, string victimDir)
    {
        if (!AttackCatalog.Of(kind).PoisonsFromParaphrases)
            return null;
        foreach (var (dir, split) in new[] { (proxyDir, "train_synattack"), (proxyDir, "test_synattack"), (victimDir, "test_synattack") })
            if (new TaskData(dir).FindFile(split) is null)
                return $"no SynAttack {(split.StartsWith("train", StringComparison.Ordinal) ? "training" : "test")} set ({split}.jsonl, .json, .tsv or .csv) in {dir}";
        return null;
    }
}
