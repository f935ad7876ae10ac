using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLNetSeq2Seq.Columns;
using MLNetSeq2Seq.MLNetInterop;
using MLNetSeq2Seq.Native;
using MLNetSeq2Seq.Networks;
using MLNetSeq2Seq.TrainingData;
using MLNetSeq2Seq.Windows;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Training;

/// <summary>
/// What Fit and the learning-rate range test both start from: validated options, resolved shapes, the device, the
/// seed, and the training (and validation) rows: read once into tensors, or, with Streaming, checked
/// and counted in one pass and read again every epoch. Owns the tensors.
/// </summary>
internal sealed class TrainingSession : IDisposable
{
    private readonly SequenceDataset? _all;
    private readonly SequenceDataset? _separateValidation;
    private readonly SequenceDataset? _train;
    private readonly StreamedView[] _streamedViews = Array.Empty<StreamedView>();

    private TrainingSession(Seq2SeqOptions options, MLNetHost host, SequenceShapes shapes, TargetMapping targets, Device device, int seed,
        SequenceDataset all, SequenceDataset train, SequenceDataset? validation, SequenceDataset? separateValidation)
        : this(options, host, shapes, targets, device, seed, new InMemorySequenceRows(train), validation is null ? null : new InMemorySequenceRows(validation))
    {
        _all = all;
        _train = train;
        Validation = validation;
        _separateValidation = separateValidation;
    }

    private TrainingSession(Seq2SeqOptions options, MLNetHost host, SequenceShapes shapes, TargetMapping targets, Device device, int seed,
        ISequenceRows trainRows, ISequenceRows? validationRows, params StreamedView[] streamedViews)
    {
        _streamedViews = streamedViews;
        Targets = targets;
        Options = options;
        Host = host;
        Shapes = shapes;
        Device = device;
        Seed = seed;
        TrainRows = trainRows;
        ValidationRows = validationRows;
    }

    public Seq2SeqOptions Options { get; }
    public MLNetHost Host { get; }
    public SequenceShapes Shapes { get; }
    public Device Device { get; }
    public int Seed { get; }

    /// <summary>The training rows in memory; not there when streaming (see <see cref="Streamed"/>).</summary>
    public SequenceDataset Train => _train ?? throw new InvalidOperationException(
        $"The training rows are streamed ({nameof(Seq2SeqOptions.Streaming)} is set), so they are not in memory.");
    public SequenceDataset? Validation { get; }

    /// <summary>The rows Fit trains on, in memory or streamed.</summary>
    public ISequenceRows TrainRows { get; }

    /// <summary>The rows Fit validates on after each epoch; null for none.</summary>
    public ISequenceRows? ValidationRows { get; }

    /// <summary>True when the rows are read again every epoch (Streaming).</summary>
    public bool Streamed => _train is null;

    /// <summary>Which input each output forecasts, and whether channels are independent.</summary>
    public TargetMapping Targets { get; }

    public NetworkArchitecture Architecture => NetworkArchitecture.From(Options, Shapes.InputFeatureCount, Shapes.OutputFeatureCount, Shapes.Horizon,
        Targets.InputIndices, Targets.ChannelIndependent, Shapes.InputLength) with { FutureFeatureCount = Shapes.FutureFeatureCount };

    /// <summary>The step, in rows of the series, between consecutive validation windows, from the windows' annotations
    /// (CreateSequenceWindows and the splits write it); null when the windows do not say.</summary>
    public int? ValidationWindowStride { get; private set; }

    /// <summary>How many consecutive validation windows share label steps with each other: ⌈H / stride⌉ (H when the
    /// stride is unknown). Their losses are correlated, so comparisons on validation take blocks of this many windows.</summary>
    public int CorrelatedValidationWindows => ValidationWindowStride is int stride && stride > 0 ? (Shapes.Horizon + stride - 1) / stride : Shapes.Horizon;

    /// <summary>Checks the options and the schema, then reads the data once.</summary>
    public static TrainingSession Open(IHostEnvironment environment, Seq2SeqOptions options, IDataView input, string component)
    {
        TrainingSession session = OpenRows(environment, options, input, component);
        session.ValidationWindowStride = SequenceWindowDataView.StrideOf((options.ValidationSet ?? input).Schema[options.LabelColumnName]);
        return session;
    }

    private static TrainingSession OpenRows(IHostEnvironment environment, Seq2SeqOptions options, IDataView input, string component)
    {
        ArgumentNullException.ThrowIfNull(input);
        options.Validate();
        SequenceShapes shapes = SequenceShapes.Resolve(input.Schema, options);
        if (options.ValidationSet is IDataView validationView)
            CheckValidationSchema(options, validationView, shapes);
        TargetMapping targets = TargetMapping.Resolve(options, shapes, input.Schema);
        TorchRuntime.EnsureLoaded();

        var host = new MLNetHost(environment, component);
        Device device = TorchDevices.Resolve(options.Device, host);
        int seed = options.Seed ?? host.Seed ?? Random.Shared.Next();
        if (options.Streaming?.ShufflePoolRows is int poolRows)
            return OpenStreamed(options, input, shapes, targets, host, device, seed, poolRows);
        SequenceDataset all = SequenceDataReader.Read(input, options.FeatureColumnName, options.LabelColumnName, shapes, device, "Training data", options.NonFiniteRows, host, TrainingSwitches.CopyWindows, options.FutureFeatureColumnName);
        try
        {
            RequireFullLengthUnlessTheFamilyPacks(options, all, "Training data");
            if (options.ValidationSet is IDataView validationSet)
            {
                var validation = SequenceDataReader.Read(validationSet, options.FeatureColumnName, options.LabelColumnName, shapes, device, "ValidationSet", options.NonFiniteRows, host, TrainingSwitches.CopyWindows, options.FutureFeatureColumnName);
                try
                {
                    RequireFullLengthUnlessTheFamilyPacks(options, validation, "ValidationSet");
                }
                catch
                {
                    validation.Dispose();
                    throw;
                }
                return new TrainingSession(options, host, shapes, targets, device, seed, all, all, validation, validation);
            }
            if (options.ValidationFraction > 0)
            {
                int validationCount = (int)Math.Round(all.Count * options.ValidationFraction);
                int gap = ValidationGap(options, input, shapes.Horizon, host);
                if (validationCount < 1 || validationCount + gap >= all.Count)
                    throw new ArgumentOutOfRangeException(nameof(Seq2SeqOptions.ValidationFraction), options.ValidationFraction,
                        $"ValidationFraction {options.ValidationFraction} of {all.Count} rows leaves {validationCount} validation and {all.Count - validationCount - gap} training rows "
                        + $"(after a gap of {gap} rows); both need at least one.");
                var (train, held) = all.SplitLast(validationCount, gap);
                return new TrainingSession(options, host, shapes, targets, device, seed, all, train, held, null);
            }
            return new TrainingSession(options, host, shapes, targets, device, seed, all, all, null, null);
        }
        catch
        {
            all.Dispose();
            throw;
        }
    }

    /// <summary>Streaming: one pass checks and counts the rows (and the ValidationSet's); each epoch reads them again.</summary>
    private static TrainingSession OpenStreamed(Seq2SeqOptions options, IDataView input, SequenceShapes shapes, TargetMapping targets, MLNetHost host,
        Device device, int seed, int poolRows)
    {
        StreamedView view = StreamedView.Scan(input, options.FeatureColumnName, options.LabelColumnName, shapes, "Training data", options.NonFiniteRows, host);
        int all = (int)view.KeptRows;
        StreamedSequenceRows train;
        StreamedSequenceRows? validation = null;
        StreamedView? held = null;
        if (options.ValidationSet is IDataView validationSet)
        {
            held = StreamedView.Scan(validationSet, options.FeatureColumnName, options.LabelColumnName, shapes, "ValidationSet", options.NonFiniteRows, host);
            train = new StreamedSequenceRows(view, 0, all, poolRows, device);
            validation = new StreamedSequenceRows(held, 0, (int)held.KeptRows, poolRows, device);
        }
        else if (options.ValidationFraction > 0)
        {
            int validationCount = (int)Math.Round(all * options.ValidationFraction);
            int gap = ValidationGap(options, input, shapes.Horizon, host);
            if (validationCount < 1 || validationCount + gap >= all)
                throw new ArgumentOutOfRangeException(nameof(Seq2SeqOptions.ValidationFraction), options.ValidationFraction,
                    $"ValidationFraction {options.ValidationFraction} of {all} rows leaves {validationCount} validation and {all - validationCount - gap} training rows "
                    + $"(after a gap of {gap} rows); both need at least one.");
            train = new StreamedSequenceRows(view, 0, all - validationCount - gap, poolRows, device);
            validation = new StreamedSequenceRows(view, all - validationCount, validationCount, poolRows, device);
        }
        else
        {
            train = new StreamedSequenceRows(view, 0, all, poolRows, device);
        }
        host.Info($"Seq2Seq: streaming {train.Count} training rows{(validation is null ? "" : $" and {validation.Count} validation rows")} from the IDataView every epoch, "
            + $"through a shuffle pool of {Math.Min(poolRows, train.Count)} rows ({train.PoolBytes / (1024.0 * 1024.0):F1} MiB)"
            + (poolRows >= train.Count ? ", which holds every training row: the in-memory order." : "."));
        return new TrainingSession(options, host, shapes, targets, device, seed, train, validation, held is null ? new[] { view } : new[] { view, held });
    }

    /// <summary>A freshly initialised network on the device; the same seed always gives the same initial weights.</summary>
    public SequenceNetwork CreateNetwork()
    {
        var network = NetworkFactory.Create(Architecture, Seed);
        network.to(Device);
        return network;
    }

    public void Dispose()
    {
        if (_train is not null && !ReferenceEquals(_train, _all))
            _train.Dispose(); // a view of _all
        if (Validation is not null && !ReferenceEquals(Validation, _separateValidation))
            Validation.Dispose();
        _separateValidation?.Dispose();
        _all?.Dispose();
        foreach (StreamedView view in _streamedViews)
            view.Dispose(); // a parked cursor
    }

    // A family that cuts windows into fixed pieces has no notion of padding: say so before training.
    private static void RequireFullLengthUnlessTheFamilyPacks(Seq2SeqOptions options, SequenceDataset data, string what)
    {
        if (NetworkFamilies.Get(options.Family).TakesVariableLengths || data.FeatureSteps is not int[] steps)
            return;
        int full = data.InputSteps;
        int row = Array.FindIndex(steps, s => s != full);
        if (row < 0)
            return; // a variable-length column whose rows all happen to be full length
        throw new ArgumentException($"{what}: Family = {options.Family} needs full-length input windows, but row {row} has {steps[row]} input steps and others {full}. "
            + $"Give every row the same number of input steps, or use a family that packs variable-length sequences ({string.Join(", ", NetworkFamilies.All.Where(f => f.TakesVariableLengths).Select(f => $"Family = {f.Id}"))}).",
            nameof(Seq2SeqOptions.Family));
    }

    /// <summary>
    /// Rows left out between the training rows and the held-out validation rows so that no validation label lies inside
    /// a training window: ValidationGapRows when set; for a window view, the windows that start less than Horizon rows
    /// before the first validation window (⌈H / stride⌉ − 1); otherwise none, with a warning.
    /// </summary>
    private static int ValidationGap(Seq2SeqOptions options, IDataView input, int horizon, MLNetHost host)
    {
        if (options.ValidationGapRows is int rows)
            return rows;
        // From the label column's annotations, not the view's type: they survive the transforms of a pipeline.
        if (SequenceWindowDataView.StrideOf(input.Schema[options.LabelColumnName]) is int stride)
        {
            int gap = (horizon + stride - 1) / stride - 1;
            host.Info($"Seq2Seq: ValidationFraction leaves out {gap} windows between the training and validation windows, so that no validation label row lies inside a training window.");
            if (TrainingSeries.Of(input.Schema[options.LabelColumnName])?.SeriesColumnName is string seriesColumn)
                host.Warning($"Seq2Seq: the windows come from many series (column '{seriesColumn}'): ValidationFraction holds out the last windows in view order, the end of the last "
                    + "series only. For a hold-out in every series, split with SplitSequenceWindowsByFractions (or ByTime) and pass the Validation view as ValidationSet.");
            return gap;
        }
        host.Warning("Seq2Seq: ValidationFraction holds out the last rows of data that is not a window view from CreateSequenceWindows, so no gap is left between "
            + "training and validation rows. If the rows are overlapping windows of one series, the last training rows contain validation labels: set ValidationGapRows "
            + "to ⌈Horizon / stride⌉ − 1 (or use ValidationSet with a chronological split).");
        return 0;
    }

    private static void CheckValidationSchema(Seq2SeqOptions options, IDataView validation, SequenceShapes trainingShapes)
    {
        SequenceShapes validationShapes;
        try
        {
            validationShapes = SequenceShapes.Resolve(validation.Schema, options);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"ValidationSet does not match the training data: {ex.Message}", nameof(Seq2SeqOptions.ValidationSet), ex);
        }
        if (validationShapes with { InputLength = trainingShapes.InputLength } != trainingShapes)
            throw new ArgumentException($"ValidationSet has shapes {validationShapes}, but the training data has {trainingShapes}.", nameof(Seq2SeqOptions.ValidationSet));
    }
}
