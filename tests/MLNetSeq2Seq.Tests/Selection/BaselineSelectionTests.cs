using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNetSeq2Seq.Tests.Data;
using MLNetSeq2Seq.Tests.Forecasting;
using Xunit;

namespace MLNetSeq2Seq.Tests.Selection;

/// <summary>
/// Seq2SeqOptions.BaselineComparison: on random walks (where repeating the last value is the best forecast there is), a
/// network that barely trained loses to the baselines on validation. Select returns the winning baseline as a real
/// model that scores exactly like EvaluateSeq2SeqBaselines' forecaster on the test windows and survives save and load;
/// Warn keeps the network and says so; Off and missing validation data compare nothing.
/// </summary>
public sealed class BaselineSelectionTests
{
    private static readonly string[] s_columns = { "A", "B" };

    private static SequenceWindowSplit RandomWalks(MLContext ml) => Windows(ml, periodic: false);

    // periodic: noisy waves of period 12, which a linear map of the window forecasts well and persistence does not;
    // otherwise random walks, where persistence is the best forecast there is.
    private static SequenceWindowSplit Windows(MLContext ml, bool periodic, int validationEnd = 360, int stride = 1) =>
        ml.Data.SplitSequenceWindowsChronologically(Series(ml, periodic),
            new SequenceWindowOptions { InputColumnNames = s_columns, TargetColumnNames = s_columns, InputLength = 24, Horizon = 6, Stride = stride },
            new ChronologicalSplit(300, validationEnd, 420));

    private static IDataView Series(MLContext ml, bool periodic)
    {
        var random = new Random(11);
        double a = 0, b = 0;
        SeriesRow[] rows = Enumerable.Range(0, 420).Select(i =>
        {
            a = periodic ? Math.Sin(2 * Math.PI * i / 12) + 0.05 * random.NextDouble() : a + random.NextDouble() - 0.5;
            b = periodic ? 3 * Math.Cos(2 * Math.PI * i / 12) + 0.1 * random.NextDouble() : b + 2 * (random.NextDouble() - 0.5);
            return new SeriesRow { Time = GeneratedSeries.Timestamp(i), A = (float)a, B = (float)b };
        }).ToArray();
        return ml.Data.LoadFromEnumerable(rows);
    }

    // A network that has barely moved from its initial weights: it loses to both baselines.
    private static Seq2SeqForecastingOptions Untrained(SequenceWindowSplit split, BaselineComparison comparison) => new()
    {
        Horizon = 6, ValidationSet = split.Validation, MaxEpochs = 1, LearningRate = 1e-7, HiddenSize = 16, FamilyOptions = new SegmentRecurrentOptions { SegmentLength = 6 },
        BaselineComparison = comparison, Seed = 3,
    };

    [Theory]
    [InlineData(false, "persistence")]
    [InlineData(true, "linear")]
    public void Select_returns_the_winning_baseline_as_a_model_that_scores_like_the_baseline_evaluation_and_survives_save_and_load(bool periodic, string winner)
    {
        var ml = new MLContext(seed: 1);
        SequenceWindowSplit split = Windows(ml, periodic);
        var log = new List<string>();
        ml.Log += (_, e) => { lock (log) log.Add(e.Message); };

        var reports = new List<SelectionReport>();
        Seq2SeqForecastingOptions options = Untrained(split, BaselineComparison.Select);
        options.SelectionProgress = new Training.TrainingTestKit.SynchronousProgress<SelectionReport>(reports.Add);

        using Seq2SeqTransformer model = ml.Forecasting.Seq2Seq(options).Fit(split.Train);

        IReadOnlyList<ModelCandidate> candidates = model.TrainingHistory.Candidates;
        ModelCandidate kept = Assert.Single(candidates, c => c.Kept);
        Assert.Equal(winner, kept.Name);
        // SelectionProgress got each candidate as it was scored, then the decision the history holds.
        Assert.Equal(candidates.Select(c => (c.Name, c.ValidationMetric)), reports.SkipLast(1).Select(r => (r.Scored!.Name, r.Scored.ValidationMetric)));
        Assert.All(reports.SkipLast(1), r => Assert.False(r.IsDecision || r.Scored!.Kept));
        Assert.Equal(Enumerable.Range(1, candidates.Count), reports.SkipLast(1).Select(r => r.Candidates.Count));
        SelectionReport decision = reports[^1];
        Assert.Null(decision.Scored);
        Assert.Equal(model.TrainingHistory.Selection, decision.Decision);
        Assert.Equal(candidates, decision.Candidates);
        Assert.Equal(kept, decision.Kept);
        Assert.Equal(candidates.Min(c => c.ValidationMetric), kept.ValidationMetric);
        Assert.Equal(NetworkFamily.Linear, model.Network.Architecture.Family);
        lock (log)
            Assert.Contains(log, m => m.Contains($"{kept.Name} is best") && m.Contains("persistence") && m.Contains("network"));
        // The history says the same as the log: every candidate's score and why the winner was kept.
        string selection = Assert.IsType<string>(model.TrainingHistory.Selection);
        lock (log)
            Assert.Contains(log, m => m.EndsWith("Seq2Seq: " + selection, StringComparison.Ordinal));
        Assert.Contains($"so {kept.Name} is kept", selection);
        Assert.All(candidates, c => Assert.Contains(c.Name, selection));

        // The kept model is the baseline forecaster itself: the same test MSE as EvaluateSeq2SeqBaselines computes.
        ForecastBaselineMetrics baselines = ml.Forecasting.EvaluateSeq2SeqBaselines(split.Train, split.Test);
        double expected = (kept.Name == "persistence" ? baselines.Persistence : baselines.Linear).MeanSquaredError;
        double actual = ml.Regression.EvaluateSequence(model.Transform(split.Test)).MeanSquaredError;
        Assert.True(Math.Abs(actual - expected) <= 1e-5 * expected, $"kept {kept.Name}: test MSE {actual:G7}, the baseline evaluation says {expected:G7}");

        // The forecast engine runs it from the series, like any forecaster: the last 24 rows in, 6 steps out.
        Seq2SeqForecast next = model.CreateForecastEngine(ml, Series(ml, periodic), timestampColumnName: "Time").Predict();
        Assert.Equal(6, next.Horizon);
        Assert.True(float.IsFinite(next[0, "A"]) && float.IsFinite(next[5, "B"]));
        if (winner == "persistence") // every step repeats the series' last value, in its own units
        {
            float lastA = Series(ml, periodic).GetColumn<float>("A").Last();
            Assert.All(Enumerable.Range(0, 6), h => Assert.Equal(lastA, next[h, "A"], 3));
        }

        using var folder = new TemporaryFolder();
        ml.Model.Save(model, split.Train.Schema, folder.File("model.zip"));
        var loaded = (Seq2SeqTransformer)ml.Model.Load(folder.File("model.zip"), out _);
        using (loaded)
            Assert.Equal(model.Transform(split.Test).GetColumn<float[]>("Score").SelectMany(v => v), loaded.Transform(split.Test).GetColumn<float[]>("Score").SelectMany(v => v));
    }

    [Fact]
    public void A_searched_network_meets_the_baselines_under_its_own_name_and_loses_to_persistence_on_random_walks()
    {
        var ml = new MLContext(seed: 1);
        SequenceWindowSplit split = RandomWalks(ml);
        Seq2SeqForecastingOptions options = Untrained(split, BaselineComparison.Select);
        options.Search = new ModelSearchOptions
        {
            Families = new[] { NetworkFamily.PatchTransformer, NetworkFamily.SegmentRecurrent },
            Lookbacks = new[] { 12, 24 },
            FamilySettings = new INetworkFamilyOptions[] { new PatchTransformerOptions { PatchLength = 6, PatchStride = 6, ModelSize = 8, HeadCount = 2, LayerCount = 1, FeedForwardSize = 8 } },
        };

        var reports = new List<SelectionReport>();
        options.SelectionProgress = new Training.TrainingTestKit.SynchronousProgress<SelectionReport>(reports.Add);

        using Seq2SeqTransformer model = ml.Forecasting.Seq2Seq(options).Fit(split.Train);

        // SelectionProgress: each searched network and each baseline as scored, in the history's order, then the
        // decision: the search's winner, then the comparison that kept persistence.
        Assert.Equal(model.TrainingHistory.Candidates.Select(c => c.Name), reports.Where(r => !r.IsDecision).Select(r => r.Scored!.Name));
        SelectionReport decision = Assert.Single(reports, r => r.IsDecision);
        Assert.Same(decision, reports[^1]);
        Assert.StartsWith("search: ", decision.Decision);
        Assert.Contains("Then the BaselineComparison: validation", decision.Decision);
        Assert.Equal(model.TrainingHistory.Selection, decision.Decision);
        Assert.Equal("persistence", decision.Kept!.Name);

        // The search's four networks first (none kept: an untrained network loses to persistence), then the baselines;
        // no anonymous "network" entry.
        string[] names = model.TrainingHistory.Candidates.Select(c => c.Name).ToArray();
        Assert.Equal(new[] { "PatchTransformer, last 12 steps", "PatchTransformer", "SegmentRecurrent, last 12 steps", "SegmentRecurrent", "persistence" }, names.Take(5));
        Assert.DoesNotContain("network", names);
        Assert.Equal("persistence", Assert.Single(model.TrainingHistory.Candidates, c => c.Kept).Name);
        Assert.Equal(NetworkFamily.Linear, model.Network.Architecture.Family);
    }

    [Fact]
    public void The_linear_lookback_is_the_one_that_cross_validates_best_and_the_log_lists_every_lookback()
    {
        var ml = new MLContext(seed: 1);
        SequenceWindowSplit split = Windows(ml, periodic: true);
        var log = new List<string>();
        ml.Log += (_, e) => { lock (log) log.Add(e.Message); };

        using Seq2SeqTransformer model = ml.Forecasting.Seq2Seq(Untrained(split, BaselineComparison.Select)).Fit(split.Train);

        string line;
        lock (log)
            line = Assert.Single(log, m => m.Contains("lookback by 10-fold cross-validation"));
        // "…(MSE): 12 steps 0.01, 24 steps 0.009; linear stands for the linear forecaster."
        var scores = System.Text.RegularExpressions.Regex.Matches(line, @"(\d+) steps ([0-9.eE+-]+)")
            .Select(m => (Lookback: int.Parse(m.Groups[1].Value), Mse: double.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture))).ToList();
        Assert.Equal(new[] { 12, 24 }, scores.Select(s => s.Lookback)); // the window's 24 steps and its halving down to 8
        Assert.All(scores, s => Assert.True(s.Mse > 0 && double.IsFinite(s.Mse)));
        int best = scores.OrderBy(s => s.Mse).First().Lookback;
        string expected = best == 24 ? "linear" : $"linear, last {best} steps";
        Assert.EndsWith($"; {expected} stands for the linear forecaster.", line);
        ModelCandidate kept = Assert.Single(model.TrainingHistory.Candidates, c => c.Kept);
        Assert.Equal(expected, kept.Name); // on these waves the linear forecaster wins, in the cross-validated lookback
    }

    [Theory]
    [InlineData(1, true)]  // 24 validation rows, H = 6, stride 1: 19 windows, each sharing label steps with 5 neighbours; 4 blocks need 24
    [InlineData(6, false)] // the same rows at stride 6: 4 windows that share no label step, 4 blocks of 1
    public void The_comparison_needs_four_blocks_of_windows_that_share_label_steps_to_check_the_network(int stride, bool tooFew)
    {
        var ml = new MLContext(seed: 1);
        SequenceWindowSplit split = Windows(ml, periodic: true, validationEnd: 324, stride: stride);
        var warnings = new List<string>();
        ml.Log += (_, e) => { if (e.Kind == ChannelMessageKind.Warning) lock (warnings) warnings.Add(e.Message); };

        using Seq2SeqTransformer selected = ml.Forecasting.Seq2Seq(Untrained(split, BaselineComparison.Select)).Fit(split.Train);
        using Seq2SeqTransformer warned = ml.Forecasting.Seq2Seq(Untrained(split, BaselineComparison.Warn)).Fit(split.Train);

        int windows = split.Validation.GetColumn<float[]>("Label").Count();
        Assert.Equal(stride == 1 ? 19 : 4, windows);
        const string reason = "too few to check the network's score";
        Assert.Equal(tooFew, selected.TrainingHistory.Selection!.Contains(reason, StringComparison.Ordinal));
        if (tooFew)
        {
            // Whatever the network scored, the better baseline is kept; Warn keeps the network and says how many windows a comparison needs.
            ModelCandidate bestBaseline = selected.TrainingHistory.Candidates.Where(c => c.Name != "network").MinBy(c => c.ValidationMetric)!;
            Assert.Equal(bestBaseline.Name, Assert.Single(selected.TrainingHistory.Candidates, c => c.Kept).Name);
            Assert.Contains($"the {windows} validation windows hold fewer than 4 blocks of 6", selected.TrainingHistory.Selection);
            Assert.Equal("network", Assert.Single(warned.TrainingHistory.Candidates, c => c.Kept).Name);
            lock (warnings)
                Assert.Contains(warnings, m => m.Contains($"the comparison prefers {bestBaseline.Name} to the network") && m.Contains("Give at least 24 validation windows"));
        }
        else
        {
            Assert.DoesNotContain(reason, warned.TrainingHistory.Selection);
        }
    }

    [Fact]
    public void Warn_keeps_the_network_and_logs_a_warning_naming_the_better_baseline()
    {
        var ml = new MLContext(seed: 1);
        SequenceWindowSplit split = RandomWalks(ml);
        var warnings = new List<string>();
        ml.Log += (_, e) => { if (e.Kind == ChannelMessageKind.Warning) lock (warnings) warnings.Add(e.Message); };

        using Seq2SeqTransformer model = ml.Forecasting.Seq2Seq(Untrained(split, BaselineComparison.Warn)).Fit(split.Train);

        Assert.Equal(NetworkFamily.SegmentRecurrent, model.Network.Architecture.Family);
        Assert.Equal("network", Assert.Single(model.TrainingHistory.Candidates, c => c.Kept).Name);
        string best = model.TrainingHistory.Candidates.OrderBy(c => c.ValidationMetric).First().Name;
        Assert.NotEqual("network", best);
        lock (warnings)
            Assert.Contains(warnings, m => m.Contains($"the one-standard-error rule prefers {best} to the network"));
        Assert.Contains($"the one-standard-error rule prefers {best} to the network, but the network is kept (BaselineComparison = Warn", model.TrainingHistory.Selection);
    }

    [Fact]
    public void Quantiles_keep_the_network_with_a_warning_because_no_baseline_forecasts_them()
    {
        var ml = new MLContext(seed: 1);
        SequenceWindowSplit split = RandomWalks(ml);
        var warnings = new List<string>();
        ml.Log += (_, e) => { if (e.Kind == ChannelMessageKind.Warning) lock (warnings) warnings.Add(e.Message); };
        Seq2SeqForecastingOptions options = Untrained(split, BaselineComparison.Select);
        options.Quantiles = new() { Levels = new[] { 0.1, 0.9 } };

        using Seq2SeqTransformer model = ml.Forecasting.Seq2Seq(options).Fit(split.Train);

        Assert.Equal(NetworkFamily.SegmentRecurrent, model.Network.Architecture.Family);
        lock (warnings)
            Assert.Contains(warnings, m => m.Contains("cannot stand in for the network") && m.Contains(nameof(Seq2SeqOptions.Quantiles)));
    }

    [Fact]
    public void Known_future_inputs_are_compared_without_the_baselines_reading_them_and_the_network_is_kept()
    {
        var ml = new MLContext(seed: 1);
        IDataView windows = ml.Data.CreateSequenceWindows(EventSeries.Load(ml, EventSeries.Create(260)),
            EventSeries.WindowOptions(futureEvents: true, CalendarFeatures.HourOfDay));
        var options = new Seq2SeqForecastingOptions
        {
            HiddenSize = 16, FamilyOptions = new SegmentRecurrentOptions { SegmentLength = 4 }, MaxEpochs = 2, ValidationFraction = 0.25, Seed = 2, FutureFeatureColumnName = "FutureFeatures",
        };

        using Seq2SeqTransformer model = ml.Forecasting.Seq2Seq(options).Fit(windows);

        Assert.Equal("persistence", model.TrainingHistory.Candidates[0].Name);
        Assert.Equal("linear", model.TrainingHistory.Candidates[^2].Name);
        Assert.Equal("network", model.TrainingHistory.Candidates[^1].Name);
        Assert.Equal("network", Assert.Single(model.TrainingHistory.Candidates, c => c.Kept).Name);
        Assert.All(model.TrainingHistory.Candidates, c => Assert.True(double.IsFinite(c.ValidationMetric)));
        Assert.True(model.FutureFeatureCount > 0);
    }

    [Fact]
    public void A_streamed_Fit_compares_the_same_candidates_with_the_same_scores_as_an_in_memory_one()
    {
        var ml = new MLContext(seed: 1);
        SequenceWindowSplit split = Windows(ml, periodic: true);
        IReadOnlyList<ModelCandidate> Candidates(int? pool)
        {
            Seq2SeqForecastingOptions options = Untrained(split, BaselineComparison.Select);
            options.Streaming = pool is int rows ? new() { ShufflePoolRows = rows } : null;
            using Seq2SeqTransformer model = ml.Forecasting.Seq2Seq(options).Fit(split.Train);
            return model.TrainingHistory.Candidates;
        }

        IReadOnlyList<ModelCandidate> inMemory = Candidates(null), streamed = Candidates(64);

        Assert.Equal(inMemory.Select(c => c.Name), streamed.Select(c => c.Name));
        Assert.Equal(inMemory.Single(c => c.Kept).Name, streamed.Single(c => c.Kept).Name);
        // The baselines do not depend on how the rows arrive (the network's training order does).
        foreach (string baseline in new[] { "persistence", "linear" })
            Assert.Equal(inMemory.Single(c => c.Name == baseline).ValidationMetric, streamed.Single(c => c.Name == baseline).ValidationMetric, 6);
    }

    [Fact]
    public void Off_or_no_validation_data_compares_nothing_and_says_why_when_asked()
    {
        var ml = new MLContext(seed: 1);
        SequenceWindowSplit split = RandomWalks(ml);
        var log = new List<string>();
        ml.Log += (_, e) => { lock (log) log.Add(e.Message); };

        Seq2SeqForecastingOptions off = Untrained(split, BaselineComparison.Off);
        using (Seq2SeqTransformer model = ml.Forecasting.Seq2Seq(off).Fit(split.Train))
        {
            Assert.Empty(model.TrainingHistory.Candidates);
            Assert.Null(model.TrainingHistory.Selection);
        }

        Seq2SeqForecastingOptions noValidation = Untrained(split, BaselineComparison.Select);
        noValidation.ValidationSet = null;
        using (Seq2SeqTransformer model = ml.Forecasting.Seq2Seq(noValidation).Fit(split.Train))
        {
            Assert.Empty(model.TrainingHistory.Candidates);
            Assert.Equal(NetworkFamily.SegmentRecurrent, model.Network.Architecture.Family);
            Assert.StartsWith("BaselineComparison = Select, but there is no validation data", model.TrainingHistory.Selection);
        }
        lock (log)
            Assert.Contains(log, m => m.Contains("BaselineComparison = Select, but there is no validation data"));
    }
}
