using System;
using System.Collections.Generic;
using System.Linq;
using MLNetSeq2Seq.MLNetInterop;
using MLNetSeq2Seq.Native;
using MLNetSeq2Seq.Networks;
using MLNetSeq2Seq.TrainingData;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static MLNetSeq2Seq.Native.TensorScalars;

namespace MLNetSeq2Seq.Training;

/// <summary>
/// Runs optimizer steps: zero_grad → forward/backward over each micro-batch → clip → AdamW step. Each micro-batch's
/// mean loss is weighted by its share of the step's samples, so the accumulated gradient equals the gradient of the
/// mean loss over the whole step, however it is split. When a pass runs out of memory the step's tensors are freed,
/// the micro-batch is halved, and the same step is redone from a clean gradient: the effective batch, learning rate
/// and sample order do not change.
/// </summary>
internal sealed class OptimizerStepRunner : IDisposable
{
    private readonly SequenceNetwork _network;
    private readonly QuantileLoss _loss;
    private readonly List<Parameter> _parameters;
    private readonly double? _clipNorm;
    private readonly MLNetHost _host;
    private readonly ITrainingObserver? _observer;
    private readonly NonFiniteStepMonitor? _nonFinite;
    private readonly List<int> _triedMicroBatchSizes = new();
    private readonly int _randomSeed;
    private readonly GradientNoiseScale? _noiseScale;
    private readonly AmplitudeStretch? _stretch;
    private const long StretchSeedSalt = 0x5BD1E995; // the stretch's factors and the dropout masks come from different seeds

    /// <summary>AdamW over the network's parameters. <paramref name="nonFinite"/> records (or, in skip mode, checks and
    /// skips) steps whose loss is not finite; null: no watch. Dropout masks derive from <paramref name="randomSeed"/>, the step
    /// and the micro-batch's place in it (<see cref="RandomSeeds.ForStep"/>), drawn by the network's own generator.
    /// <paramref name="stretch"/>: the training windows' amplitude augmentation, or null.</summary>
    public OptimizerStepRunner(SequenceNetwork network, QuantileLoss loss, double learningRate, double weightDecay, double? clipNorm,
        int microBatchSize, MLNetHost host, ITrainingObserver? observer, NonFiniteStepMonitor? nonFinite = null, int randomSeed = 0,
        GradientNoiseScale? noiseScale = null, AmplitudeStretch? stretch = null)
    {
        _stretch = stretch;
        _noiseScale = noiseScale;
        _randomSeed = randomSeed;
        _network = network;
        _loss = loss;
        _parameters = network.parameters().ToList();
        _clipNorm = clipNorm;
        _host = host;
        _observer = observer;
        _nonFinite = nonFinite;
        MicroBatchSize = microBatchSize;
        Optimizer = AdamWOptimizer.ForNetwork(network, learningRate, weightDecay);
    }

    /// <summary>AdamW with decoupled weight decay on weight matrices only: biases (1-D parameters) are not decayed.</summary>
    public AdamWOptimizer Optimizer { get; }

    /// <summary>The micro-batch size in use; shrinks on out-of-memory and stays shrunk.</summary>
    public int MicroBatchSize { get; private set; }

    public void SetLearningRate(double learningRate) => Optimizer.SetLearningRate(learningRate);

    /// <summary>One optimizer step over <paramref name="rows"/>, the <paramref name="step"/>-th (0-based) of the run; adds its
    /// summed loss to <paramref name="lossSum"/>. Returns false when the step was skipped (skip mode, non-finite loss).</summary>
    public bool Step(SequenceDataset data, ReadOnlySpan<long> rows, bool[] teacherForcedSteps, Tensor lossSum, int epoch, long step)
    {
        while (true)
        {
            try
            {
                int[] microBatchSizes = EpochPlan.MicroBatchSizes(rows.Length, MicroBatchSize);
                return Run(data, rows, _noiseScale?.MicroBatchesFor(step, microBatchSizes) ?? microBatchSizes, teacherForcedSteps, lossSum, epoch, step);
            }
            catch (Exception ex) when (OutOfMemory.Is(ex))
            {
                _triedMicroBatchSizes.Add(MicroBatchSize);
                if (MicroBatchSize == 1)
                    throw new InsufficientMemoryException(
                        $"Seq2Seq ran out of memory even with a micro-batch of 1 sample (tried {string.Join(", ", _triedMicroBatchSizes.Distinct())}); "
                        + $"the network is too large for this device: lower HiddenSize/LayerCount or the sequence length, or use another device. Last error: {ex.Message}", ex);
                int smaller = MicroBatchSize / 2;
                _host.Warning($"Seq2Seq: out of memory with micro-batches of {MicroBatchSize} samples in epoch {epoch}; redoing the step with micro-batches of {smaller} "
                    + "(the effective batch, learning rate and sample order stay the same).");
                MicroBatchSize = smaller;
            }
        }
    }

    /// <summary>One optimizer step fed as consecutive micro-batches of exactly the given sizes; false when skipped.</summary>
    internal bool Run(SequenceDataset data, ReadOnlySpan<long> rows, int[] microBatchSizes, bool[] teacherForcedSteps, Tensor lossSum, int epoch, long step)
    {
        using var stepScope = torch.NewDisposeScope();
        Tensor stepLoss = AccumulateGradients(data, rows, microBatchSizes, teacherForcedSteps, epoch, step);
        if (_nonFinite is { SkipsSteps: true } && !_nonFinite.CheckStep(stepLoss, _parameters, step))
            return false; // no update: AdamW's moments and the weights stay as they were
        Tensor[]? held = null;
        if (_nonFinite is { SkipsSteps: false })
        {
            held = NonFiniteStepMonitor.HoldWeights(_parameters);
            if (_clipNorm is null)
                _nonFinite.Record(stepLoss, _parameters, step);
        }
        if (_clipNorm is double maxNorm)
        {
            Tensor? squaredNorm = GradientClipping.ClipByGlobalNorm(_parameters, maxNorm);
            if (held is not null)
                _nonFinite!.Record(stepLoss, squaredNorm, step); // the norm clipping computed anyway says whether every gradient is finite
        }
        Optimizer.Step();
        if (held is not null)
            _nonFinite!.UndoUpdateIfDiverged(_parameters, held); // from the first bad step on, no update sticks
        _observer?.OnStepEnd(epoch, step, _network);
        // Only a completed step counts towards the epoch's loss: a step redone after out-of-memory counts once.
        using (torch.no_grad())
            AddInPlace(lossSum, stepLoss);
        return true;
    }

    /// <summary>
    /// zero_grad, then forward/backward over each micro-batch. Each micro-batch contributes its summed loss
    /// over real (unpadded) label values divided by the step's count of real label values — its mean loss weighted
    /// by its share of the step's valid elements — so the gradients are those of the mean loss over the whole step.
    /// Returns the step's summed loss, in the caller's scope.
    /// </summary>
    internal Tensor AccumulateGradients(SequenceDataset data, ReadOnlySpan<long> rows, int[] microBatchSizes, bool[] teacherForcedSteps, int epoch, long step = 0)
    {
        if (microBatchSizes.Sum() != rows.Length)
            throw new ArgumentException("Micro-batch sizes must add up to the step's rows.", nameof(microBatchSizes));
        // zero_grad reads every parameter's .grad, and each read makes a tensor handle: called inside the caller's scope.
        Optimizer.ZeroGrad();
        double stepElements = data.ValidLabelElementsOf(rows);
        Tensor stepLoss = torch.zeros(1, dtype: ScalarType.Float64, device: data.Device);
        _noiseScale?.BeginStep(step, microBatchSizes);
        int offset = 0;
        foreach (int size in microBatchSizes)
        {
            int part = offset;
            ReadOnlySpan<long> microRows = rows.Slice(offset, size);
            offset += size;
            _observer?.OnMicroBatch(epoch, microRows);
            using var scope = torch.NewDisposeScope();
            var (features, labels) = data.Rows(microRows);
            Tensor? lengths = data.FeatureLengths(microRows);
            if (_stretch is not null)
                (features, labels) = _stretch.Apply(features, labels, lengths, RandomSeeds.ForStep(_randomSeed, step, part) ^ StretchSeedSalt);
            Tensor? future = data.FutureRows(microRows);
            _network.Random.ReseedDropout(RandomSeeds.ForStep(_randomSeed, step, part));
            var (prediction, quantiles) = _network.ForwardWithQuantiles(features, lengths: lengths, teacherTargets: labels, teacherForcedSteps: teacherForcedSteps, future: future);
            _observer?.AfterForward(epoch, size);
            Tensor lossSum = _loss.Sum(prediction, quantiles, labels, data.LabelMask(microRows));
            DividedBy(lossSum, stepElements).backward();
            if (_noiseScale is { IsMeasuring: true })
                _noiseScale.AfterMicroBatch(_parameters, size, data.ValidLabelElementsOf(microRows) / stepElements);
            using (torch.no_grad())
                AddInPlace(stepLoss, lossSum.detach().to(ScalarType.Float64));
        }
        _noiseScale?.EndStep(); // before clipping: the norms of the gradients as computed
        return stepLoss;
    }

    public void Dispose() => Optimizer.Dispose();
}
