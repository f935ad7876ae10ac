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
public sealed class Seq2SeqTransformer : ITransformer, ICanSaveModel, IDisposable, ISequenceScorer, IOnnxExportable
{
    internal const string LoaderSignature = "Seq2SeqTransformer";

    // Format history:
    //   0x00010001  initial: columns, batch size, architecture, history, weights stream.
    //   0x00010002  the body and the weights stream are checked blocks (length, bytes, SHA-256), so damage is
    //               found before anything is parsed; 0x00010001 is no longer read (it could load damaged weights).
    //   0x00010003  the architecture records ResidualDecoding, the history the peak learning rate; 0x00010002 was
    //               never released and is not read.
    //   0x00010004  the architecture records the network family, segment length, instance normalisation (and its
    //               affine option), channel independence and the output → input mapping; 0x00010003 files still load
    //               (as autoregressive encoder-decoders without them).
    //   0x00010005  the column names move out of the checked block into ML.NET's string table (SaveNonEmptyString), so
    //               an empty or damaged name fails at load; the block ends with the Score column's slot names (from the
    //               training label's); 0x00010004 and 0x00010003 files still load (without slot names).
    //   0x00010006  the block ends with the training series (TrainingSeries.Write: input and target columns, input length,
    //               the z-score statistics), when the training data were window views; older files load without it.
    //   0x00010007  the architecture ends with the quantile levels (NetworkArchitecture.Write); older files load as
    //               point-only models.
    //   0x00010008  the training series ends with its series column and per-series statistics
    //               (TrainingSeries.WriteManySeries); older files load as single-series models.
    //   0x00010009  known-future inputs: the architecture ends with K (NetworkArchitecture.Write), the block with the
    //               future-feature column name and FutureFeatureSpec; older files load without them (K = 0).
    //   0x0001000A  quantile calibration: the block ends with the conformal offsets of the central intervals
    //               (bool, then QuantileCalibration.Write) when Seq2SeqOptions.CalibrateQuantiles applied; older files
    //               load uncalibrated.
    private const uint FirstVersionWithForecastingArchitecture = 0x00010004;
    private const uint FirstVersionWithStringTableNames = 0x00010005;
    private const uint FirstVersionWithTrainingSeries = 0x00010006;
    private const uint FirstVersionWithQuantiles = 0x00010007;
    private const uint FirstVersionWithManySeries = 0x00010008;
    private const uint FirstVersionWithFutureFeatures = 0x00010009;
    private const uint FirstVersionWithQuantileCalibration = 0x0001000A;
    private static readonly ModelFormat s_format = new("S2SEQTRF", LoaderSignature, FirstVersionWithQuantileCalibration, 0x00010003, typeof(Seq2SeqTransformer));
    private const string WeightsStreamName = "Weights";

    private readonly SequenceNetwork _network;
    private readonly Device _device;
    // Dispose waits for scoring in flight and refuses new scoring: a prediction engine disposed on one thread while
    // another scores must give ObjectDisposedException, never a forward pass over freed native tensors.
    private readonly object _lifetime = new();
    private int _inFlight;
    private bool _disposed;

    internal Seq2SeqTransformer(SequenceNetwork network, string featureColumnName, string scoreColumnName,
        int inferenceBatchSize, TrainingHistory history, Device device)
    {
        _network = network;
        _device = device;
        _network.eval();
        FeatureColumnName = featureColumnName;
        ScoreColumnName = scoreColumnName;
        InferenceBatchSize = inferenceBatchSize;
        TrainingHistory = history;
    }

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
        using NetworkLease lease = UseNetwork();
        return use(_network);
    }

    private DistributionCheck? _distributionCheck;

    // Models standardized with training statistics expect z-scores; raw values in their place are warned about once.
    private DistributionCheck? DistributionChecker =>
        Host is null || TrainingSeries?.Statistics is null ? null
            : LazyInitializer.EnsureInitialized(ref _distributionCheck, () => new DistributionCheck(Host, FeatureColumnName));

    /// <summary>The Score column's slot names (H × O, time-major, e.g. "OT@t+1"), taken from the training label's; null when it had none.</summary>
    internal IReadOnlyList<string>? ScoreSlotNames { get; init; }

    /// <summary>The MLContext the model was trained or loaded with, for log messages (the ONNX export's reasons); null when unknown.</summary>
    internal MLNetHost? Host { get; init; }

    /// <summary>
    /// The series the training windows were cut from — input and target columns, input length, z-score statistics —
    /// when the training data were window views (<c>CreateSequenceWindows</c>, <c>SplitSequenceWindowsChronologically</c>);
    /// saved with the model. With it, Transform refuses windows of another length or other columns, and
    /// <see cref="CreateForecastEngine"/> forecasts from raw series values. Null for models trained on other data
    /// (and for models saved before format 0x00010006).
    /// </summary>
    public TrainingSeries? TrainingSeries { get; internal init; }

    /// <summary>
    /// The known-future feature column (Horizon × K floats per row) that Transform reads with the features, for models
    /// trained with <see cref="Seq2SeqOptions.FutureFeatureColumnName"/>; null otherwise.
    /// </summary>
    public string? FutureFeatureColumnName { get; internal init; }

    /// <summary>Known-future features per forecast step (K); 0 for models trained without them.</summary>
    public int FutureFeatureCount => _network.Architecture.FutureFeatureCount;

    /// <summary>What the known-future features are (future columns, calendar, holidays), when the training windows said so; the
    /// forecast engine builds them from it. Null for models without future features or trained on other data.</summary>
    internal FutureFeatureSpec? FutureFeatures { get; init; }

    /// <summary>The conformal offsets of the quantile intervals (Seq2SeqOptions.CalibrateQuantiles), applied to every
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
        var scored = new SequenceScoringDataView(input, FeatureColumnName, ScoreColumnName, this, InferenceBatchSize, FutureFeatureColumnName);
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
    public void Dispose()
    {
        lock (_lifetime)
        {
            if (_disposed)
                return;
            _disposed = true;
            while (_inFlight > 0)
                Monitor.Wait(_lifetime);
        }
        _network.Dispose();
    }

    /// <summary>Marks the network in use until the returned lease is disposed; throws once the transformer is disposed.</summary>
    private NetworkLease UseNetwork()
    {
        lock (_lifetime)
        {
            ThrowIfDisposed();
            _inFlight++;
        }
        return new NetworkLease(this);
    }

    private readonly struct NetworkLease(Seq2SeqTransformer owner) : IDisposable
    {
        public void Dispose()
        {
            lock (owner._lifetime)
            {
                if (--owner._inFlight == 0)
                    Monitor.PulseAll(owner._lifetime);
            }
        }
    }

    private SequenceScoringRowMapper CreateMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        ThrowIfDisposed();
        CheckInputSchema(inputSchema);
        return new SequenceScoringRowMapper(inputSchema, FeatureColumnName, ScoreColumnName, this, FutureFeatureColumnName);
    }

    // The same checks and wording as Fit's (Data/FloatVectorColumn), then the shape this model was trained with.
    private void CheckInputSchema(DataViewSchema schema)
    {
        var features = (VectorDataViewType)FloatVectorColumn.Find(schema, FeatureColumnName, "feature", "inputSchema").Type;
        bool wrongWidth = features.Dimensions.Length == 2 && features.Dimensions[1] != InputFeatureCount;
        if (wrongWidth || (features.Size > 0 && features.Size % InputFeatureCount != 0))
            throw new ArgumentOutOfRangeException("inputSchema",
                $"Schema mismatch for feature column '{FeatureColumnName}': expected Vector<Single, L, {InputFeatureCount}> (a multiple of {InputFeatureCount} values), got {features}. "
                + $"This model was trained with {InputFeatureCount} features per time step.");
        if (TrainingSeries is TrainingSeries series)
            TrainingSeriesChecks.CheckWindows(schema[FeatureColumnName], features, series);
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>The scoring port: runs the network on blocks of rows, for the scoring views, the row mapper and the
    /// forecast engine.</summary>
    internal ISequenceScorer Scorer => this;

    int ISequenceScorer.InputFeatureCount => InputFeatureCount;

    int ISequenceScorer.OutputFeatureCount => OutputFeatureCount;

    int ISequenceScorer.Horizon => Horizon;

    IReadOnlyList<string>? ISequenceScorer.ScoreSlotNames => ScoreSlotNames;

    int ISequenceScorer.QuantileCount => _network.Architecture.Quantiles.Length;

    IReadOnlyList<string>? ISequenceScorer.QuantileSlotNames => QuantileSlotNames.Of(ScoreSlotNames, _network.Architecture.Quantiles, Horizon, OutputFeatureCount);

    // The autoregressive family packs variable-length rows; the segment family cuts fixed segments and needs equal lengths.
    bool ISequenceScorer.ScoresMixedLengths => _network.Architecture.FamilyDescriptor.TakesVariableLengths;

    int ISequenceScorer.FutureFeatureCount => FutureFeatureCount;

    void ISequenceScorer.Score(ReadOnlySpan<float> features, int rowCount, int inputLength, ReadOnlySpan<int> rowLengths, Span<float> scores) =>
        ((ISequenceScorer)this).ScoreWithFuture(features, rowCount, inputLength, rowLengths, scores, ReadOnlySpan<float>.Empty);

    void ISequenceScorer.ScoreWithFuture(ReadOnlySpan<float> features, int rowCount, int inputLength, ReadOnlySpan<int> rowLengths, Span<float> scores, ReadOnlySpan<float> future)
    {
        using NetworkLease lease = UseNetwork();
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        DistributionChecker?.Check(features.Slice(0, rowCount * inputLength * InputFeatureCount));
        Tensor input = torch.empty(new long[] { rowCount, inputLength, InputFeatureCount }, ScalarType.Float32);
        input.data<float>().CopyFrom(features.Slice(0, rowCount * inputLength * InputFeatureCount), 0, 0);
        Tensor? lengths = rowLengths.IsEmpty ? null : torch.tensor(Array.ConvertAll(rowLengths.ToArray(), l => (long)l), dtype: ScalarType.Int64);
        Tensor? futureTensor = null;
        if (FutureFeatureCount > 0)
        {
            int futureLength = rowCount * Horizon * FutureFeatureCount;
            if (future.Length < futureLength)
                throw new ArgumentException($"The model takes Horizon × K = {Horizon} × {FutureFeatureCount} known-future values per row, {futureLength} for {rowCount} rows, but {future.Length} were given.", nameof(future));
            futureTensor = torch.empty(new long[] { rowCount, Horizon, FutureFeatureCount }, ScalarType.Float32);
            futureTensor.data<float>().CopyFrom(future.Slice(0, futureLength), 0, 0);
            futureTensor = futureTensor.to(_device);
        }
        var (point, quantiles) = _network.ForwardWithQuantiles(input.to(_device), lengths, future: futureTensor);
        // Each row: its H × O point forecasts, then its quantiles as [H, Q, O].
        Tensor prediction = quantiles is null ? point
            : torch.cat(new[] { point.reshape(rowCount, -1), quantiles.permute(0, 1, 3, 2).reshape(rowCount, -1) }, 1);
        prediction = prediction.cpu().contiguous();
        int rowLength = Horizon * OutputFeatureCount * (1 + _network.Architecture.Quantiles.Length);
        prediction.data<float>().CopyTo(scores.Slice(0, rowCount * rowLength), 0, 0);
        if (QuantileCalibration is { } calibration)
        {
            int pointLength = Horizon * OutputFeatureCount;
            for (int row = 0; row < rowCount; row++)
                calibration.Apply(scores.Slice(row * rowLength, pointLength), scores.Slice(row * rowLength + pointLength, rowLength - pointLength));
        }
    }

    int IOnnxExportable.InputFeatureCount => InputFeatureCount;

    string? IOnnxExportable.WhyNotOnnx(int inputLength) => NetworkOnnxExport.WhyNot(_network.Architecture, inputLength);

    string IOnnxExportable.ExportOnnx(OnnxOps ops, string features, int inputLength)
    {
        using NetworkLease lease = UseNetwork();
        return NetworkOnnxExport.Export(ops, _network, features, inputLength);
    }

    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        byte[] weights;
        using (UseNetwork())
            weights = NetworkWeights.Save(_network);
        ModelWriter.Save(ctx, s_format, writer =>
        {
            // *** Binary format ***
            // checked block (long length, bytes, SHA-256) holding:
            //   int: inference batch size
            //   architecture (NetworkArchitecture.Write)
            //   history (TrainingHistoryFormat.Write)
            //   int: number of Score slot names, 0 (none) or Horizon × OutputFeatureCount; then that many strings
            //   bool: has a training series; if so TrainingSeries.Write (from 0x00010006), then TrainingSeries.WriteManySeries (from 0x00010008)
            //   (from 0x00010009) bool: has a future-feature column; if so string: its name; bool: has a FutureFeatureSpec; if so FutureFeatureSpec.Write
            //   bool: has a quantile calibration; if so QuantileCalibration.Write (from 0x0001000A)
            // int: feature column name (string table id)
            // int: score column name (string table id)
            // stream "Weights": checked block holding the TorchSharp state dict of the network (CPU tensors)
            // (before 0x00010005 the block began with the two names as strings, and no ids followed it)
            writer.WriteCheckedBlock(body =>
            {
                body.Write(InferenceBatchSize);
                _network.Architecture.Write(body);
                TrainingHistoryFormat.Write(body, TrainingHistory);
                body.Write(ScoreSlotNames?.Count ?? 0);
                foreach (string name in ScoreSlotNames ?? Array.Empty<string>())
                    body.Write(name);
                body.Write(TrainingSeries is not null);
                TrainingSeries?.Write(body);
                TrainingSeries?.WriteManySeries(body);
                // ---- 0x00010009: known-future inputs ----
                body.Write(FutureFeatureColumnName is not null);
                if (FutureFeatureColumnName is not null)
                    body.Write(FutureFeatureColumnName);
                body.Write(FutureFeatures is not null);
                FutureFeatures?.Write(body);
                // ---- 0x0001000A: quantile calibration ----
                body.Write(QuantileCalibration is not null);
                QuantileCalibration?.Write(body);
            });
            writer.WriteNonEmptyString(FeatureColumnName);
            writer.WriteNonEmptyString(ScoreColumnName);
            writer.WriteCheckedStream(WeightsStreamName, weights);
        });
    }

    // Formats before 0x00010005 kept the names as strings inside the checked block.
    private static string ReadOldName(BinaryReader body, string what)
    {
        string name = body.ReadString();
        return name.Length > 0 ? name : throw new InvalidDataException($"the {what} is empty");
    }

    private static string[]? ReadSlotNames(BinaryReader body, long scoreLength)
    {
        int count = body.ReadInt32();
        if (count == 0)
            return null;
        if (count != scoreLength)
            throw new InvalidDataException($"the model holds {count} Score slot names, but Horizon × OutputFeatureCount = {scoreLength}");
        var names = new string[count];
        for (int i = 0; i < count; i++)
            names[i] = body.ReadString();
        return names;
    }

    // Factory for SignatureLoadModel: ML.NET finds it by reflection (LoadableClass above).
    private static Seq2SeqTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        TorchRuntime.EnsureLoaded();
        return ModelReader.Load(ctx, s_format, reader =>
        {
            // *** Binary format ***: see Save, read in the same order.
            bool namesInStringTable = reader.WrittenVersion >= FirstVersionWithStringTableNames;
            var (oldFeatureName, oldScoreName, inferenceBatchSize, architecture, history, slotNames, series, futureColumn, futureSpec, calibration) = reader.ReadCheckedBlock(body =>
            {
                string? feature = namesInStringTable ? null : ReadOldName(body, "feature column name");
                string? score = namesInStringTable ? null : ReadOldName(body, "score column name");
                int batch = body.ReadInt32();
                if (batch <= 0 || batch > Seq2SeqOptions.MaxInferenceBatchSize)
                    throw new InvalidDataException($"inference batch size {batch} is outside [1, {Seq2SeqOptions.MaxInferenceBatchSize}]");
                NetworkArchitecture architecture = NetworkArchitecture.Read(body, reader.WrittenVersion >= FirstVersionWithForecastingArchitecture, reader.WrittenVersion >= FirstVersionWithQuantiles,
                    reader.WrittenVersion >= FirstVersionWithFutureFeatures);
                TrainingHistory history = TrainingHistoryFormat.Read(body);
                string[]? slots = namesInStringTable ? ReadSlotNames(body, (long)architecture.Horizon * architecture.OutputFeatureCount) : null;
                TrainingSeries? series = reader.WrittenVersion >= FirstVersionWithTrainingSeries && body.ReadBoolean() ? TrainingSeries.Read(body) : null;
                if (series is not null && reader.WrittenVersion >= FirstVersionWithManySeries)
                    series = series.ReadManySeries(body);
                if (series is not null && (series.InputColumnNames.Count != architecture.InputFeatureCount || series.TargetColumnNames.Count != architecture.OutputFeatureCount))
                    throw new InvalidDataException($"the training series has {series.InputColumnNames.Count} input and {series.TargetColumnNames.Count} target columns, but the network {architecture.InputFeatureCount} and {architecture.OutputFeatureCount}");
                // ---- 0x00010009: known-future inputs ----
                string? futureColumn = null;
                FutureFeatureSpec? futureSpec = null;
                if (reader.WrittenVersion >= FirstVersionWithFutureFeatures)
                {
                    futureColumn = body.ReadBoolean() ? ReadOldName(body, "future-feature column name") : null;
                    futureSpec = body.ReadBoolean() ? FutureFeatureSpec.Read(body) : null;
                }
                if ((futureColumn is null) != (architecture.FutureFeatureCount == 0) || (futureSpec is not null && futureSpec.Count != architecture.FutureFeatureCount))
                    throw new InvalidDataException($"the network takes {architecture.FutureFeatureCount} known-future features per step, but the model names "
                        + $"{(futureColumn is null ? "no future-feature column" : $"column '{futureColumn}'")}{(futureSpec is null ? "" : $" of {futureSpec.Count} values per step")}");
                // ---- 0x0001000A: quantile calibration ----
                Forecasting.QuantileCalibration? calibration = reader.WrittenVersion >= FirstVersionWithQuantileCalibration && body.ReadBoolean()
                    ? Forecasting.QuantileCalibration.Read(body, architecture.Quantiles, architecture.Horizon, architecture.OutputFeatureCount) : null;
                return (feature, score, batch, architecture, history, slots, series, futureColumn, futureSpec, calibration);
            });
            string featureColumnName = oldFeatureName ?? reader.ReadNonEmptyString("feature column name");
            string scoreColumnName = oldScoreName ?? reader.ReadNonEmptyString("score column name");

            byte[] weights = reader.ReadCheckedStream(WeightsStreamName, maxLength: Array.MaxLength);
            // Before building the network: an architecture far larger than its weights must not be allocated at all
            // (a close mismatch is left to NetworkWeights.Load, which names the tensor).
            if (architecture.MinimumWeightBytes() > 4.0 * weights.Length + (1 << 20))
                throw new InvalidDataException($"the saved architecture ({architecture}) needs at least {architecture.MinimumWeightBytes():F0} bytes of weights, but the weights stream holds only {weights.Length}");
            // Every recurrent layer holds at least two tensors (input and hidden weights): a layer count far beyond the
            // weights' tensor count would build a deep network only to refuse it.
            long tensors = NetworkWeights.TensorCount(weights);
            if (2L * architecture.LayerCount > tensors)
                throw new InvalidDataException($"the saved architecture has {architecture.LayerCount} layers, but the weights hold only {tensors} tensors (at least 2 per layer)");
            var host = new MLNetHost(env, nameof(Seq2SeqTransformer));
            Device device = TorchDevices.Resolve(ComputeDevice.Auto, host);
            var network = NetworkFactory.Create(architecture);
            try
            {
                NetworkWeights.Load(network, weights);
                network.to(device);
                return new Seq2SeqTransformer(network, featureColumnName, scoreColumnName, inferenceBatchSize, history, device)
                {
                    ScoreSlotNames = slotNames,
                    TrainingSeries = series,
                    Host = host,
                    FutureFeatureColumnName = futureColumn,
                    FutureFeatures = futureSpec,
                    QuantileCalibration = calibration,
                };
            }
            catch
            {
                network.Dispose();
                throw;
            }
        });
    }
}
