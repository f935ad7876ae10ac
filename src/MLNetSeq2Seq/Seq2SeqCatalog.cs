using System;
using System.Collections.Generic;
using Microsoft.ML;
using MLNetSeq2Seq.Evaluation;
using MLNetSeq2Seq.MLNetInterop;
using MLNetSeq2Seq.TrainingData;
using MLNetSeq2Seq.Windows;

namespace MLNetSeq2Seq;

/// <summary>
/// The <see cref="MLContext"/> entry points of MLNetSeq2Seq, as extension methods on ML.NET's catalogs
/// (<c>mlContext.Regression...</c>, <c>mlContext.Data...</c>).
/// </summary>
public static class Seq2SeqCatalog
{
    /// <summary>
    /// A sequence-to-sequence trainer: a TorchSharp GRU/LSTM encoder-decoder (optional attention) that reads
    /// <see cref="Seq2SeqOptions.FeatureColumnName"/> (L × F floats per row, time-major) and learns to predict
    /// <see cref="Seq2SeqOptions.LabelColumnName"/> (Horizon × O floats). Fit returns a <see cref="Seq2SeqTransformer"/>
    /// that adds <see cref="Seq2SeqOptions.ScoreColumnName"/>.
    /// </summary>
    /// <param name="catalog">The regression trainers, <c>mlContext.Regression.Trainers</c>.</param>
    /// <param name="options">Every setting; a copy is taken, later changes to <paramref name="options"/> have no effect.</param>
    public static Seq2SeqEstimator Seq2Seq(this RegressionCatalog.RegressionTrainers catalog, Seq2SeqOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new Seq2SeqEstimator(MLNetHost.EnvironmentOf(catalog), options.Clone());
    }

    /// <summary>
    /// Runs Leslie Smith's learning-rate range test for a Seq2Seq model with these options: a fresh network is
    /// trained for up to <see cref="LearningRateRangeTestOptions.StepCount"/> steps on <paramref name="data"/> while
    /// the learning rate grows exponentially from StartLearningRate to EndLearningRate; the sweep stops when the
    /// smoothed loss exceeds DivergenceFactor × its best, or the loss is not finite. Returns the curve and
    /// suggestions. Nothing carries over to a later Fit. Setting <see cref="Seq2SeqOptions.LearningRate"/> to null
    /// makes Fit run this test itself and use <see cref="LearningRateRangeTestResult.SuggestedLearningRate"/>.
    /// </summary>
    /// <param name="catalog">The regression trainers, <c>mlContext.Regression.Trainers</c>.</param>
    /// <param name="data">Training data with the columns the options name (validation settings are honoured: held-out rows are not used).</param>
    /// <param name="options">The trainer options; BatchSize, micro-batching, network and seed are used as Fit would. The data is read
    /// into memory even when Streaming is set: for data larger than memory, pass a sample.</param>
    /// <param name="rangeOptions">Sweep settings; null for the defaults (1e-7 → 10 over 100 steps, stop at 4× the best loss).</param>
    public static LearningRateRangeTestResult FindSeq2SeqLearningRate(this RegressionCatalog.RegressionTrainers catalog, IDataView data,
        Seq2SeqOptions options, LearningRateRangeTestOptions? rangeOptions = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        Seq2SeqOptions inMemory = options.Clone();
        inMemory.Streaming = null; // the sweep reads its data into memory: pass a sample of data too large for it
        using var session = Training.TrainingSession.Open(MLNetHost.EnvironmentOf(catalog), inMemory, data, "Seq2SeqLearningRateFinder");
        return Training.LearningRateRangeTest.Run(session, rangeOptions ?? new LearningRateRangeTestOptions());
    }

    /// <summary>A sequence-to-sequence trainer with the common settings; see <see cref="Seq2SeqOptions"/> for all of them.</summary>
    /// <param name="catalog">The regression trainers, <c>mlContext.Regression.Trainers</c>.</param>
    /// <param name="labelColumnName">Target sequences, Horizon × O floats per row. Default "Label".</param>
    /// <param name="featureColumnName">Input sequences, L × F floats per row. Default "Features".</param>
    /// <param name="horizon">Predicted steps; null takes it from the label column's [Horizon, O] dimensions.</param>
    /// <param name="inputFeatureCount">Values per input step; null takes it from the feature column's [L, F] dimensions.</param>
    /// <param name="outputFeatureCount">Values per predicted step; null takes it from the label column's dimensions.</param>
    /// <param name="cell">GRU (default) or LSTM.</param>
    /// <param name="hiddenSize">Hidden units per layer. Default 64.</param>
    /// <param name="layerCount">Recurrent layers in encoder and decoder. Default 1.</param>
    /// <param name="attention">Decoder attention. Default none.</param>
    /// <param name="batchSize">Samples per optimizer step. Default 64.</param>
    /// <param name="maxEpochs">Upper bound on epochs. Default 50.</param>
    /// <param name="learningRate">Peak learning rate of the one-cycle schedule. Default 1e-3.</param>
    /// <param name="validationFraction">Chronologically last fraction of rows held out for validation and early stopping. Default 0.</param>
    public static Seq2SeqEstimator Seq2Seq(this RegressionCatalog.RegressionTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", int? horizon = null,
        int? inputFeatureCount = null, int? outputFeatureCount = null, RecurrentCellType cell = RecurrentCellType.Gru,
        int hiddenSize = 64, int layerCount = 1, AttentionKind attention = AttentionKind.None, int batchSize = 64,
        int maxEpochs = 50, double learningRate = 1e-3, double validationFraction = 0)
        => catalog.Seq2Seq(new Seq2SeqOptions
        {
            LabelColumnName = labelColumnName,
            FeatureColumnName = featureColumnName,
            Horizon = horizon,
            InputFeatureCount = inputFeatureCount,
            OutputFeatureCount = outputFeatureCount,
            Cell = cell,
            HiddenSize = hiddenSize,
            LayerCount = layerCount,
            FamilyOptions = new AutoregressiveOptions { Attention = attention },
            BatchSize = batchSize,
            MaxEpochs = maxEpochs,
            LearningRate = learningRate,
            ValidationFraction = validationFraction,
        });

    /// <summary>
    /// Evaluates predicted sequences against their labels: mean squared error, root mean squared error, mean
    /// absolute error and R² over every value of every sequence, plus the squared and absolute errors of each
    /// horizon step and of each output feature. Reads the two columns once, in one streaming pass.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Each row holds one sequence: Horizon (H) steps of OutputFeatureCount (O) values, time-major (the O values
    /// of step 0, then those of step 1, ...). H and O come from the score column's type when it is a vector with
    /// two dimensions [H, O] (as the Seq2Seq transformer writes it); otherwise from the label column's type when it
    /// has two dimensions; otherwise every value is one step of a single feature (H = vector length, O = 1).
    /// </para>
    /// <para>
    /// R² is 1 − SSE / SST, where SSE sums the squared errors over all values and SST sums the squared deviations
    /// of each label value from the mean of its own (step, feature) position over the rows. This is sklearn's
    /// <c>r2_score(multioutput="variance_weighted")</c> on rows × (H·O) outputs whenever every position's labels
    /// vary; at a position whose labels are constant, sklearn ignores the errors, while here they still count
    /// against the score. When the labels are constant at every position (SST = 0), R² is 1 for a perfect
    /// prediction and 0 otherwise, never NaN or infinity.
    /// </para>
    /// <para>Sums are accumulated in double precision; SST uses Welford's update per position.</para>
    /// <para>
    /// When the label column comes from window views (<see cref="CreateSequenceWindows"/>,
    /// <see cref="SplitSequenceWindowsChronologically"/>), <see cref="SequenceRegressionMetrics.FeatureNames"/> names the
    /// target columns, and when those windows were standardized with series statistics,
    /// <see cref="SequenceRegressionMetrics.InOriginalUnits"/> holds the same metrics on labels and scores mapped back to
    /// the series' units (per column: MSE in squared units, MAE in units). The label's annotations carry the statistics
    /// through Transform and most pipelines.
    /// </para>
    /// </remarks>
    /// <param name="catalog">The regression catalog, <c>mlContext.Regression</c>.</param>
    /// <param name="data">Scored data, usually the output of a Seq2Seq transformer's <c>Transform</c>.</param>
    /// <param name="labelColumnName">
    /// The column of true sequences: a vector of Single, H × O values per row. Default: <c>"Label"</c>.
    /// </param>
    /// <param name="scoreColumnName">
    /// The column of predicted sequences: a vector of Single with as many values per row as the label column.
    /// Default: <c>"Score"</c>.
    /// </param>
    /// <returns>The metrics, in the units of the label (squared units for the squared errors).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="catalog"/> or <paramref name="data"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or is not a vector of Single (the message is
    /// worded like ML.NET's schema mismatch and names the column).</exception>
    /// <exception cref="ArgumentException">
    /// A column name is null or blank; the two columns hold different numbers of values in some row, or a number that
    /// does not match [H, O]; or the data has no rows. The message names the columns, and the row where it applies.
    /// </exception>
    /// <exception cref="InvalidOperationException">A label or score value is NaN or infinite; the message names the
    /// column, the row and the place in the sequence.</exception>
    public static SequenceRegressionMetrics EvaluateSequence(this RegressionCatalog catalog, IDataView data,
        string labelColumnName = "Label", string scoreColumnName = "Score")
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentException.ThrowIfNullOrWhiteSpace(labelColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(scoreColumnName);
        return SequenceMetricsCalculator.Compute(data, labelColumnName, scoreColumnName);
    }

    /// <summary>
    /// Evaluates quantile forecasts, such as the "ScoreQuantiles" column of a model trained with
    /// <see cref="Seq2SeqOptions.Quantiles"/>, against the label: the mean pinball loss of each level, the empirical
    /// coverage and mean width of each central interval (τ, 1 − τ), and the weighted interval score.
    /// </summary>
    /// <param name="catalog">The regression catalog.</param>
    /// <param name="data">Rows holding the label and quantile columns, for example the model's Transform output.</param>
    /// <param name="quantileLevels">The levels of the quantile column, increasing, each in (0, 1): the model's
    /// <see cref="QuantileOptions.Levels"/>.</param>
    /// <param name="labelColumnName">The label column, H × O values per row. Default: <c>"Label"</c>.</param>
    /// <param name="quantileColumnName">The quantile column, H × Q × O values per row ordered [step, level, output].
    /// Default: <c>"ScoreQuantiles"</c>.</param>
    /// <exception cref="ArgumentException">Bad levels (ParamName Quantiles.Levels), a column missing or of the wrong size (the
    /// message names the column and the row), or no rows.</exception>
    /// <exception cref="InvalidOperationException">A value is NaN or infinite; the message names the column and the row.</exception>
    public static SequenceQuantileMetrics EvaluateSequenceQuantiles(this RegressionCatalog catalog, IDataView data, IReadOnlyList<double> quantileLevels,
        string labelColumnName = "Label", string quantileColumnName = "ScoreQuantiles")
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(labelColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(quantileColumnName);
        return SequenceQuantileMetricsCalculator.Compute(data, quantileLevels, labelColumnName, quantileColumnName);
    }

    /// <summary>
    /// Cuts a long multivariate series — one row per time step, in time order, such as a CSV of a timestamp and
    /// numeric columns loaded with <c>mlContext.Data.LoadFromTextFile</c> — into sliding windows the Seq2Seq trainer
    /// reads: one output row per window, with <see cref="SequenceWindowOptions.InputLength"/> (L) steps of the input
    /// columns as features and the <see cref="SequenceWindowOptions.Horizon"/> (H) steps that follow, of the target
    /// columns, as the label.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Windows start at rows FirstRow, FirstRow + Stride, FirstRow + 2·Stride, … while start + L + H ≤ the end of the
    /// rows used. Features: Single vector with dimensions [L, F], time-major (step t at [t·F, t·F + F), values in
    /// the order of <see cref="SequenceWindowOptions.InputColumnNames"/>). Label: Single vector [H, O] of the rows
    /// start + L … start + L + H − 1. Optional columns: the window's start row, and a timestamp copied from its
    /// first input row and first target row.
    /// </para>
    /// <para>
    /// The series is read once, during this call, into one float buffer of rows × columns (only the rows and columns
    /// used); values are converted to Single, and standardized when <see cref="SequenceWindowOptions.Standardization"/>
    /// is set. The returned view builds each window's vectors from that buffer when a cursor reads them, so
    /// overlapping windows cost no extra memory; it can be read any number of times, shuffled, and does not change
    /// when the source does. Errors (a missing column, a NaN) therefore surface here, not later in Fit.
    /// </para>
    /// <para>
    /// With <see cref="SequenceWindowOptions.SeriesColumnName"/>, the rows are many series in long form (an id per row):
    /// each series is windowed on its own as above, with rows counted within it, and no window crosses two series;
    /// windows come series after series, and the id is copied to each.
    /// </para>
    /// </remarks>
    /// <param name="catalog">The data catalog, <c>mlContext.Data</c>.</param>
    /// <param name="series">The series, rows in time order.</param>
    /// <param name="options">Columns, window shape and rows to use; a copy is taken.</param>
    /// <returns>The windows, in order of their start row.</returns>
    /// <exception cref="ArgumentException">
    /// An option is out of range (the message names it); a column is missing (the message lists the series' columns)
    /// or is not numeric; the rows cannot hold one window.
    /// </exception>
    /// <exception cref="InvalidOperationException">A value used is NaN, infinite, or beyond the Single range; the message names its column and row.</exception>
    public static IDataView CreateSequenceWindows(this DataOperationsCatalog catalog, IDataView series, SequenceWindowOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(options);
        return SequenceWindowing.Create(series, options, new MLNetHost(MLNetHost.EnvironmentOf(catalog), "SequenceWindows"));
    }

    /// <summary>
    /// Splits a series chronologically into training, validation and test windows, the protocol of the ETT
    /// benchmarks (Informer, Autoformer, DLinear, PatchTST), and by default z-scores every column with statistics of
    /// the training rows only. Use <see cref="ChronologicalSplit.EttHourly"/> for ETTh1/ETTh2.
    /// </summary>
    /// <remarks>
    /// <para>
    /// With boundaries a, b, c (<paramref name="split"/>), input length L and horizon H:
    /// training windows lie entirely in rows [0, a) (inputs and targets): a − L − H + 1 of them with stride 1.
    /// Validation windows have every target in [a, b) and start at row a − L, so their inputs reach back into
    /// training rows: b − a − H + 1 windows with stride 1. Test windows have every target in [b, c), inputs reaching
    /// back into validation rows: c − b − H + 1 windows. No target row belongs to two parts. Rows from c on are not
    /// read. <see cref="SequenceWindowOptions.Stride"/> applies to all three parts.
    /// </para>
    /// <para>
    /// Standardization (<paramref name="standardize"/> = true): for each input and target column, the mean and the
    /// population standard deviation (ddof = 0) over rows [0, a) are computed in double precision, and every value
    /// of the three parts becomes (v − mean) / std (a constant column is divided by 1), exactly as the benchmark code
    /// does with scikit-learn's StandardScaler fitted on the training rows. The statistics are on
    /// <see cref="SequenceWindowSplit.Statistics"/>; metrics on these windows are the benchmarks' "scaled" MSE/MAE,
    /// and <see cref="SeriesStatistics.Unstandardize(ReadOnlySpan{float}, IReadOnlyList{string})"/> maps predictions
    /// back to the series' units.
    /// </para>
    /// <para>The series is read once (rows [0, c)) into one buffer that the three views share; see <see cref="CreateSequenceWindows"/>.</para>
    /// </remarks>
    /// <param name="catalog">The data catalog, <c>mlContext.Data</c>.</param>
    /// <param name="series">The series, rows in time order, at least c rows.</param>
    /// <param name="options">Columns and window shape; FirstRow and RowCount must be unset (the split sets them). A copy is taken.</param>
    /// <param name="split">The row boundaries.</param>
    /// <param name="standardize">
    /// True (default): z-score with training-row statistics; <see cref="SequenceWindowOptions.Standardization"/> must
    /// then be null. False: the values as read, or standardized with <see cref="SequenceWindowOptions.Standardization"/> when set.
    /// </param>
    /// <exception cref="ArgumentException">
    /// An option or boundary is out of range, a part cannot hold one window, the series has fewer than c rows, or a
    /// column is missing or not numeric.
    /// </exception>
    /// <exception cref="InvalidOperationException">A value in rows [0, c) is NaN, infinite, or beyond the Single range.</exception>
    public static SequenceWindowSplit SplitSequenceWindowsChronologically(this DataOperationsCatalog catalog, IDataView series,
        SequenceWindowOptions options, ChronologicalSplit split, bool standardize = true)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(split);
        return SequenceWindowing.Split(series, options, split, standardize, new MLNetHost(MLNetHost.EnvironmentOf(catalog), "SequenceWindows"));
    }

    /// <summary>
    /// As <see cref="SplitSequenceWindowsChronologically"/>, with boundaries from fractions of the series' length (<see cref="ChronologicalSplit.FromFractions"/>): with many
    /// series (<see cref="SequenceWindowOptions.SeriesColumnName"/>), of each series' own length, so every series is
    /// split at the same fractions of its own time span (<see cref="SequenceWindowSplit.SeriesBoundaries"/>).
    /// </summary>
    /// <param name="catalog">The data catalog, <c>mlContext.Data</c>.</param>
    /// <param name="series">The series, rows in time order (with many series: rows of each series in time order).</param>
    /// <param name="options">Columns and window shape; FirstRow and RowCount must be unset. A copy is taken.</param>
    /// <param name="trainFraction">Share of each series' rows used for training, in (0, 1).</param>
    /// <param name="validationFraction">Share whose values are validation targets; the rest are test targets.</param>
    /// <param name="standardize">As for the other overload; with many series,
    /// <see cref="SequenceWindowOptions.SeriesStandardization"/> chooses global or per-series statistics.</param>
    public static SequenceWindowSplit SplitSequenceWindowsByFractions(this DataOperationsCatalog catalog, IDataView series,
        SequenceWindowOptions options, double trainFraction, double validationFraction, bool standardize = true)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(options);
        return SequenceWindowing.Split(series, options, trainFraction, validationFraction, standardize, new MLNetHost(MLNetHost.EnvironmentOf(catalog), "SequenceWindows"));
    }

    /// <summary>
    /// As <see cref="SplitSequenceWindowsChronologically"/>, with boundaries at times: each series' training rows are those
    /// before <paramref name="trainEnd"/>, its validation targets those before <paramref name="validationEnd"/>, its test
    /// targets those before <paramref name="testEnd"/> (null: to its end), read from
    /// <see cref="SequenceWindowOptions.TimestampColumnName"/> (DateTime, DateTimeOffset, or text DateTime.Parse reads
    /// with the invariant culture; increasing within each series). For one series or many
    /// (<see cref="SequenceWindowOptions.SeriesColumnName"/>): series of different lengths or start times are then cut at
    /// the same moments (<see cref="SequenceWindowSplit.SeriesBoundaries"/> holds each one's rows).
    /// </summary>
    /// <param name="catalog">The data catalog, <c>mlContext.Data</c>.</param>
    /// <param name="series">The series, rows of each in time order.</param>
    /// <param name="options">Columns, window shape and the timestamp column; FirstRow and RowCount must be unset. A copy is taken.</param>
    /// <param name="trainEnd">The first moment after the training rows.</param>
    /// <param name="validationEnd">The first moment after the validation targets (later than <paramref name="trainEnd"/>).</param>
    /// <param name="testEnd">The first moment after the test targets; null: every later row.</param>
    /// <param name="standardize">As for <see cref="SplitSequenceWindowsChronologically"/>.</param>
    public static SequenceWindowSplit SplitSequenceWindowsByTime(this DataOperationsCatalog catalog, IDataView series, SequenceWindowOptions options,
        DateTime trainEnd, DateTime validationEnd, DateTime? testEnd = null, bool standardize = true)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(options);
        return SequenceWindowing.SplitByTime(series, options, trainEnd, validationEnd, testEnd, standardize, new MLNetHost(MLNetHost.EnvironmentOf(catalog), "SequenceWindows"));
    }

    /// <summary>
    /// The mean and population standard deviation (ddof = 0) of each named column over rows
    /// [<paramref name="firstRow"/>, <paramref name="firstRow"/> + <paramref name="rowCount"/>) of a series —
    /// typically its training rows — for <see cref="SequenceWindowOptions.Standardization"/>. Values are read as Single
    /// (as the windows hold them) and summed in double precision, in two passes.
    /// </summary>
    /// <param name="catalog">The data catalog, <c>mlContext.Data</c>.</param>
    /// <param name="series">The series, rows in time order.</param>
    /// <param name="columnNames">Numeric scalar columns (Single, Double or an integer type).</param>
    /// <param name="firstRow">The first row (0-based). Default 0.</param>
    /// <param name="rowCount">How many rows; null to the end of the series. Default null.</param>
    /// <exception cref="ArgumentException">A column is missing or not numeric, or the rows are not in the series.</exception>
    /// <exception cref="InvalidOperationException">A value in the rows is NaN, infinite, or beyond the Single range.</exception>
    public static SeriesStatistics ComputeSeriesStatistics(this DataOperationsCatalog catalog, IDataView series,
        IReadOnlyList<string> columnNames, long firstRow = 0, long? rowCount = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(columnNames);
        return SequenceWindowing.Statistics(series, columnNames, firstRow, rowCount);
    }

    /// <summary>
    /// Saves <paramref name="data"/> as ML.NET's binary format (like <c>mlContext.Data.SaveAsBinary</c>) for a streaming
    /// Fit (<see cref="Seq2SeqOptions.Streaming"/>): with one more column of zeros that Fit never reads,
    /// so that the blocks of the columns it reads hold at most about <paramref name="blockBytes"/>.
    /// </summary>
    /// <remarks>
    /// ML.NET's BinarySaver cuts a block at 80 MiB over all columns (or 8,192 rows), and its loader keeps about a dozen
    /// blocks in flight per column a cursor reads, so windows of L = 336 saved plainly cost a streaming cursor about
    /// 1 GiB however small the shuffle pool; the unread column shrinks those blocks by the same factor, and its zeros
    /// compress to almost nothing (docs/benchmarks.md, "Streaming Fit"). Load the file with
    /// <c>mlContext.Data.LoadFromBinary</c>; the extra column is named "MLNetSeq2Seq.StreamingPadding".
    /// </remarks>
    /// <param name="catalog">The data catalog, <c>mlContext.Data</c>.</param>
    /// <param name="data">The rows to save, for example sequence windows.</param>
    /// <param name="stream">Where to write; left open.</param>
    /// <param name="blockBytes">Bytes of the saved columns per block. Default 8 MiB; at least 64 KiB.</param>
    /// <returns>The zero floats added per row (0 when the rows are narrow enough that the saver's row limit already keeps blocks small).</returns>
    public static int SaveAsBinaryForStreaming(this DataOperationsCatalog catalog, IDataView data, System.IO.Stream stream, long blockBytes = 8L << 20)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(stream);
        if (blockBytes < 64 << 10)
            throw new ArgumentOutOfRangeException(nameof(blockBytes), blockBytes, $"{nameof(blockBytes)} must be at least 65536 (64 KiB).");
        int padding = StreamingPaddedView.PaddingFor(StreamingPaddedView.RowBytes(data.Schema), blockBytes);
        catalog.SaveAsBinary(padding == 0 ? data : new StreamingPaddedView(data, padding), stream, keepHidden: false);
        return padding;
    }
}
