using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Threading;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNetSeq2Seq;
using MLNetSeq2Seq.Columns;
using MLNetSeq2Seq.MLNetInterop;
using MLNetSeq2Seq.ModelFile;
using MLNetSeq2Seq.Native;
using MLNetSeq2Seq.Networks;
using MLNetSeq2Seq.Onnx;
using MLNetSeq2Seq.Scoring;
using MLNetSeq2Seq.Training;
using MLNetSeq2Seq.Windows;
using TorchSharp;
using static TorchSharp.torch;

[assembly: LoadableClass(typeof(Seq2SeqTransformer), null, typeof(SignatureLoadModel), "Seq2Seq Transformer", Seq2SeqTransformer.LoaderSignature)]

namespace MLNetSeq2Seq;

/// <summary>
/// A trained sequence-to-sequence model. <see cref="Transform"/> lazily adds the predicted sequence column
/// (Horizon × OutputFeatureCount floats, time-major), running the network on blocks of rows. Saves and loads
/// with <c>mlContext.Model.Save/Load</c>. Holds native tensors: dispose it when done.
/// </summary>
public sealed class Seq2SeqTransformer : ITransformer, ICanSaveModel, IDisposable, IOnnxExportable
{
    internal const string LoaderSignature = Seq2SeqModelFile.LoaderSignature;

    private readonly SequenceNetwork _network;
    private readonly NetworkLifetime _lifetime;

    /// <summary>The one way a transformer is made (Fit, a diverged Fit, Load, PyTorch import): a network it owns from
    /// now on, and everything else the model is.</summary>
    internal Seq2SeqTransformer(SequenceNetwork network, Seq2SeqModelState state, Device device, MLNetHost? host)
    {
        _network = network;
        _lifetime = new NetworkLifetime(network, this);
        _network.eval();
        FeatureColumnName = state.FeatureColumnName;
        ScoreColumnName = state.ScoreColumnName;
        InferenceBatchSize = state.InferenceBatchSize;
        TrainingHistory = state.History;
        ScoreSlotNames = state.ScoreSlotNames;
        TrainingSeries = state.TrainingSeries;
        FutureFeatureColumnName = state.FutureFeatureColumnName;
        FutureFeatures = state.FutureFeatures;
        QuantileCalibration = state.QuantileCalibration;
        Host = host;
        // Models standardized with training statistics expect z-scores; raw values in their place are warned about once.
        DistributionCheck? distributionCheck = host is null || TrainingSeries?.Statistics is null ? null : new DistributionCheck(host, FeatureColumnName);
        Scorer = new NetworkScorer(_lifetime, device, ScoreSlotNames, () => QuantileCalibration is { } calibration ? calibration.Apply : null, distributionCheck);
    }

    /// <summary>What the model file holds besides the weights.</summary>
    internal Seq2SeqModelState State => new(FeatureColumnName, ScoreColumnName, InferenceBatchSize, TrainingHistory, ScoreSlotNames,
        TrainingSeries, FutureFeatureColumnName, FutureFeatures, QuantileCalibration);

    /// <summary>The input sequence column.</summary>
    public string FeatureColumnName { get; }

    /// <summary>The column Transform adds.</summary>
    public string ScoreColumnName { get; }

    /// <summary>
    /// Rows per forward pass in Transform, from 1 to 2^20; starts at the value Fit was given (or the saved one) and is
    /// saved with the model. Change it on a loaded model to fit the machine that scores; it applies to data views and
    /// prediction engines created afterwards.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside [1, 2^20].</exception>
    public int InferenceBatchSize
    {
        get => _inferenceBatchSize;
        set => _inferenceBatchSize = CheckedInferenceBatchSize(value);
    }

    private volatile int _inferenceBatchSize;

    private static int CheckedInferenceBatchSize(int value) =>
        value is >= 1 and <= Seq2SeqOptions.MaxInferenceBatchSize ? value
            : throw new ArgumentOutOfRangeException(nameof(InferenceBatchSize), value,
                $"{nameof(InferenceBatchSize)} must be between 1 and {Seq2SeqOptions.MaxInferenceBatchSize} rows per forward pass (it was {value}).");

    /// <summary>Values per input step (F).</summary>
    public int InputFeatureCount => _network.Architecture.InputFeatureCount;

    /// <summary>Values per predicted step (O).</summary>
    public int OutputFeatureCount => _network.Architecture.OutputFeatureCount;

    /// <summary>Predicted steps (H).</summary>
    public int Horizon => _network.Architecture.Horizon;

    /// <summary>Per-epoch losses, learning rates and times of the Fit that produced this model (kept through save/load).</summary>
    public TrainingHistory TrainingHistory { get; }

    /// <summary>Always true: the transformer maps rows one to one, so prediction engines work.</summary>
    public bool IsRowToRowMapper => true;

    internal SequenceNetwork Network => _network;

    /// <summary>Runs <paramref name="use"/> on the network while Dispose waits for it (as scoring does).</summary>
    internal T UsingNetwork<T>(Func<SequenceNetwork, T> use)
    {
        using var lease = _lifetime.Lease();
        return use(_network);
    }

    /// <summary>The Score column's slot names (H × O, time-major, e.g. "OT@t+1"), taken from the training label's; null when it had none.</summary>
    internal IReadOnlyList<string>? ScoreSlotNames { get; }

    /// <summary>The MLContext the model was trained or loaded with, for log messages (the ONNX export's reasons); null when unknown.</summary>
    internal MLNetHost? Host { get; }

    /// <summary>
    /// The series the training windows were cut from — input and target columns, input length, z-score statistics —
    /// when the training data were window views (<c>CreateSequenceWindows</c>, <c>SplitSequenceWindowsChronologically</c>);
    /// saved with the model. With it, Transform refuses windows of another length or other columns, and
    /// <see cref="CreateForecastEngine"/> forecasts from raw series values. Null for models trained on other data
    /// (and for models saved before format 0x00010006).
    /// </summary>
    public TrainingSeries? TrainingSeries { get; }

    /// <summary>
    /// The known-future feature column (Horizon × K floats per row) that Transform reads with the features, for models
    /// trained with <see cref="Seq2SeqOptions.FutureFeatureColumnName"/>; null otherwise.
    /// </summary>
    public string? FutureFeatureColumnName { get; }

    /// <summary>Known-future features per forecast step (K); 0 for models trained without them.</summary>
    public int FutureFeatureCount => _network.Architecture.FutureFeatureCount;

    /// <summary>What the known-future features are (future columns, calendar, holidays), when the training windows said so; the
    /// forecast engine builds them from it. Null for models without future features or trained on other data.</summary>
    internal FutureFeatureSpec? FutureFeatures { get; }

    /// <summary>The conformal offsets of the quantile intervals (Seq2SeqOptions.Quantiles.Calibrate), applied to every
    /// quantile this model scores; null when uncalibrated. Set once, by Fit or the loader, before scoring.</summary>
    internal Forecasting.QuantileCalibration? QuantileCalibration { get; set; }

    /// <summary>The input schema plus the score column, shaped [Horizon, OutputFeatureCount].</summary>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => CreateMapper(inputSchema).OutputSchema;

    /// <summary>Adds the score column lazily; the network runs on blocks of <see cref="InferenceBatchSize"/> rows when a cursor moves.
    /// The result also lets <c>mlContext.Model.ConvertToOnnx</c> (Microsoft.ML.OnnxConverter) write the network as ONNX
    /// nodes for inputs whose feature column has a fixed length (docs/onnx.md).</summary>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ThrowIfDisposed();
        CheckInputSchema(input.Schema);
        var scored = new SequenceScoringDataView(input, FeatureColumnName, ScoreColumnName, Scorer, InferenceBatchSize, FutureFeatureColumnName);
        return new OnnxExportableScoringView(input, scored, FeatureColumnName, ScoreColumnName, this, Host);
    }

    /// <summary>
    /// A forecast engine that keeps the last <see cref="TrainingSeries.InputLength"/> observations of a series and
    /// forecasts the <see cref="Horizon"/> steps after them in the series' units, with timestamps; see
    /// <see cref="Seq2SeqForecastEngine"/>. Needs a model trained on window views (<see cref="TrainingSeries"/> set).
    /// </summary>
    /// <param name="mlContext">The context whose log receives the engine's warnings.</param>
    /// <param name="history">The series so far, rows in time order, with every input and target column of
    /// <see cref="TrainingSeries"/> (raw values, as in the CSV); at least InputLength rows (two more for timestamps).</param>
    /// <param name="timestampColumnName">The series' timestamp column (DateTime, DateTimeOffset, or text that
    /// DateTime.Parse reads with the invariant culture), for forecast timestamps; null: forecasts without timestamps.</param>
    /// <param name="seriesId">For a model trained on many series with per-series statistics
    /// (<see cref="TrainingSeries.PerSeriesStatistics"/>): the id of the series to forecast, whose statistics the engine
    /// uses; <paramref name="history"/> then holds that series' rows only (the engine forecasts one series). Null otherwise.</param>
    /// <exception cref="InvalidOperationException">The model has no <see cref="TrainingSeries"/>.</exception>
    /// <exception cref="ArgumentException">A column is missing, the history is too short, or its timestamps are not times;
    /// or the model has per-series statistics and <paramref name="seriesId"/> is null or unknown.</exception>
    public Seq2SeqForecastEngine CreateForecastEngine(MLContext mlContext, IDataView history, string? timestampColumnName = null, string? seriesId = null)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(history);
        ThrowIfDisposed();
        return Seq2SeqForecastEngine.Create(mlContext, this, history, timestampColumnName, seriesId);
    }

    /// <summary>A row-to-row mapper, used by <c>mlContext.Model.CreatePredictionEngine</c>.</summary>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => CreateMapper(inputSchema);

    /// <summary>Frees the network's native tensors, after waiting for scoring already under way on other threads;
    /// scoring that starts later throws <see cref="ObjectDisposedException"/>. Safe to call twice and from any thread.</summary>
    public void Dispose() => _lifetime.Dispose();

    private SequenceScoringRowMapper CreateMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        ThrowIfDisposed();
        CheckInputSchema(inputSchema);
        return new SequenceScoringRowMapper(inputSchema, FeatureColumnName, ScoreColumnName, Scorer, FutureFeatureColumnName);
    }

    // The same checks and wording as Fit's (Columns/FloatVectorColumn), then the shape this model was trained with.
    private void CheckInputSchema(DataViewSchema schema)
    {
        var features = (VectorDataViewType)FloatVectorColumn.Find(schema, FeatureColumnName, "feature", "inputSchema").Type;
        bool wrongWidth = features.Dimensions.Length == 2 && features.Dimensions[1] != InputFeatureCount;
        if (wrongWidth || (features.Size > 0 && features.Size % InputFeatureCount != 0))
            throw new ArgumentOutOfRangeException("inputSchema",
                $"Schema mismatch for feature column '{FeatureColumnName}': expected Vector<Single, L, {InputFeatureCount}> (a multiple of {InputFeatureCount} values), got {features}. "
                + $"This model was trained with {InputFeatureCount} features per time step.");
        int lookback = _network.Architecture.Lookback;
        if (features.Size > 0 && features.Size / InputFeatureCount < lookback)
            throw new ArgumentOutOfRangeException("inputSchema",
                $"Schema mismatch for feature column '{FeatureColumnName}': the model reads the last {lookback} steps of each window, but the column holds {features.Size / InputFeatureCount} "
                + $"({features}). Cut windows of at least {lookback} steps.");
        if (TrainingSeries is TrainingSeries series)
            TrainingSeriesChecks.CheckWindows(schema[FeatureColumnName], features, series);
    }

    private void ThrowIfDisposed() => _lifetime.ThrowIfDisposed();

    /// <summary>The scoring port (Scoring/NetworkScorer): runs the network on blocks of rows, for the scoring views, the
    /// row mapper and the forecast engine.</summary>
    internal ISequenceScorer Scorer { get; }

    int IOnnxExportable.InputFeatureCount => InputFeatureCount;

    string? IOnnxExportable.WhyNotOnnx(int inputLength) => NetworkOnnxExport.WhyNot(_network.Architecture, inputLength);

    string IOnnxExportable.ExportOnnx(OnnxOps ops, string features, int inputLength)
    {
        using var lease = _lifetime.Lease();
        return NetworkOnnxExport.Export(ops, _network, features, inputLength);
    }

    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        byte[] weights;
        using (_lifetime.Lease())
            weights = NetworkWeights.Save(_network);
        Seq2SeqModelFile.Save(ctx, State, _network.Architecture, weights);
    }

    // Factory for SignatureLoadModel: ML.NET finds it by reflection (LoadableClass above).
    private static Seq2SeqTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        TorchRuntime.EnsureLoaded();
        return Seq2SeqModelFile.Load(ctx, (state, architecture, weights) =>
        {
            var host = new MLNetHost(env, nameof(Seq2SeqTransformer));
            Device device = TorchDevices.Resolve(ComputeDevice.Auto, host);
            var network = NetworkFactory.Create(architecture);
            try
            {
                NetworkWeights.Load(network, weights);
                network.to(device);
                return new Seq2SeqTransformer(network, state, device, host);
            }
            catch
            {
                network.Dispose();
                throw;
            }
        });
    }
}
