using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using MLNetSeq2Seq.Networks;
using MLNetSeq2Seq.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Tests.Training;

/// <summary>Shared pieces for the training-control tests.</summary>
internal static class TrainingTestKit
{
    public static Dictionary<string, Tensor> Weights(Seq2SeqTransformer model) =>
        model.Network.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());

    /// <summary>Largest |a − b| / max(|b|, floor) over all tensors.</summary>
    public static double MaxRelativeDifference(Dictionary<string, Tensor> a, Dictionary<string, Tensor> b, double floor = 1e-3)
    {
        double worst = 0;
        foreach (var (name, expected) in b)
        {
            using var scope = torch.NewDisposeScope();
            Tensor difference = (a[name] - expected).abs() / expected.abs().clamp_min(floor);
            worst = Math.Max(worst, difference.max().ToDouble());
        }
        return worst;
    }

    /// <summary>‖a − b‖ / ‖b‖ with both sides flattened over every tensor.</summary>
    public static double NormRelativeDifference(Dictionary<string, Tensor> a, Dictionary<string, Tensor> b)
    {
        double difference = 0, reference = 0;
        foreach (var (name, expected) in b)
        {
            using var scope = torch.NewDisposeScope();
            difference += (a[name] - expected).to(ScalarType.Float64).pow(2).sum().ToDouble();
            reference += expected.to(ScalarType.Float64).pow(2).sum().ToDouble();
        }
        return Math.Sqrt(difference / reference);
    }

    public static Seq2SeqEstimator Estimator(MLContext ml, Seq2SeqOptions options, ITrainingObserver? observer = null)
    {
        var estimator = ml.Regression.Trainers.Seq2Seq(options);
        estimator.Observer = observer;
        return estimator;
    }

    public sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    /// <summary>Throws the real out-of-memory exception type for micro-batches larger than a limit.</summary>
    public sealed class MemoryLimit(int largestMicroBatch) : ITrainingObserver
    {
        public List<int> Attempts { get; } = new();

        public void OnMicroBatch(int epoch, ReadOnlySpan<long> rows) => Attempts.Add(rows.Length);

        public void AfterForward(int epoch, int microBatchSize)
        {
            if (microBatchSize > largestMicroBatch)
                throw new System.Runtime.InteropServices.ExternalException(
                    $"CUDA out of memory. Tried to allocate 2.00 GiB (test hook: micro-batch {microBatchSize} > {largestMicroBatch})");
        }

        public void OnEpochEnd(int epoch, SequenceNetwork network)
        {
        }
    }
}
