using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static MLNetSeq2Seq.Native.TensorScalars;

namespace MLNetSeq2Seq.Training;

/// <summary>
/// Estimates the simple gradient noise scale B_simple = tr(Σ) / |G|² during training (McCandlish, Kaplan, Amodei et al.,
/// "An Empirical Model of Large-Batch Training", 2018, Appendix A). On a sampled optimizer step with k ≥ 2 micro-batches,
/// each micro-batch's own gradient g_i (batch b_i) and the step's accumulated gradient g_B (batch B = Σ b_i) are two
/// gradient estimates at two batch sizes, with E|g_b|² = |G|² + tr(Σ)/b. From the mean of |g_i|² (batch
/// B_small = k / Σ 1/b_i) and |g_B|² the unbiased estimates are
/// |G|² ≈ (B |g_B|² − B_small |g_small|²) / (B − B_small) and tr(Σ) ≈ (|g_small|² − |g_B|²) / (1/B_small − 1/B);
/// each is smoothed with an exponential moving average over the sampled steps before their ratio is taken.
/// A sampled step that would run as one micro-batch runs as two halves instead (<see cref="MicroBatchesFor"/>): the
/// accumulated gradient is the same up to rounding. Norms are taken before clipping, stay on the device during the
/// epoch and are read once at its end. Owns a copy of the gradients (one parameter-sized buffer).
/// </summary>
internal sealed class GradientNoiseScale : IDisposable
{
    /// <summary>The moving averages' decay per sampled step.</summary>
    public const double DefaultDecay = 0.95;

    private const int Capacity = 256;
    private readonly int _everySteps;
    private readonly double _decay;
    private readonly Tensor[] _previous;
    private readonly Tensor _smallSum;
    private readonly Tensor _records; // (Capacity, 2): mean |g_i|², |g_B|² of each recorded step, float64
    private readonly List<(double Small, double Big)> _batches = new();
    private readonly List<GradientNoiseScaleEpoch> _epochs = new();
    private double _emaSquaredNorm, _emaTrace, _emaWeight;
    private int _sampledThisEpoch;
    private double _smallBatchSum, _bigBatchSum;
    private bool _measuring;
    private int _microBatches;
    private double _inverseBatchSum;
    private int _stepRows;

    /// <summary>Samples every <paramref name="everySteps"/>-th optimizer step (1: every step) of a network with these parameters.</summary>
    public GradientNoiseScale(IEnumerable<Parameter> parameters, int everySteps, Device device, double decay = DefaultDecay)
    {
        if (everySteps < 1)
            throw new ArgumentOutOfRangeException(nameof(everySteps), everySteps, "Sample at least every step (everySteps ≥ 1).");
        if (!(decay >= 0 && decay < 1))
            throw new ArgumentOutOfRangeException(nameof(decay), decay, "The decay must lie in [0, 1).");
        _everySteps = everySteps;
        _decay = decay;
        using (torch.no_grad())
        {
            _previous = parameters.Select(p => torch.zeros_like(p).DetachFromDisposeScope()).ToArray();
            _smallSum = torch.zeros(1, dtype: ScalarType.Float64, device: device).DetachFromDisposeScope();
            _records = torch.zeros(Capacity, 2, dtype: ScalarType.Float64, device: device).DetachFromDisposeScope();
        }
    }

    /// <summary>The estimator Fit uses: null when <see cref="Seq2SeqOptions.GradientNoiseScaleEverySteps"/> is null (off).</summary>
    public static GradientNoiseScale? For(Seq2SeqOptions options, IEnumerable<Parameter> parameters, Device device) =>
        options.GradientNoiseScaleEverySteps is int every ? new GradientNoiseScale(parameters, every, device) : null;

    /// <summary>The epochs reported so far by <see cref="EndEpoch"/>.</summary>
    public IReadOnlyList<GradientNoiseScaleEpoch> Epochs => _epochs;

    /// <summary>Whether the current step is being measured (sampled, two or more micro-batches).</summary>
    public bool IsMeasuring => _measuring;

    /// <summary>Whether optimizer step <paramref name="step"/> (0-based, of the run) is one the estimator samples.</summary>
    public bool Samples(long step) => step % _everySteps == 0;

    /// <summary>The micro-batches to run a step as: on a sampled step planned as one micro-batch of at least two rows,
    /// its two halves (so that there are two batch sizes to compare); otherwise the plan.</summary>
    public int[] MicroBatchesFor(long step, int[] planned) =>
        planned.Length == 1 && planned[0] >= 2 && Samples(step) ? new[] { (planned[0] + 1) / 2, planned[0] / 2 } : planned;

    /// <summary>Called after zero_grad; starts measuring when the step is sampled and has two or more micro-batches.</summary>
    public void BeginStep(long step, int[] microBatchSizes)
    {
        _measuring = microBatchSizes.Length >= 2 && Samples(step);
        if (!_measuring)
            return;
        _microBatches = 0;
        _inverseBatchSum = 0;
        _stepRows = 0;
        using (torch.no_grad())
        {
            _smallSum.zero_();
            foreach (Tensor previous in _previous)
                previous.zero_();
        }
    }

    /// <summary>After a micro-batch's backward pass: the micro-batch's own gradient is the change of the accumulated one
    /// divided by its <paramref name="share"/> of the step's loss weight. Call inside a dispose scope.</summary>
    public void AfterMicroBatch(IReadOnlyList<Parameter> parameters, int size, double share)
    {
        if (!_measuring)
            return;
        using var _ = torch.no_grad();
        var squares = new List<Tensor>(parameters.Count);
        for (int i = 0; i < parameters.Count; i++)
        {
            Tensor? gradient = parameters[i].grad;
            if (gradient is null)
                continue;
            Tensor change = gradient.sub(_previous[i]);
            squares.Add(Power(change, 2).sum().to(ScalarType.Float64)); // summed in the gradient's type (libtorch sums pairwise)
            _previous[i].copy_(gradient);
        }
        if (squares.Count > 0)
            AddScaledInPlace(_smallSum, torch.stack(squares.ToArray()).sum(), 1.0 / (share * share));
        _microBatches++;
        _inverseBatchSum += 1.0 / size;
        _stepRows += size;
    }

    /// <summary>After the last micro-batch, before clipping: records the step's two squared norms on the device.
    /// Call inside a dispose scope.</summary>
    public void EndStep()
    {
        if (!_measuring || _microBatches < 2)
            return;
        _measuring = false;
        using var _ = torch.no_grad();
        Tensor big = torch.stack(_previous.Select(p => Power(p, 2).sum().to(ScalarType.Float64)).ToArray()).sum();
        Tensor row = torch.cat(new[] { DividedBy(_smallSum, _microBatches), big.reshape(1) });
        _records[_batches.Count].copy_(row);
        _batches.Add((_microBatches / _inverseBatchSum, _stepRows));
        if (_batches.Count == Capacity)
            Flush();
    }

    /// <summary>Reads the epoch's recorded steps (one device read), updates the moving averages and reports the epoch.</summary>
    public GradientNoiseScaleEpoch EndEpoch(int epoch)
    {
        Flush();
        double? scale = _emaSquaredNorm > 0 && _emaTrace > 0 && _emaWeight > 0 ? _emaTrace / _emaSquaredNorm : null;
        double correction = _emaWeight > 0 ? _emaWeight : 1;
        var summary = new GradientNoiseScaleEpoch(epoch, scale, _emaSquaredNorm / correction, _emaTrace / correction, _sampledThisEpoch,
            _sampledThisEpoch == 0 ? 0 : _smallBatchSum / _sampledThisEpoch, _sampledThisEpoch == 0 ? 0 : _bigBatchSum / _sampledThisEpoch);
        _epochs.Add(summary);
        _sampledThisEpoch = 0;
        _smallBatchSum = _bigBatchSum = 0;
        return summary;
    }

    /// <summary>The unbiased estimates of |G|² and tr(Σ) from squared gradient norms at two batch sizes (Appendix A).</summary>
    public static (double SquaredNorm, double Trace) Estimates(double smallBatch, double smallSquaredNorm, double bigBatch, double bigSquaredNorm) =>
        ((bigBatch * bigSquaredNorm - smallBatch * smallSquaredNorm) / (bigBatch - smallBatch),
         (smallSquaredNorm - bigSquaredNorm) / (1 / smallBatch - 1 / bigBatch));

    private void Flush()
    {
        if (_batches.Count == 0)
            return;
        double[] norms;
        using (torch.NewDisposeScope())
            norms = _records.narrow(0, 0, _batches.Count).cpu().data<double>().ToArray();
        for (int i = 0; i < _batches.Count; i++)
        {
            var (small, big) = _batches[i];
            if (!(big > small))
                continue;
            var (squaredNorm, trace) = Estimates(small, norms[2 * i], big, norms[2 * i + 1]);
            if (!double.IsFinite(squaredNorm) || !double.IsFinite(trace))
                continue; // a step with NaN gradients says nothing about the noise
            _emaSquaredNorm = _decay * _emaSquaredNorm + (1 - _decay) * squaredNorm;
            _emaTrace = _decay * _emaTrace + (1 - _decay) * trace;
            _emaWeight = _decay * _emaWeight + (1 - _decay);
            _sampledThisEpoch++;
            _smallBatchSum += small;
            _bigBatchSum += big;
        }
        _batches.Clear();
    }

    public void Dispose()
    {
        foreach (Tensor previous in _previous)
            previous.Dispose();
        _smallSum.Dispose();
        _records.Dispose();
    }
}
