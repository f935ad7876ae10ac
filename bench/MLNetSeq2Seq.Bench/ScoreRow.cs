using System;

namespace MLNetSeq2Seq.Bench;

/// <summary>What the prediction engine returns: the predicted sequence, 24 × 7 floats.</summary>
public sealed class ScoreRow
{
    public float[] Score { get; set; } = Array.Empty<float>();
}
