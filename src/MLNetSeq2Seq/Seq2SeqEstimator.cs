using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNetSeq2Seq.Columns;
using MLNetSeq2Seq.MLNetInterop;
using MLNetSeq2Seq.ModelFile;
using MLNetSeq2Seq.Native;
using MLNetSeq2Seq.Networks;
using MLNetSeq2Seq.Scoring;
using MLNetSeq2Seq.Selection;
using MLNetSeq2Seq.Training;
using MLNetSeq2Seq.Windows;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetSeq2Seq;

/// <summary>
/// Trains a sequence-to-sequence network. Create it with
/// <c>mlContext.Regression.Trainers.Seq2Seq(options)</c>; <see cref="Fit"/> returns a <see cref="Seq2SeqTransformer"/>.
/// </summary>
public sealed class Seq2SeqEstimator : IEstimator<Seq2SeqTransformer>
{
    private readonly IHostEnvironment _environment;
    private readonly Seq2SeqOptions _options;

    internal Seq2SeqEstimator(IHostEnvironment environment, Seq2SeqOptions options)
    {
        _environment = environment ?? throw new ArgumentNullException(nameof(environment));
        _options = options ?? throw new ArgumentNullException(nameof(options));
    }

    /// <summary>Hooks into the loop, for tests.</summary>
    internal ITrainingObserver? Observer { get; set; }

    /// <summary>
    /// Reads <paramref name="input"/> once, trains, and returns the transformer holding the best epoch's weights.
    /// Options are validated first; shapes come from the columns' dimensions or the options.
    /// </summary>
    public Seq2SeqTransformer Fit(IDataView input)
    {
        using TrainingSession session = TrainingSession.Open(_environment, _options, input, nameof(Seq2SeqEstimator));
        // A search resumes each candidate from its own subfolder (Selection/SearchCheckpoints).
        TrainingCheckpoint? resume = _options.Search is null && _options.Checkpoints?.ResumeFrom is string path ? TrainingCheckpoint.ReadFrom(path) : null;
        double peakLearningRate = resume?.PeakLearningRate ?? PeakLearningRate(session);
        // The Score column names its values like the label does (e.g. "OT@t+1" from CreateSequenceWindows).
        string[]? scoreSlotNames = SequenceSlotNames.Of(input.Schema[_options.LabelColumnName], session.Shapes.LabelLength);
        // The series the windows were cut from (columns, length, z-score statistics) travels with the model.
        TrainingSeries? series = TrainingSeriesChecks.FromTrainingData(input.Schema, _options, session.Shapes, session.Host);
        // What the known-future features are (for the forecast engine), when the windows' label says and it matches K.
        FutureFeatureSpec? future = _options.FutureFeatureColumnName is null ? null
            : FutureFeatureSpec.Of(input.Schema[_options.LabelColumnName]) is FutureFeatureSpec spec && spec.Count == session.Shapes.FutureFeatureCount ? spec : null;
        Seq2SeqModelState State(TrainingHistory history) => new(_options.FeatureColumnName, _options.ScoreColumnName,
            _options.InferenceBatchSize, history, scoreSlotNames, series, _options.FutureFeatureColumnName, future);

        SequenceNetwork? network = null;
        try
        {
            TrainingHistory history;
            TimeSpan trainingTime;
            IReadOnlyList<ModelCandidate> searched = Array.Empty<ModelCandidate>();
            string? searchWinner = null, searchDecision = null;
            if (_options.Search is not null)
            {
                ModelSearch.Result result = ModelSearch.Run(session, peakLearningRate, Observer);
                (network, history, trainingTime, searched, searchWinner, searchDecision) = (result.Network, result.History, result.FitTime, result.Candidates, result.Name, result.Decision);
            }
            else
            {
                network = session.CreateNetwork();
                var trainer = new Seq2SeqTrainer(_options, session.Host, session.Seed, peakLearningRate, Observer);
                try
                {
                    var clock = System.Diagnostics.Stopwatch.StartNew();
                    history = trainer.Train(network, session.TrainRows, session.ValidationRows, resume);
                    trainingTime = clock.Elapsed + (resume?.RecordedTime ?? TimeSpan.Zero); // with the epochs before a resume
                }
                catch (TrainingDivergedException diverged) when (diverged.KeptHistory is TrainingHistory kept)
                {
                    // The trainer restored the kept weights into the network: hand them to the caller with the error.
                    diverged.Model = new Seq2SeqTransformer(network, State(kept), session.Device, session.Host);
                    network = null;
                    throw;
                }
            }
            var (keptNetwork, compared, comparison) = BaselineSelection.Choose(network, trainingTime, session, searched);
            network = keptNetwork; // the trained network, or a baseline that beat it (the other is disposed)
            IReadOnlyList<ModelCandidate> candidates = SearchSummary.Merge(searched, searchWinner, compared);
            string? decision = SearchSummary.Decision(searchDecision, comparison);
            if (decision is not null)
                _options.SelectionProgress?.Report(new SelectionReport(Scored: null, candidates, decision));
            var transformer = new Seq2SeqTransformer(network, State(candidates.Count > 0 || decision is not null ? history.WithCandidates(candidates, decision) : history), session.Device, session.Host);
            network = null; // owned by the transformer now
            Calibrate(transformer, session);
            return transformer;
        }
        finally
        {
            network?.Dispose();
        }
    }

    /// <summary>Seq2SeqOptions.Quantiles.Calibrate: conformal offsets from the validation windows, when there are quantile
    /// intervals and validation data.</summary>
    private void Calibrate(Seq2SeqTransformer transformer, TrainingSession session)
    {
        double[] levels = transformer.Network.Architecture.Quantiles;
        if (_options.Quantiles is not { Calibrate: true } || Forecasting.QuantileCalibration.CentralPairs(levels).Length == 0)
            return;
        if (session.ValidationRows is not TrainingData.ISequenceRows validation || validation.Count == 0)
        {
            session.Host.Info("Seq2Seq: Quantiles.Calibrate is on, but there is no validation data (set ValidationSet or ValidationFraction): the quantile intervals stay as trained.");
            return;
        }
        var calibration = transformer.UsingNetwork(network => Forecasting.QuantileCalibration.FromNetwork(network, validation, _options.InferenceBatchSize));
        transformer.QuantileCalibration = calibration;
        session.Host.Info(FormattableString.Invariant($"Seq2Seq: quantile intervals calibrated on {calibration.WindowCount} validation windows (split conformal, per step and column): ")
            + FormattableString.Invariant($"offsets from {calibration.Offsets.Min():F3} to {calibration.Offsets.Max():F3}, mean {calibration.Offsets.Average():F3} (output units; positive widens)."));
    }

    /// <summary>The learning rate the schedule peaks at: LearningRate (or the range test's suggestion), then scaled.</summary>
    private double PeakLearningRate(TrainingSession session)
    {
        int batchSize = Seq2SeqTrainer.EffectiveBatchSize(_options, session.TrainRows.Count);
        if (_options.LearningRate is not double learningRate)
        {
            LearningRateRangeTestResult rangeTest = LearningRateRangeTest.Run(session, new LearningRateRangeTestOptions(), Observer);
            session.Host.Info($"Seq2Seq: LearningRate is null, so the range test chose {rangeTest.SuggestedLearningRate:G4} ({rangeTest.SuggestionMethod}) "
                + $"at this batch size ({batchSize}); no scaling rule is applied to it.");
            return rangeTest.SuggestedLearningRate;
        }
        double scaled = LearningRates.Scale(learningRate, _options.LearningRateScaling, batchSize, _options.ReferenceBatchSize);
        session.Host.Info("Seq2Seq: " + LearningRates.Describe(learningRate, scaled, _options.LearningRateScaling, batchSize, _options.ReferenceBatchSize) + ".");
        return scaled;
    }

    /// <summary>
    /// The input schema, every column with its annotations, plus the Score column: a vector of Single, with slot names
    /// when the label has them. Checks, with Fit's own errors, what a pipeline's shape can tell before any data is
    /// read: the options, that the feature and label columns exist as vectors of Single, and that a variable-length
    /// label comes with Horizon and OutputFeatureCount. (A shape carries no vector sizes: Fit checks those.)
    /// </summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        _options.Validate();
        FloatVectorColumn.Find(inputSchema, _options.FeatureColumnName, "feature", nameof(inputSchema), nameof(Seq2SeqOptions.FeatureColumnName));
        SchemaShape.Column label = FloatVectorColumn.Find(inputSchema, _options.LabelColumnName, "label", nameof(inputSchema), nameof(Seq2SeqOptions.LabelColumnName));
        if (label.Kind == SchemaShape.Column.VectorKind.VariableVector && (_options.Horizon is null || _options.OutputFeatureCount is null))
            throw SequenceShapes.LabelShapeUnknown(_options.LabelColumnName);
        if (_options.FutureFeatureColumnName is string futureName)
            FloatVectorColumn.Find(inputSchema, futureName, "future-feature", nameof(inputSchema), nameof(Seq2SeqOptions.FutureFeatureColumnName));
        SchemaShape output = inputSchema.WithFloatVector(_options.ScoreColumnName, withSlotNames: SequenceSlotNames.Has(label));
        return _options.Quantiles is null ? output
            : output.WithFloatVector(SequenceScoringSchema.QuantileColumnNameOf(_options.ScoreColumnName), withSlotNames: SequenceSlotNames.Has(label));
    }
}
