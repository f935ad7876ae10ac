using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using MLNetSeq2Seq.Tests.Training;
using Xunit;

namespace MLNetSeq2Seq.Tests.Selection;

/// <summary>Seq2SeqOptions.Search: families × lookbacks trained in turn on the same rows, the best on validation kept and
/// returned as an ordinary model; every candidate's score, fit time and epochs reported; the time budget and early
/// abandonment stop candidates; bad settings refused by name.</summary>
public sealed class ModelSearchTests
{
    private static Seq2SeqOptions Options(ModelSearchOptions search, int maxEpochs = 6)
    {
        Seq2SeqOptions options = SyntheticSequences.SmallOptions(maxEpochs);
        options.HiddenSize = 16;
        options.InstanceNormalization = InstanceNormalization.SubtractLast;
        options.ChannelIndependent = true;
        options.ValidationFraction = 0.25;
        options.FamilyOptions = new PatchTransformerOptions { PatchLength = 4, PatchStride = 2, ModelSize = 8, HeadCount = 2, LayerCount = 1, FeedForwardSize = 16 };
        options.Family = NetworkFamily.PatchTransformer;
        options.Search = search;
        return options;
    }

    private static IDataView Data(MLContext ml, int rows = 160) => ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(rows, seed: 21));

    [Fact]
    public void Every_family_and_lookback_trains_reports_its_epochs_and_the_best_on_validation_is_the_model()
    {
        var ml = new MLContext(seed: 1);
        var epochs = new List<EpochSummary>();
        Seq2SeqOptions options = Options(new ModelSearchOptions
        {
            Families = new[] { NetworkFamily.PatchTransformer, NetworkFamily.SegmentRecurrent, NetworkFamily.AutoregressiveEncoderDecoder },
            Lookbacks = new[] { 6, SyntheticSequences.InputLength },
            AbandonMargin = 1e6, // nothing is abandoned here
        });
        options.Search!.FamilySettings = new INetworkFamilyOptions[] { new SegmentRecurrentOptions { SegmentLength = 4 } };
        options.Progress = new TrainingTestKit.SynchronousProgress<EpochSummary>(epochs.Add);
        var reports = new List<SelectionReport>();
        options.SelectionProgress = new TrainingTestKit.SynchronousProgress<SelectionReport>(reports.Add);

        using Seq2SeqTransformer model = ml.Regression.Trainers.Seq2Seq(options).Fit(Data(ml));

        // SelectionProgress: each candidate when it has finished (after its last epoch), then the search's decision.
        Assert.Equal(model.TrainingHistory.Candidates.Select(c => (c.Name, c.ValidationMetric)), reports.SkipLast(1).Select(r => (r.Scored!.Name, r.Scored.ValidationMetric)));
        Assert.True(reports[^1].IsDecision);
        Assert.Equal(model.TrainingHistory.Selection, reports[^1].Decision);

        // The window-shaped family and the segment-recurrent one at both lookbacks (shortest first); the autoregressive
        // family, which reads rows of any length, once over the whole window.
        string[] expected = { "PatchTransformer, last 6 steps", "PatchTransformer", "SegmentRecurrent, last 6 steps", "SegmentRecurrent", "AutoregressiveEncoderDecoder" };
        IReadOnlyList<ModelCandidate> candidates = model.TrainingHistory.Candidates;
        Assert.Equal(expected, candidates.Select(c => c.Name));
        Assert.Equal(expected, epochs.Select(e => e.Candidate).Distinct());
        Assert.All(candidates, c => Assert.True(double.IsFinite(c.ValidationMetric) && c.FitTime > TimeSpan.Zero, c.ToString()));
        ModelCandidate kept = Assert.Single(candidates, c => c.Kept);
        Assert.Equal(candidates.Min(c => c.ValidationMetric), kept.ValidationMetric);
        // Each candidate's score is the best validation loss its progress reported.
        foreach (ModelCandidate candidate in candidates)
            Assert.Equal(epochs.Where(e => e.Candidate == candidate.Name).Min(e => e.ValidationLoss!.Value), candidate.ValidationMetric);

        // The model is the kept candidate: its family and lookback, its history.
        var architecture = model.Network.Architecture;
        Assert.Equal(Enum.Parse<NetworkFamily>(kept.Name.Split(',')[0]), architecture.Family);
        bool shorter = kept.Name.Contains("last 6", StringComparison.Ordinal);
        // The lookback the kept network reads: the window-shaped family records the whole window's, the others 0 there.
        Assert.Equal(shorter ? 6 : architecture.Family == NetworkFamily.PatchTransformer ? SyntheticSequences.InputLength : 0, architecture.Lookback);
        Assert.Equal(kept.ValidationMetric, model.TrainingHistory.BestValidationLoss);
        Assert.StartsWith($"search: {kept.Name} has the best validation score", model.TrainingHistory.Selection);
        Assert.Equal(kept, reports[^1].Kept);
    }

    [Fact]
    public void A_spent_budget_stops_the_search_after_the_first_candidates_first_epoch()
    {
        var ml = new MLContext(seed: 1);
        var epochs = new List<EpochSummary>();
        Seq2SeqOptions options = Options(new ModelSearchOptions
        {
            Families = new[] { NetworkFamily.PatchTransformer, NetworkFamily.Linear },
            Lookbacks = new[] { 6, SyntheticSequences.InputLength },
            TimeBudget = TimeSpan.FromTicks(1),
        });
        options.Progress = new TrainingTestKit.SynchronousProgress<EpochSummary>(epochs.Add);

        using Seq2SeqTransformer model = ml.Regression.Trainers.Seq2Seq(options).Fit(Data(ml));

        Assert.Equal(new[] { "PatchTransformer, last 6 steps" }, model.TrainingHistory.Candidates.Select(c => c.Name));
        Assert.Single(epochs);
    }

    [Fact]
    public void A_candidate_far_behind_the_best_finished_one_is_abandoned_after_its_first_epochs()
    {
        // The data is a delayed, scaled copy of the input: the linear map learns it almost exactly, so a Transformer
        // after one epoch is far behind, and with a margin of 0 it is stopped there.
        var ml = new MLContext(seed: 1);
        var epochs = new List<EpochSummary>();
        Seq2SeqOptions options = Options(new ModelSearchOptions
        {
            Families = new[] { NetworkFamily.Linear, NetworkFamily.PatchTransformer },
            Lookbacks = new[] { SyntheticSequences.InputLength },
            AbandonAfterEpochs = 1,
            AbandonMargin = 0,
        }, maxEpochs: 10);
        options.Search!.FamilySettings = new INetworkFamilyOptions[] { options.FamilyOptions! };
        options.Family = NetworkFamily.Linear;
        options.FamilyOptions = null;
        options.Progress = new TrainingTestKit.SynchronousProgress<EpochSummary>(epochs.Add);

        using Seq2SeqTransformer model = ml.Regression.Trainers.Seq2Seq(options).Fit(Data(ml));

        var linear = epochs.Where(e => e.Candidate == "Linear").ToList();
        var transformer = epochs.Where(e => e.Candidate == "PatchTransformer").ToList();
        Assert.True(linear.Count > 1, "the first candidate trains on (nothing to compare it with)");
        Assert.True(transformer[0].ValidationLoss > linear.Min(e => e.ValidationLoss), "the premise: one epoch of the Transformer is behind the trained linear map");
        Assert.Single(transformer);
        Assert.Equal(NetworkFamily.Linear, model.Network.Architecture.Family);
    }

    [Fact]
    public void Settings_a_search_cannot_work_with_are_refused_by_name()
    {
        var noValidation = Options(new ModelSearchOptions());
        noValidation.ValidationFraction = 0;
        Assert.Equal(nameof(Seq2SeqOptions.Search), Assert.Throws<ArgumentException>(noValidation.Validate).ParamName);

        var noRate = Options(new ModelSearchOptions());
        noRate.LearningRate = null;
        Assert.Equal(nameof(Seq2SeqOptions.LearningRate), Assert.Throws<ArgumentException>(noRate.Validate).ParamName);

        var twice = Options(new ModelSearchOptions { Families = new[] { NetworkFamily.Linear, NetworkFamily.Linear } });
        Assert.Equal("Search.Families", Assert.Throws<ArgumentException>(twice.Validate).ParamName);

        var budget = Options(new ModelSearchOptions { TimeBudget = TimeSpan.Zero });
        Assert.Equal("Search.TimeBudget", Assert.Throws<ArgumentOutOfRangeException>(budget.Validate).ParamName);

        var settingsOfAnother = Options(new ModelSearchOptions { Families = new[] { NetworkFamily.Linear }, FamilySettings = new INetworkFamilyOptions[] { new PatchTransformerOptions() } });
        Assert.Equal("Search.FamilySettings", Assert.Throws<ArgumentException>(settingsOfAnother.Validate).ParamName);

        var ml = new MLContext(seed: 1);
        var patchTooLong = Options(new ModelSearchOptions { Families = new[] { NetworkFamily.PatchTransformer }, Lookbacks = new[] { 3 } });
        var unbuildable = Assert.Throws<ArgumentException>(() => ml.Regression.Trainers.Seq2Seq(patchTooLong).Fit(Data(ml, rows: 40)));
        Assert.Equal(nameof(Seq2SeqOptions.Search), unbuildable.ParamName);
        Assert.Contains("PatchTransformer, last 3 steps", unbuildable.Message);

        var tooLong = Options(new ModelSearchOptions { Families = new[] { NetworkFamily.Linear }, Lookbacks = new[] { SyntheticSequences.InputLength + 1 } });
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Regression.Trainers.Seq2Seq(tooLong).Fit(Data(ml, rows: 40)));
        Assert.Equal("Search.Lookbacks", error.ParamName);
    }
}
