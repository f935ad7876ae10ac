using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Microsoft.ML;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Bench;

/// <summary>
/// Component versus raw loop for one workload. Each pair runs a fresh component Fit with MaxEpochs = 1 (epoch time
/// from its EpochSummary.Seconds, total from a stopwatch around Fit) and a fresh raw model trained one epoch (timed
/// from the first step to the loss read, like the component's epoch clock). Both start from the same weights and
/// visit rows in the same order; the side that goes first alternates from pair to pair.
/// </summary>
internal sealed class TrainingComparison : IDisposable
{
    private readonly IDataView _view;
    private readonly Tensor _features;
    private readonly Tensor _labels;

    public TrainingComparison(Workload workload)
    {
        Workload = workload;
        List<SequenceRow> rows = workload.GenerateRows();
        _view = workload.ToDataView(new MLContext(seed: Workload.Seed), rows);
        _features = torch.tensor(rows.SelectMany(r => r.Features).ToArray(), new long[] { workload.RowCount, workload.InputLength, Workload.FeatureCount });
        _labels = torch.tensor(rows.SelectMany(r => r.Label).ToArray(), new long[] { workload.RowCount, Workload.Horizon, Workload.OutputFeatureCount });
    }

    public Workload Workload { get; }

    public List<TrainingPair> Pairs { get; } = new();

    public TrainingPair RunPair(int round)
    {
        bool componentFirst = round % 2 == 0;
        SwitchTo();
        ComponentFit? component = null;
        (double Seconds, double CpuSeconds, double Loss) raw = default;
        for (int side = 0; side < 2; side++)
        {
            Quiesce();
            if ((side == 0) == componentFirst)
                component = ComponentFit.Run(Workload, _view, maxEpochs: 1);
            else
                raw = RunRawEpoch();
        }
        var pair = new TrainingPair(round, componentFirst, component!.EpochSeconds, component.FitSeconds, component.FirstEpochCpuSeconds,
            component.Epochs[0].TrainLoss, raw.Seconds, raw.CpuSeconds, raw.Loss);
        Pairs.Add(pair);
        return pair;
    }

    /// <summary>Untimed: one component Fit and one raw run of <paramref name="epochs"/> epochs each.</summary>
    public void WarmUp(int epochs)
    {
        ComponentFit.Run(Workload, _view, epochs);
        using var loop = new RawTrainingLoop(Workload);
        for (int epoch = 1; epoch <= epochs; epoch++)
            loop.RunEpoch(_features, _labels, epoch);
    }

    private (double Seconds, double CpuSeconds, double Loss) RunRawEpoch()
    {
        double cpuAtStart = CpuClock.Seconds();
        using var loop = new RawTrainingLoop(Workload);
        var clock = Stopwatch.StartNew();
        double loss = loop.RunEpoch(_features, _labels, epoch: 1);
        double seconds = clock.Elapsed.TotalSeconds;
        return (seconds, CpuClock.Seconds() - cpuAtStart, loss);
    }

    /// <summary>Untimed: two raw steps at this workload's length before a pair. Rounds alternate between workloads, and the
    /// first epoch after a switch from a shorter window ran about 8 % slower, whichever side it was (2026-12-07, L = 336
    /// after L = 24), which loaded the ratio of every pair whose first side was the component.</summary>
    private void SwitchTo()
    {
        int rows = Math.Min(2 * Workload.BatchSize, (int)_features.shape[0]);
        using var scope = torch.NewDisposeScope();
        using var loop = new RawTrainingLoop(Workload);
        loop.RunEpoch(_features.narrow(0, 0, rows), _labels.narrow(0, 0, rows), epoch: 1);
    }

    /// <summary>Leaves neither side the other's garbage to collect.</summary>
    public static void Quiesce()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    public void Dispose()
    {
        _features.Dispose();
        _labels.Dispose();
    }
}
