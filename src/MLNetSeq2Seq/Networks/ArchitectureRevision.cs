namespace MLNetSeq2Seq.Networks;

/// <summary>Which fields a stored architecture record holds: each revision adds fields after the previous one's. The
/// model file and the checkpoint map their format versions to one of these.</summary>
internal enum ArchitectureRevision
{
    /// <summary>Shapes, recurrent settings, dropout, residual decoding (model format 0x00010003, checkpoint 3).</summary>
    Recurrent,

    /// <summary>+ family, segment length, instance normalisation (+affine), channel independence, targets (0x00010004, checkpoint 4).</summary>
    Forecasting,

    /// <summary>+ quantile levels (0x00010007, checkpoint 6).</summary>
    Quantiles,

    /// <summary>+ known-future feature count (0x00010009, checkpoint 7).</summary>
    FutureFeatures,

    /// <summary>+ lookback (0x0001000B, checkpoint 8).</summary>
    Lookback,

    /// <summary>+ the family's own fields as a length-prefixed block (0x0001000C, checkpoint 9).</summary>
    FamilyFields,
}
