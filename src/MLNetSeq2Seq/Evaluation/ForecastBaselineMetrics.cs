namespace MLNetSeq2Seq;

/// <summary>Test metrics of the two baselines from <c>mlContext.Forecasting.EvaluateSeq2SeqBaselines</c>, on the same windows as the model's.</summary>
/// <param name="Persistence">Repeating each column's last observed value over the horizon.</param>
/// <param name="Linear">The closed-form linear forecaster (ridge regression on the input minus its last value, shared by all forecast columns).</param>
public sealed record ForecastBaselineMetrics(SequenceRegressionMetrics Persistence, SequenceRegressionMetrics Linear);
