using System;
using Microsoft.ML;
using MLNetSeq2Seq.Evaluation;
using MLNetSeq2Seq.MLNetInterop;

namespace MLNetSeq2Seq;

/// <summary>
/// The <see cref="MLContext"/> entry points of MLNetSeq2Seq, as extension methods on ML.NET's catalogs
/// (<c>mlContext.Regression...</c>).
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
    /// <param name="options">The trainer options; BatchSize, micro-batching, network and seed are used as Fit would.</param>
    /// <param name="rangeOptions">Sweep settings; null for the defaults (1e-7 → 10 over 100 steps, stop at 4× the best loss).</param>
    public static LearningRateRangeTestResult FindSeq2SeqLearningRate(this RegressionCatalog.RegressionTrainers catalog, IDataView data,
        Seq2SeqOptions options, LearningRateRangeTestOptions? rangeOptions = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        using var session = Training.TrainingSession.Open(MLNetHost.EnvironmentOf(catalog), options.Clone(), data, "Seq2SeqLearningRateFinder");
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
            Attention = attention,
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
    /// <exception cref="ArgumentException">
    /// A column name is null or blank; a column is missing or is not a vector of Single; the two columns hold
    /// different numbers of values in some row, or a number that does not match [H, O]; a label or score value is
    /// NaN or infinite; or the data has no rows. The message names the columns, and the row where it applies.
    /// </exception>
    public static SequenceRegressionMetrics EvaluateSequence(this RegressionCatalog catalog, IDataView data,
        string labelColumnName = "Label", string scoreColumnName = "Score")
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentException.ThrowIfNullOrWhiteSpace(labelColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(scoreColumnName);
        return SequenceMetricsCalculator.Compute(data, labelColumnName, scoreColumnName);
    }
}
