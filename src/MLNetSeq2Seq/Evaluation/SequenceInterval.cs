namespace MLNetSeq2Seq;

/// <summary>One central prediction interval of <see cref="SequenceQuantileMetrics"/>: its levels, the share of label
/// values inside it (bounds included) and its mean width.</summary>
public sealed record SequenceInterval(double LowerLevel, double UpperLevel, double Coverage, double MeanWidth)
{
    /// <summary>The nominal coverage, UpperLevel − LowerLevel (0.8 for the 0.1–0.9 interval).</summary>
    public double NominalCoverage => UpperLevel - LowerLevel;
}
