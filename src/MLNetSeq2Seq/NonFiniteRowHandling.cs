namespace MLNetSeq2Seq;

/// <summary>What Fit does with a training or validation row whose features or label hold NaN or ±Infinity.</summary>
public enum NonFiniteRowHandling
{
    /// <summary>Stop with an error naming the data, the column, the first such row and the position in it (the default).</summary>
    Throw,

    /// <summary>Drop every such row, report how many were dropped in the MLContext log (a warning), and fail only
    /// when no row is left. Transform is not affected: scoring a non-finite row is always an error.</summary>
    Skip,
}
