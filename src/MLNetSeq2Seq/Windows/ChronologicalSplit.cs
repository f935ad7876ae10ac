using System;

namespace MLNetSeq2Seq;

/// <summary>
/// Row boundaries of a chronological train / validation / test split of one series, in 0-based rows:
/// training rows [0, <see cref="TrainEnd"/>), validation targets [<see cref="TrainEnd"/>, <see cref="ValidationEnd"/>),
/// test targets [<see cref="ValidationEnd"/>, <see cref="TestEnd"/>). Rows from <see cref="TestEnd"/> on are not used.
/// See <see cref="Seq2SeqCatalog.SplitSequenceWindowsChronologically"/> for how windows are assigned.
/// </summary>
/// <param name="TrainEnd">The first row after the training rows (a).</param>
/// <param name="ValidationEnd">The first row after the validation targets (b &gt; a).</param>
/// <param name="TestEnd">The first row after the test targets (c &gt; b).</param>
public sealed record ChronologicalSplit(long TrainEnd, long ValidationEnd, long TestEnd)
{
    /// <summary>Rows per "month" in the ETT benchmark protocol for hourly data: 30 days × 24 hours.</summary>
    public const int EttHourlyRowsPerMonth = 30 * 24;

    /// <summary>
    /// The benchmark split of the hourly ETT files (ETTh1, ETTh2) used by Informer, Autoformer, DLinear and
    /// PatchTST: 12 months of training rows, then 4 months of validation targets and 4 of test targets —
    /// rows [0, 8640), [8640, 11520), [11520, 14400). Later rows are unused.
    /// </summary>
    public static ChronologicalSplit EttHourly { get; } =
        new(12 * EttHourlyRowsPerMonth, 16 * EttHourlyRowsPerMonth, 20 * EttHourlyRowsPerMonth);

    /// <summary>
    /// The same benchmark split for the 15-minute ETT files (ETTm1, ETTm2): four times as many rows —
    /// [0, 34560), [34560, 46080), [46080, 57600).
    /// </summary>
    public static ChronologicalSplit EttFifteenMinutes { get; } =
        new(4 * 12 * EttHourlyRowsPerMonth, 4 * 16 * EttHourlyRowsPerMonth, 4 * 20 * EttHourlyRowsPerMonth);

    /// <summary>
    /// Boundaries from fractions of a series of <paramref name="rowCount"/> rows: a = ⌊rowCount × trainFraction⌋,
    /// b = a + ⌊rowCount × validationFraction⌋, c = rowCount (the test targets take the rest). For example 0.7 and
    /// 0.1 leave 20% for testing, the protocol of Autoformer's custom datasets up to rounding.
    /// </summary>
    /// <param name="rowCount">Rows in the series.</param>
    /// <param name="trainFraction">Share of the rows used for training, in (0, 1).</param>
    /// <param name="validationFraction">Share of the rows whose values are validation targets, in (0, 1 − trainFraction).</param>
    /// <exception cref="ArgumentOutOfRangeException">A count or fraction is out of range.</exception>
    public static ChronologicalSplit FromFractions(long rowCount, double trainFraction, double validationFraction)
    {
        if (rowCount <= 0)
            throw new ArgumentOutOfRangeException(nameof(rowCount), rowCount, $"{nameof(rowCount)} must be at least 1 (it is {rowCount}).");
        if (!(trainFraction > 0 && trainFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(trainFraction), trainFraction, $"{nameof(trainFraction)} must be in (0, 1) (it is {trainFraction}).");
        if (!(validationFraction > 0 && trainFraction + validationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction,
                $"{nameof(validationFraction)} must be > 0 and leave rows for testing: {nameof(trainFraction)} + {nameof(validationFraction)} = {trainFraction + validationFraction} must be < 1.");
        long trainEnd = (long)Math.Floor(rowCount * trainFraction);
        long validationEnd = trainEnd + (long)Math.Floor(rowCount * validationFraction);
        return new ChronologicalSplit(trainEnd, validationEnd, rowCount);
    }

    /// <summary>Checks 0 &lt; a &lt; b &lt; c; the window functions check the rest against the window shape and the series.</summary>
    internal void Validate()
    {
        if (TrainEnd <= 0 || ValidationEnd <= TrainEnd || TestEnd <= ValidationEnd)
            throw new ArgumentOutOfRangeException("split", this,
                $"The split boundaries must satisfy 0 < {nameof(TrainEnd)} < {nameof(ValidationEnd)} < {nameof(TestEnd)}; they are {TrainEnd}, {ValidationEnd}, {TestEnd}.");
    }
}
