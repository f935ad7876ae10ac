using System;
using Microsoft.ML;
using MLNetSeq2Seq.Evaluation;
using MLNetSeq2Seq.MLNetInterop;

namespace MLNetSeq2Seq;

/// <summary>
/// The forecasting entry points of MLNetSeq2Seq, as extension methods on ML.NET's <c>mlContext.Forecasting</c>:
/// a Seq2Seq trainer with forecasting defaults (<see cref="Seq2SeqForecastingOptions"/>) and the baselines a
/// forecast has to beat.
/// </summary>
public static class ForecastingSeq2SeqCatalog
{
    /// <summary>
    /// A Seq2Seq forecaster with the forecasting recipe of <see cref="Seq2SeqForecastingOptions"/>: segment-recurrent
    /// network, subtract-last instance normalisation, channel independence where the shapes allow, decay on plateau
    /// with early stopping. Train it on windows (<c>mlContext.Data.CreateSequenceWindows</c> or
    /// <c>SplitSequenceWindowsChronologically</c>); it saves, loads and scores like any Seq2Seq model.
    /// </summary>
    /// <param name="catalog"><c>mlContext.Forecasting</c>.</param>
    /// <param name="horizon">Predicted steps; null takes it from the label column's [Horizon, O] dimensions.</param>
    /// <param name="validationSet">Validation windows for early stopping (recommended: the forecasting recipe decays the
    /// learning rate and stops on them). Null: no validation, the last epoch's weights are kept.</param>
    /// <param name="featureColumnName">Input windows, L × F floats per row, time-major. Default "Features".</param>
    /// <param name="labelColumnName">Target windows, Horizon × O floats per row. Default "Label".</param>
    /// <param name="scoreColumnName">The forecast column Transform adds. Default "Score".</param>
    public static Seq2SeqEstimator Seq2Seq(this ForecastingCatalog catalog, int? horizon = null, IDataView? validationSet = null,
        string featureColumnName = "Features", string labelColumnName = "Label", string scoreColumnName = "Score")
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var options = new Seq2SeqForecastingOptions
        {
            Horizon = horizon,
            ValidationSet = validationSet,
            FeatureColumnName = featureColumnName,
            LabelColumnName = labelColumnName,
            ScoreColumnName = scoreColumnName,
        };
        return new Seq2SeqEstimator(MLNetHost.EnvironmentOf(catalog), options);
    }

    /// <summary>A Seq2Seq forecaster with every option given: a new <see cref="Seq2SeqForecastingOptions"/> holds the
    /// forecasting recipe; change what you need. A copy of <paramref name="options"/> is taken. (The general trainer's
    /// <see cref="Seq2SeqOptions"/> belong to <c>mlContext.Regression.Trainers.Seq2Seq</c>.)</summary>
    /// <param name="catalog"><c>mlContext.Forecasting</c>.</param>
    /// <param name="options">Every setting.</param>
    public static Seq2SeqEstimator Seq2Seq(this ForecastingCatalog catalog, Seq2SeqForecastingOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new Seq2SeqEstimator(MLNetHost.EnvironmentOf(catalog), options.Clone());
    }

    /// <summary>
    /// The two forecasts any model has to beat, scored on <paramref name="test"/>: persistence (every future step
    /// repeats the last observed value of its column) and a closed-form linear forecaster fitted on
    /// <paramref name="train"/> (one ridge regression from the L input steps minus the last value to the H future steps
    /// minus the last value, shared by all forecast columns: NLinear solved in closed form).
    /// </summary>
    /// <param name="catalog"><c>mlContext.Forecasting</c>.</param>
    /// <param name="train">Windows the linear forecaster is fitted on.</param>
    /// <param name="test">Windows both baselines are scored on.</param>
    /// <param name="featureColumnName">Input windows, with [L, F] dimensions. Default "Features".</param>
    /// <param name="labelColumnName">Target windows, with [Horizon, O] dimensions. Default "Label".</param>
    /// <param name="targetInputIndices">For each output feature, the input feature it forecasts. Null: from the window
    /// view, else the identity when O = F.</param>
    /// <param name="ridgePenalty">The ridge penalty, relative to the mean diagonal of XᵀX. Default 1e-3.</param>
    public static ForecastBaselineMetrics EvaluateSeq2SeqBaselines(this ForecastingCatalog catalog, IDataView train, IDataView test,
        string featureColumnName = "Features", string labelColumnName = "Label", int[]? targetInputIndices = null, double ridgePenalty = 1e-3)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return ForecastBaselines.Evaluate(train, test, featureColumnName, labelColumnName, targetInputIndices, ridgePenalty);
    }
}
