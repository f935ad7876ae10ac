using System;
using System.Threading;
using MLNetSeq2Seq.MLNetInterop;

namespace MLNetSeq2Seq.Scoring;

/// <summary>
/// Warns, once per model instance, when the inputs of a model trained on z-scored windows look like they are not
/// z-scored: in a scored block, more than <see cref="FarFraction"/> of the values have |z| &gt; <see cref="FarZ"/>
/// (under a standard normal that is about 2e-23 of them; raw series values in place of standardized ones, such as
/// ETT loads around 40, trip it at once). A warning, not an error: a real regime change can do the same.
/// </summary>
internal sealed class DistributionCheck
{
    /// <summary>|z| beyond which a value counts as far outside the training distribution.</summary>
    public const float FarZ = 10;

    /// <summary>The share of far values in a block that triggers the warning.</summary>
    public const double FarFraction = 0.1;

    private readonly MLNetHost _log;
    private readonly string _column;
    private int _warned;

    public DistributionCheck(MLNetHost log, string column)
    {
        _log = log;
        _column = column;
    }

    public void Check(ReadOnlySpan<float> standardizedValues)
    {
        if (Volatile.Read(ref _warned) != 0 || standardizedValues.IsEmpty)
            return;
        int far = 0;
        foreach (float value in standardizedValues)
            if (Math.Abs(value) > FarZ)
                far++;
        double fraction = (double)far / standardizedValues.Length;
        if (fraction <= FarFraction || Interlocked.Exchange(ref _warned, 1) != 0)
            return;
        _log.Warning($"Seq2Seq: {fraction:P0} of the values in feature column '{_column}' lie more than {FarZ} standard deviations from the training mean "
            + "(the model was trained on z-scored windows). Were raw values given where standardized ones belong? Cut windows with the training "
            + "statistics (SequenceWindowOptions.Standardization = model.TrainingSeries.Statistics), or forecast raw values with CreateForecastEngine. "
            + "(Warned once per model.)");
    }
}
