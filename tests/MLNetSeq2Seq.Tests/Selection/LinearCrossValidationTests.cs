using System;
using System.Linq;
using MLNetSeq2Seq.Selection;
using MLNetSeq2Seq.TrainingData;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Tests.Selection;

/// <summary>The cross-validated MSE of the closed-form linear forecaster, computed from the per-fold sums of one pass,
/// against the same folds fitted and scored one by one; and what it chooses between lookbacks.</summary>
public sealed class LinearCrossValidationTests
{
    private const int Length = 24, Horizon = 6;

    [Theory]
    [InlineData(24, 200)]
    [InlineData(9, 200)]
    [InlineData(2, 57)]
    public void The_score_from_the_fold_sums_is_the_score_of_each_fold_fitted_without_its_neighbours(int lookback, int rowCount)
    {
        TorchRuntime.EnsureLoaded();
        using var scope = torch.NewDisposeScope();
        var generator = new torch.Generator(11);
        Tensor walks = torch.randn(new long[] { rowCount, Length + Horizon, 3 }, generator: generator).cumsum(1);
        int[] targets = { 2, 0 };
        Tensor inputs = walks[.., ..Length, ..].contiguous(), labels = walks[.., Length.., ..].index_select(2, torch.tensor(new long[] { 2, 0 })).contiguous();
        using var data = new SequenceDataset(inputs.clone(), labels.clone());
        using LinearBaselineFit? fit = LinearBaselineFit.Accumulate(new InMemorySequenceRows(data), targets, Length, Horizon, batchSize: 16);
        float[] x = inputs.data<float>().ToArray(), y = labels.data<float>().ToArray();
        double In(int row, int step, int column) => x[(row * Length + step) * 3 + column];
        double Label(int row, int step, int output) => y[(row * Horizon + step) * targets.Length + output];

        double squares = 0;
        long values = 0;
        for (int k = 0; k < LinearBaselineFit.Folds; k++)
        {
            int first = k * rowCount / LinearBaselineFit.Folds, end = (k + 1) * rowCount / LinearBaselineFit.Folds;
            // Rows of folds whose label steps overlap the held-out ones (within H − 1 rows) are left out of the fit.
            long[] fitted = Enumerable.Range(0, LinearBaselineFit.Folds).Where(j =>
            {
                int jFirst = j * rowCount / LinearBaselineFit.Folds, jEnd = (j + 1) * rowCount / LinearBaselineFit.Folds;
                return jEnd + Horizon - 1 <= first || jFirst >= end + Horizon - 1;
            }).SelectMany(j => Enumerable.Range(j * rowCount / LinearBaselineFit.Folds, (j + 1) * rowCount / LinearBaselineFit.Folds - j * rowCount / LinearBaselineFit.Folds))
              .Select(r => (long)r).ToArray();
            if (fitted.Length == 0)
                continue;
            Tensor index = torch.tensor(fitted);
            using var part = new SequenceDataset(inputs.index_select(0, index).contiguous(), labels.index_select(0, index).contiguous());
            using LinearBaselineFit? partFit = LinearBaselineFit.Accumulate(new InMemorySequenceRows(part), targets, Length, Horizon, batchSize: 16);
            double[,] weights = ToArray(partFit!.Solve(lookback));
            for (int row = first; row < end; row++)
            {
                for (int o = 0; o < targets.Length; o++)
                {
                    double last = In(row, Length - 1, targets[o]);
                    for (int h = 0; h < Horizon; h++)
                    {
                        double forecast = weights[lookback - 1, h];
                        for (int t = 0; t < lookback - 1; t++)
                            forecast += weights[t, h] * (In(row, Length - lookback + t, targets[o]) - last);
                        double error = Label(row, h, o) - last - forecast;
                        squares += error * error;
                        values++;
                    }
                }
            }
        }

        double? fromSums = fit!.CrossValidatedMse(lookback);
        Assert.NotNull(fromSums);
        double expected = squares / values;
        Assert.True(Math.Abs(fromSums!.Value - expected) <= 1e-8 * expected, $"from the sums {fromSums:R}, fold by fold {expected:R}");
    }

    [Fact]
    public void A_seasonal_series_cross_validates_better_over_a_window_that_holds_its_season()
    {
        TorchRuntime.EnsureLoaded();
        using var scope = torch.NewDisposeScope();
        // One series with a 16-step season and noise, cut into consecutive windows (stride 1) as the forecasting entry does.
        const int steps = 900, period = 16;
        var random = new Random(5);
        float[] series = Enumerable.Range(0, steps).Select(t => (float)(Math.Sin(2 * Math.PI * t / period) + 0.2 * (random.NextDouble() - 0.5))).ToArray();
        int rows = steps - Length - Horizon + 1;
        Tensor all = torch.tensor(series);
        Tensor inputs = torch.stack(Enumerable.Range(0, rows).Select(r => all.narrow(0, r, Length)).ToArray()).unsqueeze(2);
        Tensor labels = torch.stack(Enumerable.Range(0, rows).Select(r => all.narrow(0, r + Length, Horizon)).ToArray()).unsqueeze(2);
        using var data = new SequenceDataset(inputs, labels);
        using LinearBaselineFit? fit = LinearBaselineFit.Accumulate(new InMemorySequenceRows(data), new[] { 0 }, Length, Horizon, batchSize: 64);

        double shortWindow = fit!.CrossValidatedMse(3)!.Value, fullSeason = fit.CrossValidatedMse(Length)!.Value;

        Assert.True(fullSeason < 0.5 * shortWindow, $"24 steps {fullSeason:G4} against 3 steps {shortWindow:G4}");
    }

    [Fact]
    public void Too_few_rows_for_the_folds_means_no_score()
    {
        TorchRuntime.EnsureLoaded();
        using var scope = torch.NewDisposeScope();
        using var data = new SequenceDataset(torch.randn(2 * LinearBaselineFit.Folds - 1, 8, 1), torch.randn(2 * LinearBaselineFit.Folds - 1, 2, 1));
        using LinearBaselineFit? fit = LinearBaselineFit.Accumulate(new InMemorySequenceRows(data), new[] { 0 }, 8, 2, batchSize: 4);

        Assert.False(fit!.CanCrossValidate);
        Assert.Null(fit.CrossValidatedMse(8));
        Assert.Equal(new long[] { 8, 2 }, fit.Solve(8).shape); // the forecaster itself is still there
    }

    private static double[,] ToArray(Tensor matrix)
    {
        double[] flat = matrix.contiguous().data<double>().ToArray();
        int rows = (int)matrix.shape[0], columns = (int)matrix.shape[1];
        var result = new double[rows, columns];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < columns; j++)
                result[i, j] = flat[i * columns + j];
        return result;
    }
}
