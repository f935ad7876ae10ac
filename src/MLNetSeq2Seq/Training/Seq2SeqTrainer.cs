using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using MLNetSeq2Seq.Data;
using MLNetSeq2Seq.MLNetInterop;
using MLNetSeq2Seq.Networks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Training;

/// <summary>
/// The training loop. Per optimizer step: zero_grad → forward/backward over each micro-batch (loss weighted by its
/// share of the step's samples, so accumulation equals one big batch) → clip → step → schedule. Every row is
/// visited once per epoch in a seeded order; validation runs in eval mode with autoregressive decoding; early
/// stopping restores the best epoch's weights. Scalars are read from the device once per epoch.
/// </summary>
internal sealed class Seq2SeqTrainer
{
    private readonly Seq2SeqOptions _options;
    private readonly MLNetHost _host;
    private readonly int _seed;
    private readonly ITrainingObserver? _observer;

    public Seq2SeqTrainer(Seq2SeqOptions options, MLNetHost host, int seed, ITrainingObserver? observer = null)
    {
        _options = options;
        _host = host;
        _seed = seed;
        _observer = observer;
    }

    public TrainingHistory Train(Seq2SeqNetwork network, SequenceDataset train, SequenceDataset? validation)
    {
        int batchSize = Math.Min(_options.BatchSize, train.Count);
        int microBatchSize = Math.Min(_options.MicroBatchSize ?? batchSize, batchSize);
        int stepsPerEpoch = EpochPlan.StepsPerEpoch(train.Count, batchSize);
        var schedule = new LearningRateScheduler(_options, _options.LearningRate, (long)stepsPerEpoch * _options.MaxEpochs);
        List<Parameter> parameters = network.parameters().ToList();
        using var optimizer = CreateOptimizer(network, schedule.RateAt(0));
        using var best = new BestWeights(network);
        var earlyStopping = new EarlyStopping(_options.EarlyStoppingPatience, _options.EarlyStoppingMinDelta);
        using Tensor lossSum = torch.zeros(1, dtype: ScalarType.Float64, device: train.Features.device);

        _host.Info($"Seq2Seq: {train.Count} training rows, {(validation is null ? "no validation" : $"{validation.Count} validation rows")}, "
            + $"device {train.Features.device}, batch {batchSize} (micro-batch {microBatchSize}), {stepsPerEpoch} steps per epoch, "
            + $"up to {_options.MaxEpochs} epochs, {_options.Schedule} schedule, peak learning rate {_options.LearningRate:G3}.");
        if (validation is null)
            _host.Info("Seq2Seq: no validation data (set ValidationSet or ValidationFraction): no early stopping, the model keeps the last epoch's weights.");

        var epochs = new List<EpochSummary>();
        long step = 0;
        bool stoppedEarly = false;
        network.train();
        for (int epoch = 1; epoch <= _options.MaxEpochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            EpochPlan plan = EpochPlan.Create(train.Count, batchSize, _seed, epoch);
            bool[] teacherForcedSteps = new bool[network.Architecture.Horizon];
            var coin = new Random(EpochPlan.DerivedSeed(_seed, epoch, stream: 2));
            double teacherForcing = TeacherForcingRatio(epoch);
            double learningRate = 0;
            using (torch.NewDisposeScope())
                lossSum.zero_();
            foreach (var (start, count) in plan.Steps)
            {
                _host.ThrowIfCanceled();
                learningRate = schedule.RateAt(step);
                SetLearningRate(optimizer, learningRate);
                for (int t = 0; t < teacherForcedSteps.Length; t++)
                    teacherForcedSteps[t] = coin.NextDouble() < teacherForcing;
                RunOptimizerStep(network, parameters, optimizer, train, plan.Order.AsSpan(start, count),
                    EpochPlan.MicroBatchSizes(count, microBatchSize), teacherForcedSteps, lossSum, epoch);
                step++;
            }

            double trainLoss;
            using (torch.NewDisposeScope())
                trainLoss = lossSum.ToDouble() / ((double)train.Count * network.Architecture.Horizon * network.Architecture.OutputFeatureCount);
            if (!double.IsFinite(trainLoss))
                throw Diverged(network, best, epoch, learningRate);
            _observer?.OnEpochEnd(epoch, network);
            double? validationLoss = validation is null ? null : SequenceLoss.MeanSquaredError(network, validation, _options.InferenceBatchSize);
            double monitored = validationLoss ?? trainLoss;
            schedule.OnEpochEnd(monitored);

            bool isBest = earlyStopping.Observe(epoch, monitored);
            if (isBest && validation is not null)
                best.Capture(network);
            var summary = new EpochSummary(epoch, trainLoss, validationLoss, learningRate, clock.Elapsed.TotalSeconds, plan.Steps.Count, isBest);
            epochs.Add(summary);
            _host.Info("Seq2Seq: " + summary);
            _options.Progress?.Report(summary);

            if (validation is not null && earlyStopping.ShouldStop && epoch < _options.MaxEpochs)
            {
                stoppedEarly = true;
                _host.Info($"Seq2Seq: no validation improvement for {_options.EarlyStoppingPatience} epochs; stopping after epoch {epoch}.");
                break;
            }
        }

        int keptEpoch = epochs.Count;
        if (validation is not null && best.HasCapture)
        {
            best.Restore(network);
            keptEpoch = earlyStopping.BestEpoch;
            _host.Info($"Seq2Seq: restored the weights of epoch {keptEpoch} (validation MSE {earlyStopping.BestLoss:G5}).");
        }
        network.eval();
        return new TrainingHistory(epochs, keptEpoch, stoppedEarly);
    }

    /// <summary>
    /// One optimizer step over <paramref name="rows"/>, fed as consecutive micro-batches of the given sizes.
    /// Each micro-batch's mean loss is weighted by its share of the step's samples, so the accumulated gradient
    /// is the gradient of the mean loss over all rows of the step, whatever the split.
    /// </summary>
    internal void RunOptimizerStep(Seq2SeqNetwork network, IReadOnlyList<Parameter> parameters, OptimizerHelper optimizer,
        SequenceDataset data, ReadOnlySpan<long> rows, int[] microBatchSizes, bool[] teacherForcedSteps, Tensor lossSum, int epoch)
    {
        // zero_grad reads every parameter's .grad, and each read makes a tensor handle: scope them too.
        using (torch.NewDisposeScope())
            optimizer.zero_grad();
        int offset = 0;
        foreach (int size in microBatchSizes)
        {
            ReadOnlySpan<long> microRows = rows.Slice(offset, size);
            offset += size;
            _observer?.OnMicroBatch(epoch, microRows);
            using var scope = torch.NewDisposeScope();
            Tensor index = torch.tensor(microRows.ToArray(), dtype: ScalarType.Int64, device: data.Features.device);
            Tensor features = data.Features.index_select(0, index);
            Tensor labels = data.Labels.index_select(0, index);
            Tensor prediction = network.Forward(features, labels, teacherForcedSteps);
            Tensor loss = nn.functional.mse_loss(prediction, labels);
            (loss * ((double)size / rows.Length)).backward();
            using (torch.no_grad())
                lossSum.add_(loss.detach().to(ScalarType.Float64) * size);
        }
        if (offset != rows.Length)
            throw new ArgumentException("Micro-batch sizes must add up to the step's rows.", nameof(microBatchSizes));
        using (var scope = torch.NewDisposeScope())
        {
            if (_options.GradientClipNorm is double maxNorm)
                GradientClipping.ClipByGlobalNorm(parameters, maxNorm);
            optimizer.step();
        }
    }

    /// <summary>AdamW with decoupled weight decay on weight matrices only: biases (1-D parameters) are not decayed.</summary>
    internal OptimizerHelper CreateOptimizer(Seq2SeqNetwork network, double learningRate)
    {
        var decayed = new List<Parameter>();
        var notDecayed = new List<Parameter>();
        foreach (var (_, parameter) in network.named_parameters())
            (parameter.dim() > 1 ? decayed : notDecayed).Add(parameter);
        var groups = new[]
        {
            new AdamW.ParamGroup(decayed, new AdamW.Options { LearningRate = learningRate, weight_decay = _options.WeightDecay }),
            new AdamW.ParamGroup(notDecayed, new AdamW.Options { LearningRate = learningRate, weight_decay = 0 }),
        };
        return torch.optim.AdamW(groups, lr: learningRate, weight_decay: _options.WeightDecay);
    }

    internal static void SetLearningRate(OptimizerHelper optimizer, double learningRate)
    {
        foreach (var group in optimizer.ParamGroups)
            group.LearningRate = learningRate;
    }

    private double TeacherForcingRatio(int epoch)
    {
        if (_options.TeacherForcingRatioEnd is not double end || _options.MaxEpochs == 1)
            return _options.TeacherForcingRatio;
        double progress = (epoch - 1) / (double)(_options.MaxEpochs - 1);
        return _options.TeacherForcingRatio + (end - _options.TeacherForcingRatio) * progress;
    }

    private TrainingDivergedException Diverged(Seq2SeqNetwork network, BestWeights best, int epoch, double learningRate)
    {
        string kept = "the model was not changed";
        if (best.HasCapture)
        {
            best.Restore(network);
            kept = "the best weights so far were restored";
        }
        string message = $"The training loss became NaN or infinite in epoch {epoch}, at learning rate {learningRate:G3}; {kept}. "
            + "The learning rate is probably too high for this data: lower LearningRate, check that inputs are standardized, "
            + "or run the learning-rate range test to pick one.";
        _host.Warning("Seq2Seq: " + message);
        return new TrainingDivergedException(message, epoch, learningRate);
    }
}
