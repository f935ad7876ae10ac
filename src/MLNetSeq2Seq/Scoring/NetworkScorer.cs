using System;
using System.Collections.Generic;
using MLNetSeq2Seq.Columns;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Scoring;

/// <summary>Adjusts one row's forecasts after the network: its H × O point forecasts stay, its quantiles may move.</summary>
internal delegate void ScoreAdjustment(ReadOnlySpan<float> point, Span<float> quantiles);

/// <summary>
/// The transformer's scoring port: runs its network on blocks of rows, under a lease of its lifetime, and applies the
/// model's score adjustment (the quantile calibration). Safe to call from several threads at once.
/// </summary>
internal sealed class NetworkScorer : ISequenceScorer
{
    private readonly NetworkLifetime _lifetime;
    private readonly Device _device;
    private readonly Func<ScoreAdjustment?> _adjustment;
    private readonly DistributionCheck? _distributionCheck;

    /// <param name="lifetime">The network and its leases.</param>
    /// <param name="device">Where the network lives.</param>
    /// <param name="scoreSlotNames">H × O names of the score values, or null.</param>
    /// <param name="adjustment">Read at every call: the adjustment in force (it may be set after construction), or null.</param>
    /// <param name="distributionCheck">Warns about inputs far outside the training distribution, or null.</param>
    public NetworkScorer(NetworkLifetime lifetime, Device device, IReadOnlyList<string>? scoreSlotNames, Func<ScoreAdjustment?> adjustment, DistributionCheck? distributionCheck)
    {
        _lifetime = lifetime;
        _device = device;
        _adjustment = adjustment;
        _distributionCheck = distributionCheck;
        ScoreSlotNames = scoreSlotNames;
        var architecture = lifetime.Network.Architecture;
        QuantileSlotNames = Columns.QuantileSlotNames.Of(scoreSlotNames, architecture.Quantiles, architecture.Horizon, architecture.OutputFeatureCount);
        // Asked for every row a scoring block gathers: looked up in the family registry once, here.
        ScoresMixedLengths = architecture.FamilyDescriptor.TakesVariableLengths;
    }

    private Networks.NetworkArchitecture Architecture => _lifetime.Network.Architecture;

    public int InputFeatureCount => Architecture.InputFeatureCount;

    public int OutputFeatureCount => Architecture.OutputFeatureCount;

    public int Horizon => Architecture.Horizon;

    public IReadOnlyList<string>? ScoreSlotNames { get; }

    public int QuantileCount => Architecture.Quantiles.Length;

    public IReadOnlyList<string>? QuantileSlotNames { get; }

    public bool ScoresMixedLengths { get; }

    public int FutureFeatureCount => Architecture.FutureFeatureCount;

    public void Score(ReadOnlySpan<float> features, int rowCount, int inputLength, ReadOnlySpan<int> rowLengths, Span<float> scores) =>
        ScoreWithFuture(features, rowCount, inputLength, rowLengths, scores, ReadOnlySpan<float>.Empty);

    public void ScoreWithFuture(ReadOnlySpan<float> features, int rowCount, int inputLength, ReadOnlySpan<int> rowLengths, Span<float> scores, ReadOnlySpan<float> future)
    {
        using NetworkLifetime.NetworkLease lease = _lifetime.Lease();
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        int inputFeatures = InputFeatureCount, horizon = Horizon, futureFeatures = FutureFeatureCount;
        _distributionCheck?.Check(features.Slice(0, rowCount * inputLength * inputFeatures));
        Tensor input = torch.empty(new long[] { rowCount, inputLength, inputFeatures }, ScalarType.Float32);
        input.data<float>().CopyFrom(features.Slice(0, rowCount * inputLength * inputFeatures), 0, 0);
        Tensor? lengths = rowLengths.IsEmpty ? null : torch.tensor(Array.ConvertAll(rowLengths.ToArray(), l => (long)l), dtype: ScalarType.Int64);
        Tensor? futureTensor = null;
        if (futureFeatures > 0)
        {
            int futureLength = rowCount * horizon * futureFeatures;
            if (future.Length < futureLength)
                throw new ArgumentException($"The model takes Horizon × K = {horizon} × {futureFeatures} known-future values per row, {futureLength} for {rowCount} rows, but {future.Length} were given.", nameof(future));
            futureTensor = torch.empty(new long[] { rowCount, horizon, futureFeatures }, ScalarType.Float32);
            futureTensor.data<float>().CopyFrom(future.Slice(0, futureLength), 0, 0);
            futureTensor = futureTensor.to(_device);
        }
        var (point, quantiles) = _lifetime.Network.ForwardWithQuantiles(input.to(_device), lengths, future: futureTensor);
        // Each row: its H × O point forecasts, then its quantiles as [H, Q, O].
        Tensor prediction = quantiles is null ? point
            : torch.cat(new[] { point.reshape(rowCount, -1), quantiles.permute(0, 1, 3, 2).reshape(rowCount, -1) }, 1);
        prediction = prediction.cpu().contiguous();
        int pointLength = horizon * OutputFeatureCount;
        int rowLength = pointLength * (1 + QuantileCount);
        prediction.data<float>().CopyTo(scores.Slice(0, rowCount * rowLength), 0, 0);
        if (_adjustment() is { } adjust)
        {
            for (int row = 0; row < rowCount; row++)
                adjust(scores.Slice(row * rowLength, pointLength), scores.Slice(row * rowLength + pointLength, rowLength - pointLength));
        }
    }
}
