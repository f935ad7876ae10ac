namespace MLNetSeq2Seq;

/// <summary>
/// What <see cref="Seq2SeqPyTorchTrainingCatalog.ExportSeq2SeqTrainingData(Microsoft.ML.DataOperationsCatalog, Microsoft.ML.IDataView, Seq2SeqOptions, string)"/>
/// wrote: the run Fit would make with these options and data, as python/mlnetseq2seq_ddp.py will replay it.
/// </summary>
public sealed class PyTorchTrainingData
{
    internal PyTorchTrainingData(int trainingWindows, int validationWindows, long seriesRows, int seed, int batchSize, int stepsPerEpoch, double peakLearningRate, long bytes)
    {
        TrainingWindows = trainingWindows;
        ValidationWindows = validationWindows;
        SeriesRows = seriesRows;
        Seed = seed;
        BatchSize = batchSize;
        StepsPerEpoch = stepsPerEpoch;
        PeakLearningRate = peakLearningRate;
        Bytes = bytes;
    }

    /// <summary>Windows a training epoch visits.</summary>
    public int TrainingWindows { get; }

    /// <summary>Windows validated on after each epoch (0 when there is no validation data).</summary>
    public int ValidationWindows { get; }

    /// <summary>Series rows written in all (over the distinct input, target and future-feature series); 0 when the
    /// rows are not a window view and were written as dense windows instead.</summary>
    public long SeriesRows { get; }

    /// <summary>The run's seed (<see cref="Seq2SeqOptions.Seed"/>, else the MLContext's): initial weights, window order
    /// and teacher forcing derive from it.</summary>
    public int Seed { get; }

    /// <summary>The effective (global) batch: windows per optimizer step, over all ranks together.</summary>
    public int BatchSize { get; }

    /// <summary>Optimizer steps per epoch.</summary>
    public int StepsPerEpoch { get; }

    /// <summary>The learning rate the schedule peaks at, after <see cref="Seq2SeqOptions.LearningRateScaling"/> (or the
    /// range test's choice when <see cref="Seq2SeqOptions.LearningRate"/> is null).</summary>
    public double PeakLearningRate { get; }

    /// <summary>The file's size in bytes.</summary>
    public long Bytes { get; }
}
