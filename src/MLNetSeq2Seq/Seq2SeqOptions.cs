using System;
using System.Linq;
using Microsoft.ML;
using static MLNetSeq2Seq.OptionRules;

namespace MLNetSeq2Seq;

/// <summary>
/// Every knob of the general Seq2Seq trainer (<c>mlContext.Regression.Trainers.Seq2Seq</c>). Defaults are chosen to work
/// out of the box on standardized data; each is checked by Fit before any data is read (see <see cref="Validate"/>).
/// The forecasting entry (<c>mlContext.Forecasting.Seq2Seq</c>) takes <see cref="Seq2SeqForecastingOptions"/>, whose
/// defaults are the forecasting recipe.
/// </summary>
public class Seq2SeqOptions
{
    // ---- Columns ----

    /// <summary>Input sequences: a float vector of L × InputFeatureCount values, time-major. Default "Features".</summary>
    public string FeatureColumnName { get; set; } = "Features";

    /// <summary>Target sequences: a float vector of Horizon × OutputFeatureCount values, time-major. Default "Label".</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>The predicted sequence column that Transform adds, shaped [Horizon, OutputFeatureCount]. Default "Score".</summary>
    public string ScoreColumnName { get; set; } = "Score";

    /// <summary>
    /// Known-future inputs: a float vector column of Horizon × K values per row, time-major [Horizon, K] (the
    /// <see cref="SequenceWindowOptions.FutureFeaturesColumnName"/> of window views: planned events, calendar features),
    /// whose step h is fed to the decoder with forecast step h (autoregressive family: with each step's input; segment
    /// family: projected and added to each output segment's embedding). Scoring then needs this column too. Null (default): none.
    /// </summary>
    public string? FutureFeatureColumnName { get; set; }

    // ---- Shapes ----

    /// <summary>Values per input time step (F). Null: taken from the feature column's dimensions [L, F].</summary>
    public int? InputFeatureCount { get; set; }

    /// <summary>Values per predicted step (O). Null: taken from the label column's dimensions [Horizon, O].</summary>
    public int? OutputFeatureCount { get; set; }

    /// <summary>Predicted steps (H). Null: taken from the label column's dimensions, else label length / O.
    /// Aligned sequence-to-sequence (output as long as the input) is Horizon = L.</summary>
    public int? Horizon { get; set; }

    // ---- Network ----

    /// <summary>Which network to train. Default <see cref="NetworkFamily.AutoregressiveEncoderDecoder"/>
    /// (<see cref="NetworkFamily.SegmentRecurrent"/> in <see cref="Seq2SeqForecastingOptions"/>).</summary>
    public NetworkFamily Family { get; set; } = NetworkFamily.AutoregressiveEncoderDecoder;

    /// <summary>The settings of <see cref="Family"/> that belong to it alone: the family's own
    /// <see cref="INetworkFamilyOptions"/> type (its <see cref="NetworkFamily"/> value's documentation names it). Null: the
    /// family's defaults. Must belong to <see cref="Family"/>. Default null.</summary>
    public INetworkFamilyOptions? FamilyOptions { get; set; }

    /// <summary>Per-window normalisation, inverted on the outputs. Default <see cref="MLNetSeq2Seq.InstanceNormalization.None"/>
    /// (<see cref="MLNetSeq2Seq.InstanceNormalization.SubtractLast"/> in <see cref="Seq2SeqForecastingOptions"/>).</summary>
    public InstanceNormalization InstanceNormalization { get; set; } = InstanceNormalization.None;

    /// <summary>With <see cref="MLNetSeq2Seq.InstanceNormalization.Standardize"/>: a learned scale and shift per input column after
    /// standardizing (RevIN's affine option), inverted on the outputs. Default false.</summary>
    public bool InstanceNormalizationAffine { get; set; }

    /// <summary>
    /// When true, every forecast column is a separate univariate sample through shared weights (batch × columns rows),
    /// told apart by a learned channel embedding in the segment-recurrent family; inputs that are not forecast are not
    /// used. Needs each output's input column (<see cref="TargetInputIndices"/>). False: the network mixes all columns.
    /// Null: true when every output's input column is known, else false. Default false (null in <see cref="Seq2SeqForecastingOptions"/>).
    /// </summary>
    public bool? ChannelIndependent { get; set; } = false;

    /// <summary>
    /// For each output feature k, the index of the input feature it forecasts, used by instance normalisation and
    /// channel independence. Null: taken from the window view when the data comes from <c>CreateSequenceWindows</c>
    /// (it knows which inputs are the targets), else the identity when OutputFeatureCount = InputFeatureCount;
    /// otherwise Fit asks for it. Default null.
    /// </summary>
    public int[]? TargetInputIndices { get; set; }

    /// <summary>Encoder and decoder cell. Default <see cref="RecurrentCellType.Gru"/>.</summary>
    public RecurrentCellType Cell { get; set; } = RecurrentCellType.Gru;

    /// <summary>Hidden units per recurrent layer. Default 64.</summary>
    public int HiddenSize { get; set; } = 64;

    /// <summary>Recurrent layers in the encoder and, equally, in the decoder. Default 1.</summary>
    public int LayerCount { get; set; } = 1;

    /// <summary>Dropout probability between recurrent layers and before the output head, in [0, 1). Training only. Default 0.</summary>
    public double Dropout { get; set; }

    /// <summary>
    /// Probability, per decoder step in training, of feeding the true previous target instead of the model's own
    /// prediction (scheduled sampling), in [0, 1]. Validation and Transform always feed the prediction. Only the
    /// autoregressive family feeds targets; the others ignore it (the draws are made anyway, from their own stream). Default 0.5
    /// (0 in <see cref="Seq2SeqForecastingOptions"/>).
    /// </summary>
    public double TeacherForcingRatio { get; set; } = 0.5;

    /// <summary>When set, the teacher forcing ratio moves linearly from <see cref="TeacherForcingRatio"/> at the first
    /// epoch to this value at epoch MaxEpochs (Bengio et al.'s scheduled sampling). Default null: constant.</summary>
    public double? TeacherForcingRatioEnd { get; set; }

    // ---- Optimization ----

    /// <summary>Peak learning rate of AdamW (the maximum of the one-cycle schedule), before <see cref="LearningRateScaling"/>.
    /// Null: run the learning-rate range test on the training data first and use its suggestion (logged). Default 1e-3.</summary>
    public double? LearningRate { get; set; } = 1e-3;

    /// <summary>How the learning rate follows the effective batch size. Default <see cref="MLNetSeq2Seq.LearningRateScaling.None"/>.</summary>
    public LearningRateScaling LearningRateScaling { get; set; } = LearningRateScaling.None;

    /// <summary>The batch size <see cref="LearningRate"/> was tuned at; required when <see cref="LearningRateScaling"/> is not None.</summary>
    public int? ReferenceBatchSize { get; set; }

    /// <summary>
    /// When false (the default), a NaN or infinite training loss stops Fit with a <see cref="TrainingDivergedException"/>
    /// at the end of that epoch, naming the first such optimizer step; the loop itself never reads the device for it.
    /// When true, every optimizer step first checks that its loss and gradients are finite and skips the update when
    /// they are not (AdamW's state is untouched; the schedule still advances); the count is logged per epoch, and an
    /// epoch in which every step was skipped stops Fit. Cost: one device read per optimizer step, which on a GPU
    /// synchronises the device every step (on the CPU it is negligible). Default false.
    /// </summary>
    public bool SkipNonFiniteSteps { get; set; }

    /// <summary>AdamW's decoupled weight decay, applied to weight matrices and not to biases. Default 0.01 (PyTorch's).</summary>
    public double WeightDecay { get; set; } = 0.01;

    /// <summary>Gradients are rescaled so their global L2 norm is at most this. Null disables clipping. Default 1.0.</summary>
    public double? GradientClipNorm { get; set; } = 1.0;

    /// <summary>Samples per optimizer step (the effective batch). The last batch of an epoch may be shorter. Default 64.</summary>
    public int BatchSize { get; set; } = 64;

    /// <summary>Samples per forward/backward pass; gradients of the micro-batches of one optimizer step are
    /// accumulated exactly (weighted by sample count), so the result does not depend on it. Null: automatic — start
    /// at <see cref="MaxMicroBatchSize"/> (else the whole batch) and halve whenever a pass runs out of memory.
    /// An explicit value is halved on out-of-memory too. Default null.</summary>
    public int? MicroBatchSize { get; set; }

    /// <summary>With automatic micro-batching, the size to start from, skipping the probing from BatchSize down. Default null.</summary>
    public int? MaxMicroBatchSize { get; set; }

    /// <summary>When set, Fit estimates the gradient noise scale B_simple (McCandlish et al., 2018) on every n-th optimizer
    /// step and reports it per epoch and as a batch-size advice in <see cref="TrainingHistory"/> and the log. A sampled step
    /// that would run as one micro-batch runs as two halves (same gradient up to rounding); with micro-batches nothing
    /// changes but the reading of the gradients. Unit: optimizer steps (1: every step). Default null: off.</summary>
    public int? GradientNoiseScaleEverySteps { get; set; }

    /// <summary>Upper bound on the number of epochs. Default 50.</summary>
    public int MaxEpochs { get; set; } = 50;

    /// <summary>The learning-rate schedule, stepped once per optimizer step: its kind and the settings of each kind
    /// (see <see cref="LearningRateScheduleOptions"/>). Never null. Default <c>new()</c>: one-cycle (the forecasting
    /// recipe: reduce-on-plateau).</summary>
    public LearningRateScheduleOptions Schedule { get; set; } = new();

    /// <summary>Amplitude augmentation, the largest stretch k ≥ 1: each training window's target columns and its labels
    /// are stretched about the window's last value of that column by a factor drawn log-uniformly from [1/k, k], one
    /// per window and optimizer step, so that a network under subtract-last normalisation learns forecasts that scale
    /// with the window's swing (as a linear forecaster's do) and holds up when the series swings wider than in training.
    /// Other input columns, known-future inputs and validation rows are not changed. Needs each output's input column
    /// (<see cref="TargetInputIndices"/> or windows from CreateSequenceWindows); without it, training goes on without and
    /// the log says so. Default 1: off; the forecasting recipe: 4.</summary>
    public double AmplitudeAugmentation { get; set; } = 1;

    internal const double MaxAmplitudeAugmentation = 100;

    /// <summary>The training loss, averaged over every real label value. Default <see cref="LossFunction.MeanSquaredError"/>.</summary>
    public LossFunction Loss { get; set; } = LossFunction.MeanSquaredError;

    /// <summary>Huber threshold δ (in the label's units), for <see cref="LossFunction.Huber"/> as loss or early-stopping metric
    /// (<see cref="EarlyStoppingOptions.Metric"/>). Default 1.</summary>
    public double HuberDelta { get; set; } = 1.0;

    /// <summary>Whether Fit compares the network with persistence and a closed-form linear forecaster on the validation
    /// windows, and keeps the best (see <see cref="MLNetSeq2Seq.BaselineComparison"/>). Default Off; the forecasting recipe: Select.</summary>
    public BaselineComparison BaselineComparison { get; set; } = BaselineComparison.Off;

    /// <summary>An opt-in search over network families and lookbacks, chosen on the validation rows, within a time budget
    /// (see <see cref="ModelSearchOptions"/>). Needs validation data and a <see cref="LearningRate"/>; with
    /// <see cref="Checkpoints"/>, each candidate checkpoints into its own subfolder and the whole search resumes from the
    /// folder. Default null: one network, of <see cref="Family"/>.</summary>
    public ModelSearchOptions? Search { get; set; }

    /// <summary>Quantile forecasts besides the point forecast: the levels, the point loss's weight and conformal
    /// calibration (see <see cref="QuantileOptions"/>). Default null: point forecasts only.</summary>
    public QuantileOptions? Quantiles { get; set; }

    // ---- Data checks ----

    /// <summary>Training or validation rows holding NaN or ±Infinity in the features or the label: an error naming the
    /// first one (<see cref="NonFiniteRowHandling.Throw"/>, the default) or dropped with a logged count
    /// (<see cref="NonFiniteRowHandling.Skip"/>).</summary>
    public NonFiniteRowHandling NonFiniteRows { get; set; } = NonFiniteRowHandling.Throw;

    /// <summary>Streaming Fit, for data larger than memory: the rows are read again every epoch through ML.NET cursors,
    /// shuffled through a pool of rows (see <see cref="StreamingOptions"/>). Default null: every row is read into memory once.</summary>
    public StreamingOptions? Streaming { get; set; }

    // ---- Validation and early stopping ----

    /// <summary>Validation rows, evaluated after every epoch. Takes precedence over <see cref="ValidationFraction"/>.</summary>
    public IDataView? ValidationSet { get; set; }

    /// <summary>Fraction of the training rows held out for validation, in [0, 1): the chronologically last rows
    /// (the data's row order), not a random sample. Default 0: no validation.</summary>
    public double ValidationFraction { get; set; }

    /// <summary>With <see cref="ValidationFraction"/>: rows left out between the training rows and the validation rows,
    /// so that overlapping windows do not put validation labels into training rows. Null: automatic — for windows from
    /// <c>CreateSequenceWindows</c>, ⌈Horizon / Stride⌉ − 1 windows; for other data none, with a warning in the log. Default null.</summary>
    public int? ValidationGapRows { get; set; }

    /// <summary>Early stopping on the validation data: patience, minimum improvement and the validation metric (see
    /// <see cref="EarlyStoppingOptions"/>). Never null. Default <c>new()</c>: patience 10 epochs, mean squared error
    /// (the forecasting recipe: patience 4 epochs).</summary>
    public EarlyStoppingOptions EarlyStopping { get; set; } = new();

    // ---- Checkpoints ----

    /// <summary>Checkpoints of the run, and the checkpoint to resume from (see <see cref="CheckpointOptions"/>).
    /// Default null: none written, none resumed.</summary>
    public CheckpointOptions? Checkpoints { get; set; }

    // ---- Runtime ----

    /// <summary>Where to train and predict. Default <see cref="ComputeDevice.Auto"/>.</summary>
    public ComputeDevice Device { get; set; } = ComputeDevice.Auto;

    /// <summary>Seed for weight initialisation, shuffling, dropout and teacher forcing. Null: the MLContext's seed
    /// (a random one when the MLContext has none). Same seed on the CPU → identical weights.</summary>
    public int? Seed { get; set; }

    /// <summary>Rows per forward pass in Transform and validation, at most 1,048,576. Default 256.</summary>
    public int InferenceBatchSize { get; set; } = 256;

    internal const int MaxInferenceBatchSize = 1 << 20;

    /// <summary>Receives one <see cref="EpochSummary"/> per epoch, on the training thread.</summary>
    public IProgress<EpochSummary>? Progress { get; set; }

    /// <summary>Receives, on the training thread, each candidate of <see cref="Search"/> and of
    /// <see cref="BaselineComparison"/> as soon as it has a validation score, then the decision: which candidate Fit
    /// returns and why (<see cref="SelectionReport"/>). Nothing is reported when there is neither a search nor a
    /// comparison. Epochs go to <see cref="Progress"/>.</summary>
    public IProgress<SelectionReport>? SelectionProgress { get; set; }

    /// <summary>Checks every option and throws <see cref="ArgumentOutOfRangeException"/> or
    /// <see cref="ArgumentException"/> naming the first one out of range, a group's setting by its path (for example
    /// "Schedule.PlateauPatience"). Fit calls it before reading any data.</summary>
    public void Validate()
    {
        RequireName(FeatureColumnName, nameof(FeatureColumnName));
        RequireName(LabelColumnName, nameof(LabelColumnName));
        RequireName(ScoreColumnName, nameof(ScoreColumnName));
        if (FutureFeatureColumnName is not null)
            RequireName(FutureFeatureColumnName, nameof(FutureFeatureColumnName));
        RequirePositive(InputFeatureCount, nameof(InputFeatureCount));
        RequirePositive(OutputFeatureCount, nameof(OutputFeatureCount));
        RequirePositive(Horizon, nameof(Horizon));
        RequireDefined(Cell, nameof(Cell));
        RequireDefined(Device, nameof(Device));
        RequireDefined(NonFiniteRows, nameof(NonFiniteRows));
        RequireDefined(Family, nameof(Family));
        RequireDefined(InstanceNormalization, nameof(InstanceNormalization));
        RequireDefined(Loss, nameof(Loss));
        RequireDefined(BaselineComparison, nameof(BaselineComparison));
        RequireFinitePositive(HuberDelta, nameof(HuberDelta));
        if (!(AmplitudeAugmentation >= 1 && AmplitudeAugmentation <= MaxAmplitudeAugmentation))
            throw new ArgumentOutOfRangeException(nameof(AmplitudeAugmentation), AmplitudeAugmentation,
                $"{nameof(AmplitudeAugmentation)} is the largest stretch factor, from 1 (off) to {MaxAmplitudeAugmentation} (it is {AmplitudeAugmentation}).");
        Networks.INetworkFamily family = Networks.NetworkFamilies.Of(this);
        if (FutureFeatureColumnName is not null && !family.TakesFutureFeatures)
            throw new ArgumentException($"{nameof(FutureFeatureColumnName)} = '{FutureFeatureColumnName}': {nameof(NetworkFamily)}.{Family} reads the look-back window only and takes no known-future inputs; "
                + $"use a family that does ({string.Join(", ", Networks.NetworkFamilies.All.Where(f => f.TakesFutureFeatures).Select(f => $"{nameof(NetworkFamily)}.{f.Id}"))}).", nameof(FutureFeatureColumnName));
        family.CheckOptions(this);
        if (TargetInputIndices is int[] targets)
        {
            if (targets.Length == 0)
                throw new ArgumentException($"{nameof(TargetInputIndices)} is empty; give one input index per output feature, or null.", nameof(TargetInputIndices));
            for (int k = 0; k < targets.Length; k++)
            {
                if (targets[k] < 0 || (InputFeatureCount is int f && targets[k] >= f))
                    throw new ArgumentOutOfRangeException(nameof(TargetInputIndices), targets[k], $"{nameof(TargetInputIndices)}[{k}] = {targets[k]} is not an input feature index (0 to InputFeatureCount − 1).");
            }
            if (OutputFeatureCount is int o && o != targets.Length)
                throw new ArgumentException($"{nameof(TargetInputIndices)} holds {targets.Length} indices, but {nameof(OutputFeatureCount)} = {o}: give one per output feature.", nameof(TargetInputIndices));
        }
        RequirePositive(HiddenSize, nameof(HiddenSize));
        RequirePositive(LayerCount, nameof(LayerCount));
        RequireRange(Dropout, nameof(Dropout), 0, 1, upperInclusive: false);
        RequireRange(TeacherForcingRatio, nameof(TeacherForcingRatio), 0, 1, upperInclusive: true);
        if (TeacherForcingRatioEnd is double end)
            RequireRange(end, nameof(TeacherForcingRatioEnd), 0, 1, upperInclusive: true);
        if (LearningRate is double learningRate)
            RequireFinitePositive(learningRate, nameof(LearningRate));
        RequireDefined(LearningRateScaling, nameof(LearningRateScaling));
        RequirePositive(ReferenceBatchSize, nameof(ReferenceBatchSize));
        if (LearningRateScaling != LearningRateScaling.None && ReferenceBatchSize is null)
            throw new ArgumentException($"{nameof(LearningRateScaling)} = {LearningRateScaling} needs {nameof(ReferenceBatchSize)}: the batch size the learning rate was tuned at.", nameof(ReferenceBatchSize));
        if (!double.IsFinite(WeightDecay) || WeightDecay < 0)
            throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, $"{nameof(WeightDecay)} must be a finite number ≥ 0.");
        if (GradientClipNorm is double clip)
            RequireFinitePositive(clip, nameof(GradientClipNorm));
        RequirePositive(BatchSize, nameof(BatchSize));
        RequirePositive(MicroBatchSize, nameof(MicroBatchSize));
        if (MicroBatchSize > BatchSize)
            throw new ArgumentOutOfRangeException(nameof(MicroBatchSize), MicroBatchSize,
                $"{nameof(MicroBatchSize)} ({MicroBatchSize}) cannot exceed {nameof(BatchSize)} ({BatchSize}): a micro-batch is a part of one optimizer step.");
        RequirePositive(MaxMicroBatchSize, nameof(MaxMicroBatchSize));
        RequirePositive(GradientNoiseScaleEverySteps, nameof(GradientNoiseScaleEverySteps));
        RequirePositive(MaxEpochs, nameof(MaxEpochs));
        RequireGroup(Schedule, nameof(Schedule)).Validate();
        Checkpoints?.Validate();
        RequireRange(ValidationFraction, nameof(ValidationFraction), 0, 1, upperInclusive: false);
        if (ValidationGapRows is int gapRows && gapRows < 0)
            throw new ArgumentOutOfRangeException(nameof(ValidationGapRows), gapRows, $"{nameof(ValidationGapRows)} must be ≥ 0 (it is {gapRows}).");
        RequireGroup(EarlyStopping, nameof(EarlyStopping)).Validate();
        Quantiles?.Validate();
        Streaming?.Validate();
        if (Streaming is not null && LearningRate is null)
            throw new ArgumentException($"{nameof(Streaming)} streams the data, but {nameof(LearningRate)} = null asks for the learning-rate range test, "
                + $"which needs the rows in memory: set {nameof(LearningRate)} (for example from FindSeq2SeqLearningRate on a sample of the data).", nameof(LearningRate));
        if (Streaming is not null && FutureFeatureColumnName is not null)
            throw new ArgumentException($"{nameof(Streaming)} streams the data, but {nameof(FutureFeatureColumnName)} = '{FutureFeatureColumnName}' asks for known-future inputs, "
                + $"which streaming does not read yet: train in memory (set {nameof(Streaming)} = null), or train without future inputs.", nameof(Streaming));
        if (Search is not null)
        {
            Search.Validate();
            if (ValidationSet is null && ValidationFraction == 0)
                throw new ArgumentException($"{nameof(Search)} chooses among its candidates on validation data: set {nameof(ValidationSet)} or {nameof(ValidationFraction)}.", nameof(Search));
            if (LearningRate is null)
                throw new ArgumentException($"{nameof(Search)} trains every candidate at one learning rate: set {nameof(LearningRate)} (the range test runs for one network).", nameof(LearningRate));
        }
        RequirePositive(InferenceBatchSize, nameof(InferenceBatchSize));
        if (InferenceBatchSize > MaxInferenceBatchSize)
            throw new ArgumentOutOfRangeException(nameof(InferenceBatchSize), InferenceBatchSize, $"{nameof(InferenceBatchSize)} must be at most {MaxInferenceBatchSize} (it is {InferenceBatchSize}).");
    }

    /// <summary>The most quantile levels a model forecasts (<see cref="QuantileOptions.Levels"/>).</summary>
    public const int MaxQuantileCount = 99;

    /// <summary>A copy whose option groups are copies too, so Fit can resolve shapes without changing the caller's
    /// object, and a change to the caller's groups after the estimator was made does not reach its Fit. Data views,
    /// arrays outside the groups and the progress sink are shared.</summary>
    internal Seq2SeqOptions Clone()
    {
        var copy = (Seq2SeqOptions)MemberwiseClone();
        copy.Schedule = Schedule?.Clone()!;
        copy.EarlyStopping = EarlyStopping?.Clone()!;
        copy.Quantiles = Quantiles?.Clone();
        copy.Streaming = Streaming?.Clone();
        copy.Checkpoints = Checkpoints?.Clone();
        copy.Search = Search?.Clone();
        return copy;
    }

    private static T RequireGroup<T>(T? group, string option) where T : class =>
        group ?? throw new ArgumentNullException(option, $"{option} must not be null; assign new() for the defaults.");
}
