using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using MLNetSeq2Seq.MLNetInterop;
using MLNetSeq2Seq.Native;
using MLNetSeq2Seq.Networks;
using MLNetSeq2Seq.TrainingData;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Training;

/// <summary>
/// The training loop. Every row is visited once per epoch in a seeded order, in optimizer steps of BatchSize rows
/// (see <see cref="OptimizerStepRunner"/> for accumulation and out-of-memory backoff); the schedule moves once per
/// optimizer step; validation runs in eval mode with autoregressive decoding; early stopping restores the best
/// epoch's weights; checkpoints let a run continue exactly. Scalars are read from the device once per epoch.
/// </summary>
internal sealed class Seq2SeqTrainer
{
    private readonly Seq2SeqOptions _options;
    private readonly MLNetHost _host;
    private readonly int _seed;
    private readonly double _peakLearningRate;
    private readonly ITrainingObserver? _observer;
    private const string ResumeFrom = CheckpointOptions.ResumeFromPath;

    public Seq2SeqTrainer(Seq2SeqOptions options, MLNetHost host, int seed, double peakLearningRate, ITrainingObserver? observer = null)
    {
        _options = options;
        _host = host;
        _seed = seed;
        _peakLearningRate = peakLearningRate;
        _observer = observer;
    }

    /// <summary>The effective batch for <paramref name="rows"/> training rows (BatchSize, or all rows when fewer).</summary>
    public static int EffectiveBatchSize(Seq2SeqOptions options, int rows) => Math.Min(options.BatchSize, rows);

    /// <summary>The micro-batch a run starts with: MicroBatchSize, else MaxMicroBatchSize, else the whole batch.</summary>
    public static int InitialMicroBatchSize(Seq2SeqOptions options, int batchSize) =>
        Math.Min(options.MicroBatchSize ?? options.MaxMicroBatchSize ?? batchSize, batchSize);

    /// <summary>AmplitudeAugmentation's stretch for this network, or null when it is off; a warning when it is asked for but
    /// the outputs' input columns are unknown.</summary>
    private AmplitudeStretch? Stretch(SequenceNetwork network)
    {
        int[]? targets = network.Architecture.TargetInputIndices;
        if (_options.AmplitudeAugmentation > 1 && targets is not { Length: > 0 })
            _host.Warning($"Seq2Seq: {nameof(Seq2SeqOptions.AmplitudeAugmentation)} = {_options.AmplitudeAugmentation:G4}, but the input column of each output is not known "
                + $"(set {nameof(Seq2SeqOptions.TargetInputIndices)}, or build the windows with CreateSequenceWindows): training without it.");
        return AmplitudeStretch.For(_options, targets);
    }

    /// <summary>Asked after each epoch (with validation) whether to stop this run early; a reason stops it like early
    /// stopping does (the best epoch's weights are kept) and is logged. Null: never. Used by the model search to abandon
    /// candidates that are clearly losing.</summary>
    public Func<EpochSummary, string?>? Abandon { get; init; }

    /// <summary>The model search's name for the candidate this run trains, given to every <see cref="EpochSummary"/>; null outside a search.</summary>
    public string? Candidate { get; init; }

    /// <summary>Trains on rows held in memory or streamed each epoch (see <see cref="ISequenceRows"/>).</summary>
    public TrainingHistory Train(SequenceNetwork network, ISequenceRows train, ISequenceRows? validation, TrainingCheckpoint? resume = null)
    {
        int batchSize = EffectiveBatchSize(_options, train.Count);
        int stepsPerEpoch = EpochPlan.StepsPerEpoch(train.Count, batchSize);
        var identity = RunIdentity.Of(_options, network.Architecture, _seed, batchSize, train, validation);
        var schedule = new LearningRateScheduler(_options, _peakLearningRate, (long)stepsPerEpoch * _options.MaxEpochs);
        using var nonFinite = new NonFiniteStepMonitor(train.Device, _options.SkipNonFiniteSteps);
        var trainingLoss = QuantileLoss.TrainingLossOf(_options);
        var validationMetric = PointLoss.EarlyStoppingMetricOf(_options);
        using var noiseScale = GradientNoiseScale.For(_options, network.parameters(), train.Device);
        using var runner = new OptimizerStepRunner(network, trainingLoss, schedule.RateAt(0), _options.WeightDecay, _options.GradientClipNorm,
            resume?.MicroBatchSize ?? InitialMicroBatchSize(_options, batchSize), _host, _observer, nonFinite, _seed, noiseScale, Stretch(network));
        // With validation: the best epoch's weights. Without: the last epoch's whose weights were finite, so that
        // a run that diverges can still hand back what it had.
        using var best = new BestWeights(network);
        var earlyStopping = new EarlyStopping(_options.EarlyStopping.Patience, _options.EarlyStopping.MinDelta);
        using Tensor lossSum = torch.zeros(1, dtype: ScalarType.Float64, device: train.Device);
        var epochs = new List<EpochSummary>();
        var progress = new TrainingProgress(_host, _options.MaxEpochs, stepsPerEpoch, _options.EarlyStopping.Patience, trainingLoss.Name,
            validation is null ? null : validationMetric.Name, TrainingSwitches.StepProgressInterval);
        long step = 0;
        int firstEpoch = 1;
        string? stoppedBecause = null; // why the run stopped before MaxEpochs, once it has

        if (resume is not null)
        {
            if (resume.Identity.FirstDifference(identity) is string difference)
                throw new ArgumentException($"{ResumeFrom}: the checkpoint{(Candidate is null ? "" : $" of the search candidate {Candidate}")} belongs to another run, {difference}. "
                    + $"Resume with the options and data of the run that wrote it, or start a new run without {ResumeFrom}.", ResumeFrom);
            TrainingCheckpoint.LoadModule(network, resume.NetworkState);
            TrainingCheckpoint.LoadOptimizer(runner.Optimizer, resume.OptimizerState);
            if (resume.BestWeightsState is byte[] bestState)
                best.Deserialize(network.Architecture, bestState, validation is null ? resume.CompletedEpochs : resume.EarlyStopping.BestEpoch);
            earlyStopping = new EarlyStopping(_options.EarlyStopping.Patience, _options.EarlyStopping.MinDelta, resume.EarlyStopping);
            schedule.PlateauState = resume.Plateau;
            epochs.AddRange(Candidate is null ? resume.History : resume.History.Select(e => e with { Candidate = Candidate }));
            step = resume.Step;
            firstEpoch = resume.CompletedEpochs + 1;
            // A run that had stopped early ends here, as it did: another epoch could change the kept weights. (Checkpoints
            // before format 10 do not say why they stopped; their early-stopping state does.)
            stoppedBecause = resume.StoppedEarlyBecause
                ?? (validation is not null && earlyStopping.ShouldStop && resume.CompletedEpochs < _options.MaxEpochs ? "early stopping" : null);
            _host.Info(stoppedBecause is null
                ? $"Seq2Seq: resuming after epoch {resume.CompletedEpochs} (optimizer step {step})."
                : $"Seq2Seq: the checkpoint's run had stopped after epoch {resume.CompletedEpochs} ({stoppedBecause}): nothing is left to train; its kept weights are restored.");
        }

        _host.Info($"Seq2Seq: {train.Count} training rows, {(validation is null ? "no validation" : $"{validation.Count} validation rows")}, "
            + $"device {train.Device}, effective batch {batchSize} (micro-batch {runner.MicroBatchSize}), {stepsPerEpoch} optimizer steps per epoch, "
            + $"up to {_options.MaxEpochs} epochs, {_options.Schedule.Kind} schedule peaking at {_peakLearningRate:G4}; training loss {trainingLoss.Name}"
            + (validation is null ? "." : $", validation (early stopping) {validationMetric.Name}, patience {_options.EarlyStopping.Patience}.")
            + $" Network: {network.Architecture}.");
        if (validation is null)
            _host.Info("Seq2Seq: no validation data (set ValidationSet or ValidationFraction): no early stopping, the model keeps the last epoch's weights.");
        else if (_options.Schedule.Kind is LearningRateSchedule.OneCycle or LearningRateSchedule.CosineWithWarmup && _options.EarlyStopping.Patience < _options.MaxEpochs / 2)
            _host.Info($"Seq2Seq: the {_options.Schedule.Kind} schedule anneals over all {_options.MaxEpochs} epochs, but early stopping (patience {_options.EarlyStopping.Patience}) "
                + "usually ends the run long before that, with the rate still high. For rates that decay within the epochs that run, use Schedule.Kind = ReduceOnPlateau "
                + "(as mlContext.Forecasting.Seq2Seq does) or fewer MaxEpochs.");

        bool stoppedEarly = stoppedBecause is not null;
        // A resumed run with nothing left to train still leaves its checkpoint in this run's folder (which may be another
        // than the one it was read from), so that resuming from there ends the same way.
        if (resume is not null && (stoppedEarly || firstEpoch > _options.MaxEpochs) && _options.Checkpoints?.Directory is string finishedDirectory)
            WriteCheckpoint(finishedDirectory, identity, resume.CompletedEpochs, step, runner, schedule, earlyStopping, epochs, network, best, stoppedBecause);
        network.train();
        for (int epoch = firstEpoch; epoch <= _options.MaxEpochs && !stoppedEarly; epoch++)
        {
            var clock = Stopwatch.StartNew();
            // Every random stream of an epoch derives from (seed, epoch) — order, teacher forcing — or from (seed, step,
            // micro-batch) — dropout masks from the network's own generator reseeded by RandomSeeds.ForStep: a resumed run draws exactly what the original would have.
            var coin = new Random(EpochPlan.DerivedSeed(_seed, epoch, stream: 2));
            bool[] teacherForcedSteps = new bool[network.Architecture.Horizon];
            double teacherForcing = TeacherForcingRatio(epoch);
            double learningRate = 0;
            using (torch.NewDisposeScope())
                lossSum.zero_();
            nonFinite.StartEpoch();
            long firstStepOfEpoch = step, appliedElements = 0;
            int appliedSteps = 0;
            long samplesFed = 0;
            progress.StartEpoch(epoch);
            foreach (var (batch, batchRows) in train.Epoch(batchSize, _seed, epoch))
            {
                _host.ThrowIfCanceled();
                learningRate = schedule.RateAt(step);
                runner.SetLearningRate(learningRate);
                for (int t = 0; t < teacherForcedSteps.Length; t++)
                    teacherForcedSteps[t] = coin.NextDouble() < teacherForcing;
                ReadOnlySpan<long> rows = batchRows.Span;
                if (runner.Step(batch, rows, teacherForcedSteps, lossSum, epoch, step))
                {
                    appliedElements += batch.ValidLabelElementsOf(rows);
                    appliedSteps++;
                }
                step++;
                samplesFed += rows.Length;
                progress.OnStep((int)(step - firstStepOfEpoch), samplesFed);
                // The updates after a bad step are undone on the device; a read every few steps ends the epoch too.
                if (!nonFinite.SkipsSteps && (step - firstStepOfEpoch) % NonFiniteStepMonitor.CheckEverySteps == 0 && nonFinite.FirstNonFiniteStep() is not null)
                    break;
            }

            var stepsOfEpoch = (First: firstStepOfEpoch, Count: stepsPerEpoch);
            if (nonFinite.SkippedThisEpoch.Count > 0)
            {
                IReadOnlyList<long> skipped = nonFinite.SkippedThisEpoch;
                _host.Warning($"Seq2Seq: skipped {skipped.Count} of {stepsPerEpoch} optimizer steps in epoch {epoch} (NaN or infinite loss or gradients; "
                    + $"{nonFinite.SkippedTotal} in all so far): run steps {string.Join(", ", skipped.Take(10).Select(s => s + 1))}{(skipped.Count > 10 ? ", ..." : "")}.");
                if (appliedSteps == 0)
                    throw Diverged(network, best, epochs, validation is not null, epoch, skipped[0], stepsOfEpoch, schedule.RateAt(skipped[0]), everyStepSkipped: true);
            }
            double trainLoss;
            using (torch.NewDisposeScope())
                trainLoss = TensorScalars.ReadDouble(lossSum) / appliedElements; // the loss over every real label value of the applied steps
            long? firstBadStep = nonFinite.SkipsSteps ? null : nonFinite.FirstNonFiniteStep(); // a finite loss can still have had NaN gradients
            if (firstBadStep is not null || !double.IsFinite(trainLoss))
            {
                long badStep = firstBadStep ?? firstStepOfEpoch;
                throw Diverged(network, best, epochs, validation is not null, epoch, badStep, stepsOfEpoch, schedule.RateAt(badStep), everyStepSkipped: false);
            }
            _observer?.OnEpochEnd(epoch, network);
            double? validationLoss = validation is null ? null : SequenceLoss.Mean(network, validation, _options.InferenceBatchSize, validationMetric);
            if (validationLoss is double v && !double.IsFinite(v))
            {
                // Not "no improvement": the weights now give NaN or infinite predictions on the validation rows.
                throw Diverged(network, best, epochs, validated: true, epoch, step - 1, stepsOfEpoch, learningRate, everyStepSkipped: false,
                    validationFailure: $"the validation {validationMetric.Name} became {v} after epoch {epoch} (training loss {trainLoss:G5})");
            }
            double monitored = validationLoss ?? trainLoss;
            schedule.OnEpochEnd(monitored);

            bool isBest = earlyStopping.Observe(epoch, monitored);
            if (validation is null)
                best.CaptureIfFinite(network, epoch);
            else if (isBest)
                best.Capture(network, epoch);
            var summary = new EpochSummary(epoch, trainLoss, validationLoss, learningRate, clock.Elapsed.TotalSeconds, appliedSteps, isBest) { Candidate = Candidate };
            epochs.Add(summary);
            _host.Info(progress.EpochLine(summary, earlyStopping.BestEpoch));
            if (noiseScale is not null)
                _host.Info("Seq2Seq: " + noiseScale.EndEpoch(epoch));

            stoppedEarly = validation is not null && earlyStopping.ShouldStop && epoch < _options.MaxEpochs;
            if (stoppedEarly)
            {
                stoppedBecause = "early stopping";
                _host.Info($"Seq2Seq: no validation improvement for {_options.EarlyStopping.Patience} epochs; stopping after epoch {epoch}.");
            }
            else if (validation is not null && epoch < _options.MaxEpochs && Abandon?.Invoke(summary) is string abandoned)
            {
                stoppedEarly = true;
                stoppedBecause = abandoned;
                _host.Info($"Seq2Seq: stopping after epoch {epoch}: {abandoned}.");
            }
            if (_options.Checkpoints?.Directory is string directory
                && (epoch % _options.Checkpoints.EveryEpochs == 0 || epoch == _options.MaxEpochs || stoppedEarly))
            {
                WriteCheckpoint(directory, identity, epoch, step, runner, schedule, earlyStopping, epochs, network, best, stoppedBecause);
            }
            _options.Progress?.Report(summary);
        }

        int keptEpoch = epochs.Count == 0 ? 0 : epochs[^1].Epoch;
        if (validation is not null && best.HasCapture)
        {
            best.Restore(network);
            keptEpoch = earlyStopping.BestEpoch;
            _host.Info($"Seq2Seq: restored the weights of epoch {keptEpoch} (validation {validationMetric.Name} {earlyStopping.BestLoss:G5}).");
        }
        network.eval();
        var advice = noiseScale is null ? null : BatchSizeAdvice.From(noiseScale.Epochs, keptEpoch, _options.LearningRateScaling, batchSize, _peakLearningRate);
        if (advice is not null)
            _host.Info("Seq2Seq: " + advice);
        return new TrainingHistory(epochs, keptEpoch, stoppedEarly, _peakLearningRate)
        {
            TrainingLossName = trainingLoss.Name,
            ValidationMetricName = validation is null ? null : validationMetric.Name,
            GradientNoiseScale = noiseScale?.Epochs.ToList() ?? new List<GradientNoiseScaleEpoch>(),
            BatchSizeAdvice = advice,
        };
    }

    private void WriteCheckpoint(string directory, RunIdentity identity, int epoch, long step, OptimizerStepRunner runner,
        LearningRateScheduler schedule, EarlyStopping earlyStopping, List<EpochSummary> epochs, SequenceNetwork network, BestWeights best, string? stoppedBecause)
    {
        new TrainingCheckpoint
        {
            Identity = identity,
            CompletedEpochs = epoch,
            Step = step,
            MicroBatchSize = runner.MicroBatchSize,
            PeakLearningRate = _peakLearningRate,
            Plateau = schedule.PlateauState,
            EarlyStopping = earlyStopping.State,
            History = epochs.ToList(),
            NetworkState = TrainingCheckpoint.SaveModule(network),
            BestWeightsState = best.HasCapture ? best.Serialize(network.Architecture) : null,
            OptimizerState = TrainingCheckpoint.SaveOptimizer(runner.Optimizer),
            StoppedEarlyBecause = stoppedBecause,
        }.WriteTo(directory, _observer);
    }

    private double TeacherForcingRatio(int epoch)
    {
        if (_options.TeacherForcingRatioEnd is not double end || _options.MaxEpochs == 1)
            return _options.TeacherForcingRatio;
        double progress = (epoch - 1) / (double)(_options.MaxEpochs - 1);
        return _options.TeacherForcingRatio + (end - _options.TeacherForcingRatio) * progress;
    }

    /// <summary>
    /// Restores the kept weights (if any), logs and returns the exception. <paramref name="badStep"/> is the 0-based run
    /// index of the first bad step; <paramref name="epochSteps"/> the run index of the epoch's first step and its step count.
    /// </summary>
    private TrainingDivergedException Diverged(SequenceNetwork network, BestWeights best, List<EpochSummary> epochs, bool validated, int epoch,
        long badStep, (long First, int Count) epochSteps, double learningRate, bool everyStepSkipped, string? validationFailure = null)
    {
        string kept = "no epoch had finished with finite weights, so no model is kept";
        if (best.HasCapture)
        {
            best.Restore(network);
            kept = $"TrainingDivergedException.Model holds the weights of epoch {best.CapturedEpoch} ("
                + (validated ? "the best validation epoch so far)" : "the last epoch that ended with finite weights)");
        }
        string where = $"optimizer step {badStep + 1} of the run (step {badStep - epochSteps.First + 1} of {epochSteps.Count} in epoch {epoch}), at learning rate {learningRate:G3}";
        string what = validationFailure is not null
            ? $"Training diverged: {validationFailure}, so its predictions are no longer finite; {kept}. "
            : everyStepSkipped
            ? $"Every optimizer step of epoch {epoch} had a NaN or infinite loss or gradient and was skipped (SkipNonFiniteSteps), the first at {where}, so training cannot progress; {kept}. "
            : $"The training loss or its gradient became NaN or infinite at {where}; no update was applied from that step on, training stopped within "
              + $"{NonFiniteStepMonitor.CheckEverySteps} steps, and {kept}. ";
        string message = what
            + "The learning rate is probably too high for this data: lower LearningRate, check that inputs and labels are standardized and free of extreme values, "
            + "keep GradientClipNorm set, or run the learning-rate range test (mlContext.Regression.Trainers.FindSeq2SeqLearningRate) to pick one"
            + (everyStepSkipped ? "." : "; SkipNonFiniteSteps = true skips such steps instead of stopping.");
        _host.Warning("Seq2Seq: " + message);
        return new TrainingDivergedException(message, epoch, badStep + 1, learningRate)
        {
            KeptHistory = best.HasCapture ? new TrainingHistory(epochs.ToList(), best.CapturedEpoch, stoppedEarly: false, _peakLearningRate) : null,
        };
    }
}
