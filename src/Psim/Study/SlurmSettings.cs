using System.Text.Json.Serialization;

namespace Psim.Study;

/// <summary>Where a study runs: here, step after step (the default), or on a Slurm cluster, one job per step.</summary>
public enum StudyExecutor
{
    Local,
    Slurm,
}

/// <summary>How <c>psim reproduce --executor slurm</c> asks Slurm for each step's job (the config's <c>slurm</c> section; ignored by the local executor).</summary>
public sealed record SlurmSettings
{
    /// <summary><c>sbatch --partition</c>; null: the cluster's default.</summary>
    [JsonPropertyName("partition")]
    public string? Partition { get; init; }

    /// <summary><c>sbatch --time</c> per step (e.g. "04:00:00"); null: the partition's default.</summary>
    [JsonPropertyName("time")]
    public string? Time { get; init; }

    /// <summary><c>sbatch --cpus-per-task</c> per step: the threads its tensor work gets.</summary>
    [JsonPropertyName("cpus_per_step")]
    public int CpusPerStep { get; init; } = 2;

    /// <summary><c>sbatch --mem</c> per step (e.g. "8G"); null: the partition's default.</summary>
    [JsonPropertyName("mem")]
    public string? Memory { get; init; }

    /// <summary>Further <c>sbatch</c> options, each one argument (e.g. "--account=lab", "--qos=long").</summary>
    [JsonPropertyName("sbatch_args")]
    public List<string> SbatchArgs { get; init; } = [];

    /// <summary>How a node runs psim (e.g. "/opt/psim/psim" or "dotnet /shared/psim/Psim.Cli.dll"); null: the psim that submits.</summary>
    [JsonPropertyName("psim_command")]
    public string? PsimCommand { get; init; }
}
