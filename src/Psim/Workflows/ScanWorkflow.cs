using Psim.Data;
using Psim.Defense.Detection;
using Psim.Defense.Psim;
using Psim.IO;

namespace Psim.Workflows;

/// <summary>What <c>psim scan</c> does: a PSIM detector's confidence on every input of a file.</summary>
public sealed record ScanRequest
{
    public required string Detector { get; init; }

    /// <summary>Texts to scan: .jsonl/.json/.csv/.tsv data, or plain text with one input per line.</summary>
    public required string InputFile { get; init; }

    /// <summary>Where the detector's base checkpoint is, if it moved (checked by weight fingerprint).</summary>
    public string? Model { get; init; }

    /// <summary>Where the caller will write the scores (checked before any work: never an input, never an existing file unless <see cref="Force"/>).</summary>
    public string? OutFile { get; init; }
    public bool Force { get; init; }

    /// <summary>When the flag rate counts as parted from the FRR the threshold was calibrated for.</summary>
    public FlagRateOptions FlagRate { get; init; } = new();
}

/// <summary>Each input's confidence and whether it is flagged, at the detector's threshold; the flag rate against the calibrated FRR.</summary>
public sealed record ScanResult(
    IReadOnlyList<double> Confidence,
    IReadOnlyList<bool> Flagged,
    double Threshold,
    ThresholdMode How,
    FlagRateCheck FlagRate
);

public static class ScanWorkflow
{
    public static ScanResult Run(ScanRequest r, Action<string> log, CancellationToken ct = default)
    {
        if (r.OutFile is { } outFile)
            Files.OutputPaths.ClaimFile(outFile, [r.InputFile, r.Detector, r.Model], r.Force);
        var texts = TextListReader.Read(r.InputFile);
        using var detector = PsimDetector.Load(r.Detector, r.Model is { } m ? ModelResolver.Open(m, log) : null, log);
        r.FlagRate.Validate();
        var scores = detector.Score(texts, progressLabel: "scan", ct: ct);
        var flagged = scores.Select(detector.Flags).ToList();
        var rate = Defense.Detection.FlagRate.Check(
            flagged.Count,
            flagged.Count(f => f),
            Defense.Detection.FlagRate.Expected(detector.Settings.Threshold),
            r.FlagRate
        );
        return new ScanResult(scores, flagged, detector.Threshold, detector.Settings.Threshold.How, rate);
    }

    /// <summary>The scan's summary line: the threshold, how it was chosen, and the flag rate against the calibrated FRR (a warning when they part).</summary>
    public static string Summary(ScanResult s) =>
        $"scanned at threshold {s.Threshold:0.######} ({Vocabulary<ThresholdMode>.Name(s.How)}): {s.FlagRate.Describe()}";
}
