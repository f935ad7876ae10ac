using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Microsoft.ML;
using MLNetSeq2Seq;
using TorchSharp;

namespace MLNetSeq2Seq.Bench;

/// <summary>
/// One component Fit through the public API, timed as a whole, with every EpochSummary and the training thread's
/// live TorchSharp tensor count after each epoch (read in the Progress callback, which runs on that thread).
/// </summary>
internal sealed record ComponentFit(double FitSeconds, IReadOnlyList<EpochSummary> Epochs, IReadOnlyList<long> LiveTensorsAfterEpoch,
    IReadOnlyList<double> CpuSecondsAtEpochEnd)
{
    public double EpochSeconds => Epochs.Sum(e => e.Seconds);

    /// <summary>Fit time outside the epochs: reading the IDataView into tensors, plus building network and optimizer.</summary>
    public double PreparationSeconds => FitSeconds - EpochSeconds;

    /// <summary>CPU seconds from the start of Fit to the end of the first epoch (its Progress report): the epoch plus
    /// the data preparation before it.</summary>
    public double FirstEpochCpuSeconds => CpuSecondsAtEpochEnd[0];

    public static ComponentFit Run(Workload workload, IDataView data, int maxEpochs)
    {
        var epochs = new List<EpochSummary>();
        var live = new List<long>();
        var cpu = new List<double>();
        double cpuAtStart = 0;
        var progress = new SynchronousProgress<EpochSummary>(summary =>
        {
            epochs.Add(summary);
            cpu.Add(CpuClock.Seconds() - cpuAtStart);
            live.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        });
        var ml = new MLContext(seed: Workload.Seed);
        Seq2SeqEstimator estimator = ml.Regression.Trainers.Seq2Seq(workload.ComponentOptions(maxEpochs, progress));
        cpuAtStart = CpuClock.Seconds();
        var clock = Stopwatch.StartNew();
        Seq2SeqTransformer model = estimator.Fit(data);
        clock.Stop();
        model.Dispose();
        return new ComponentFit(clock.Elapsed.TotalSeconds, epochs, live, cpu);
    }

    /// <summary>A trained transformer for the inference figure (the caller disposes it).</summary>
    public static Seq2SeqTransformer Train(Workload workload, IDataView data, int maxEpochs)
    {
        var ml = new MLContext(seed: Workload.Seed);
        return ml.Regression.Trainers.Seq2Seq(workload.ComponentOptions(maxEpochs, progress: null)).Fit(data);
    }
}
