using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;

namespace MLNetSeq2Seq.Tests.Selection;

/// <summary>
/// The small weekly data set where deep models overfit (../shared/data/national_illness.csv, its usual protocol: 70/10/20
/// rows, train-only z-scores, all seven columns in and out, stride 1, every test window): the forecasting entry with
/// only the horizon and validation windows must not lose to persistence or the closed-form linear forecaster on the
/// test windows. L = 104 at H = 24 and L = 36 at H = 48 (bench --accuracy --data illness covers the other horizons).
/// </summary>
public sealed class NationalIllnessTests
{
    [SharedDataTheory("national_illness.csv")]
    [InlineData(104, 24)]
    [InlineData(36, 48)] // the network wins the validation weeks here and lost the test years by 15 % when it was kept
    public void The_forecasting_entry_is_no_worse_than_either_baseline_on_the_test_windows(int lookback, int horizon)
    {
        var ml = new MLContext(seed: 1);
        string[] columns = { "WeightedIli", "UnweightedIli", "Age0To4", "Age5To24", "IliTotal", "Providers", "OT" };
        IDataView series = ml.Data.LoadFromTextFile(TestEnvironment.SharedDataFile("national_illness.csv")!,
            columns.Select((name, i) => new TextLoader.Column(name, DataKind.Single, i + 1)).ToArray(), separatorChar: ',', hasHeader: true);
        SequenceWindowSplit split = ml.Data.SplitSequenceWindowsChronologically(series,
            new SequenceWindowOptions { InputColumnNames = columns, InputLength = lookback, Horizon = horizon }, new ChronologicalSplit(676, 773, 966));

        using Seq2SeqTransformer model = ml.Forecasting.Seq2Seq(horizon: horizon, validationSet: split.Validation).Fit(split.Train);

        double mse = ml.Regression.EvaluateSequence(model.Transform(split.Test)).MeanSquaredError;
        ForecastBaselineMetrics baselines = ml.Forecasting.EvaluateSeq2SeqBaselines(split.Train, split.Test);
        string kept = Assert.Single(model.TrainingHistory.Candidates, c => c.Kept).Name;
        Assert.True(mse <= baselines.Persistence.MeanSquaredError * (1 + 1e-5), $"kept {kept}: test MSE {mse:G6}, persistence {baselines.Persistence.MeanSquaredError:G6}");
        Assert.True(mse <= baselines.Linear.MeanSquaredError * (1 + 1e-5), $"kept {kept}: test MSE {mse:G6}, closed-form linear {baselines.Linear.MeanSquaredError:G6}");
        Assert.Equal(966 - 773 - horizon + 1, split.Test.GetColumn<float[]>("Label").Count()); // every test window
        // The 97 validation weeks hold fewer than 4 blocks of H windows at these horizons: the network's score cannot be checked.
        Assert.Contains("too few to check the network's score", model.TrainingHistory.Selection);
    }
}
