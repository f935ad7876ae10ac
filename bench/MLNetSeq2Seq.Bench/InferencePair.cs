namespace MLNetSeq2Seq.Bench;

/// <summary>
/// One round of the inference comparison: the component's Transform and PredictionEngine over the same
/// <paramref name="Rows"/> rows and model, and for reference a hand-written TorchSharp forward of the same
/// architecture, batched over the same rows and per row over the first <paramref name="RawPerRowRows"/>.
/// </summary>
internal sealed record InferencePair(int Round, int Rows, int RawPerRowRows, double TransformSeconds, double EngineSeconds,
    double RawBatchedSeconds, double RawPerRowSeconds, double MaxAbsDifference)
{
    public double TransformRowsPerSecond => Rows / TransformSeconds;

    public double EngineRowsPerSecond => Rows / EngineSeconds;

    public double RawBatchedRowsPerSecond => Rows / RawBatchedSeconds;

    public double RawPerRowRowsPerSecond => RawPerRowRows / RawPerRowSeconds;

    /// <summary>Figure 3: batched Transform rows/s ÷ per-row PredictionEngine rows/s.</summary>
    public double Speedup => TransformRowsPerSecond / EngineRowsPerSecond;

    /// <summary>Raw batched rows/s ÷ Transform rows/s: the component's cost in batched inference (1 = none).</summary>
    public double TransformOverhead => RawBatchedRowsPerSecond / TransformRowsPerSecond;

    /// <summary>Raw per-row rows/s ÷ PredictionEngine rows/s: the ML.NET + component cost per row (1 = none).</summary>
    public double EngineOverhead => RawPerRowRowsPerSecond / EngineRowsPerSecond;

    /// <summary>What batching buys a hand-written loop: raw batched rows/s ÷ raw per-row rows/s.</summary>
    public double RawSpeedup => RawBatchedRowsPerSecond / RawPerRowRowsPerSecond;
}
