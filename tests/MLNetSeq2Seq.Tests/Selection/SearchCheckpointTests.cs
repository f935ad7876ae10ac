using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using MLNetSeq2Seq.Tests.Training;
using Xunit;

namespace MLNetSeq2Seq.Tests.Selection;

/// <summary>Seq2SeqOptions.Search with Checkpoints: one subfolder per candidate; a search interrupted anywhere and resumed
/// from the folder keeps what the uninterrupted search kept, with the same weights, without training an ended candidate
/// again; folders of another search or of a single run are refused by name.</summary>
public sealed class SearchCheckpointTests
{
    private const int MaxEpochs = 4;

    // Linear first: it trains all its epochs and sets the score to beat. The patch Transformer is behind it after two
    // epochs and is abandoned there (margin 0); the segment-recurrent network is then checked the same way.
    private static Seq2SeqOptions Options()
    {
        Seq2SeqOptions options = SyntheticSequences.SmallOptions(MaxEpochs);
        options.HiddenSize = 16;
        options.InstanceNormalization = InstanceNormalization.SubtractLast;
        options.ChannelIndependent = true;
        options.ValidationFraction = 0.25;
        options.Dropout = 0.2; // the dropout masks are part of what a resumed candidate must draw again
        options.Family = NetworkFamily.Linear;
        options.Search = new ModelSearchOptions
        {
            Families = new[] { NetworkFamily.Linear, NetworkFamily.PatchTransformer, NetworkFamily.SegmentRecurrent },
            Lookbacks = new[] { SyntheticSequences.InputLength },
            AbandonAfterEpochs = 2,
            AbandonMargin = 0,
            FamilySettings = new INetworkFamilyOptions[]
            {
                new PatchTransformerOptions { PatchLength = 4, PatchStride = 2, ModelSize = 8, HeadCount = 2, LayerCount = 1, FeedForwardSize = 16 },
                new SegmentRecurrentOptions { SegmentLength = 4 },
            },
        };
        return options;
    }

    private static IDataView Data(MLContext ml) => ml.Data.LoadFromEnumerable(SyntheticSequences.Generate(160, seed: 21));

    private static (Seq2SeqTransformer Model, List<EpochSummary> Epochs) Fit(Seq2SeqOptions options, Func<EpochSummary, bool>? cancelAfter = null, List<EpochSummary>? reported = null,
        MLNetSeq2Seq.Training.ITrainingObserver? observer = null)
    {
        var ml = new MLContext(seed: 1);
        var epochs = reported ?? new List<EpochSummary>();
        options.Progress = new TrainingTestKit.SynchronousProgress<EpochSummary>(e =>
        {
            epochs.Add(e);
            if (cancelAfter?.Invoke(e) == true)
                ml.CancelExecution();
        });
        return (TrainingTestKit.Estimator(ml, options, observer).Fit(Data(ml)), epochs);
    }

    // Fills the patch Transformer's weights with NaN after its first epoch: its validation score is NaN, and it diverges.
    private sealed class PoisonPatchTransformer : MLNetSeq2Seq.Training.ITrainingObserver
    {
        public void OnMicroBatch(int epoch, ReadOnlySpan<long> rows) { }

        public void OnEpochEnd(int epoch, MLNetSeq2Seq.Networks.SequenceNetwork network)
        {
            if (network.Architecture.Family != NetworkFamily.PatchTransformer)
                return;
            using var scope = TorchSharp.torch.NewDisposeScope();
            using var _ = TorchSharp.torch.no_grad();
            foreach (var parameter in network.parameters())
                parameter.fill_(float.NaN);
        }
    }

    [Fact]
    public void A_candidate_that_diverged_before_its_first_checkpoint_is_dropped_again_not_retrained()
    {
        var (uninterrupted, allEpochs) = Fit(Options(), observer: new PoisonPatchTransformer());
        using var _ = uninterrupted;
        Assert.Equal(new[] { "Linear", "SegmentRecurrent" }, uninterrupted.TrainingHistory.Candidates.Select(c => c.Name)); // the premise: it diverged

        using var folder = new TemporaryFolder();
        var interrupted = Options();
        interrupted.Checkpoints = new() { Directory = folder.Path };
        Assert.ThrowsAny<OperationCanceledException>(() => Fit(interrupted, e => e.Candidate == "SegmentRecurrent" && e.Epoch == 1, observer: new PoisonPatchTransformer()));
        Assert.True(File.Exists(Path.Combine(folder.Path, "candidate-2-PatchTransformer", "seq2seq-diverged.txt")));
        Assert.False(File.Exists(Path.Combine(folder.Path, "candidate-2-PatchTransformer", "seq2seq-checkpoint.bin")));

        // Resumed without the poison: a retrained Transformer would now finish and be scored.
        var resumed = Options();
        resumed.Checkpoints = new() { Directory = folder.Path, ResumeFrom = folder.Path };
        var (continued, resumedEpochs) = Fit(resumed);
        using var __ = continued;

        Assert.DoesNotContain(resumedEpochs, e => e.Candidate == "PatchTransformer");
        Assert.Equal(uninterrupted.TrainingHistory.Candidates.Select(c => (c.Name, c.ValidationMetric, c.Kept)),
            continued.TrainingHistory.Candidates.Select(c => (c.Name, c.ValidationMetric, c.Kept)));
        Assert.True(TrainingTestKit.NormRelativeDifference(TrainingTestKit.Weights(continued), TrainingTestKit.Weights(uninterrupted)) < 1e-6);
    }

    [Theory]
    [InlineData("PatchTransformer", 1)] // the candidate that is abandoned later continues to its abandonment
    [InlineData("SegmentRecurrent", 1)] // after the abandonment: that candidate had ended and is not trained again
    public void A_search_interrupted_and_resumed_keeps_what_the_uninterrupted_search_kept_with_the_same_weights(string interruptedCandidate, int interruptedEpoch)
    {
        var (uninterrupted, allEpochs) = Fit(Options());
        using var _ = uninterrupted;
        // The premise: the Transformer was abandoned after its second epoch (an ended candidate that did not reach MaxEpochs).
        Assert.Equal(2, allEpochs.Count(e => e.Candidate == "PatchTransformer"));
        Assert.Equal(MaxEpochs, allEpochs.Count(e => e.Candidate == "Linear"));

        using var folder = new TemporaryFolder();
        var interrupted = Options();
        interrupted.Checkpoints = new() { Directory = folder.Path };
        var beforeInterruption = new List<EpochSummary>();
        Assert.ThrowsAny<OperationCanceledException>(() => Fit(interrupted, e => e.Candidate == interruptedCandidate && e.Epoch == interruptedEpoch, beforeInterruption));
        string[] expectedFolders = interruptedCandidate == "PatchTransformer"
            ? new[] { "candidate-1-Linear", "candidate-2-PatchTransformer" }
            : new[] { "candidate-1-Linear", "candidate-2-PatchTransformer", "candidate-3-SegmentRecurrent" };
        Assert.Equal(expectedFolders, Directory.GetDirectories(folder.Path).Select(Path.GetFileName).Order());

        var resumed = Options();
        resumed.Checkpoints = new() { Directory = folder.Path, ResumeFrom = folder.Path };
        var (continued, resumedEpochs) = Fit(resumed);
        using var __ = continued;

        // Only what had not run is trained: the epochs after the interruption, the same ones as the uninterrupted search's.
        var afterInterruption = allEpochs.SkipWhile(e => !(e.Candidate == interruptedCandidate && e.Epoch == interruptedEpoch)).Skip(1).ToList();
        Assert.Equal(afterInterruption.Select(e => (e.Candidate, e.Epoch, e.TrainLoss, e.ValidationLoss)),
            resumedEpochs.Select(e => (e.Candidate, e.Epoch, e.TrainLoss, e.ValidationLoss)));
        Assert.Equal(uninterrupted.TrainingHistory.Candidates.Select(c => (c.Name, c.ValidationMetric, c.Kept)),
            continued.TrainingHistory.Candidates.Select(c => (c.Name, c.ValidationMetric, c.Kept)));
        double difference = TrainingTestKit.NormRelativeDifference(TrainingTestKit.Weights(continued), TrainingTestKit.Weights(uninterrupted));
        Assert.True(difference < 1e-6, $"weights differ by {difference:G3}");
        Assert.Equal(uninterrupted.TrainingHistory.BestEpoch, continued.TrainingHistory.BestEpoch);
        // Every candidate's fit time includes the seconds of its epochs before the interruption, as its checkpoint recorded them.
        Assert.All(continued.TrainingHistory.Candidates.Where(c => allEpochs.Any(e => e.Candidate == c.Name)), c =>
        {
            double seconds = beforeInterruption.Concat(resumedEpochs).Where(e => e.Candidate == c.Name).Sum(e => e.Seconds);
            Assert.True(c.FitTime.TotalSeconds >= seconds * (1 - 1e-9), $"{c}: {seconds} s of epochs");
        });
        // The kept candidate's restored epochs carry its name, as its new ones do.
        Assert.All(continued.TrainingHistory.Epochs, e => Assert.Equal(continued.TrainingHistory.Candidates.Single(c => c.Kept).Name, e.Candidate));
    }

    [Fact]
    public void A_finished_search_resumed_past_its_budget_restores_every_candidate_without_training_one()
    {
        using var folder = new TemporaryFolder();
        var first = Options();
        first.Checkpoints = new() { Directory = folder.Path };
        var (finished, _) = Fit(first);
        using var _ = finished;

        // As if the process had died after the search (in the comparison, say), and the budget had meanwhile been spent:
        // every candidate with a checkpoint had started within it, so each is restored, none trained.
        using var elsewhere = new TemporaryFolder();
        var resumed = Options();
        resumed.Search!.TimeBudget = TimeSpan.FromTicks(1);
        resumed.Checkpoints = new() { Directory = elsewhere.Path, ResumeFrom = folder.Path };
        var (restored, epochs) = Fit(resumed);
        using var __ = restored;

        Assert.Empty(epochs);
        Assert.Equal(finished.TrainingHistory.Candidates.Select(c => (c.Name, c.ValidationMetric, c.Kept)),
            restored.TrainingHistory.Candidates.Select(c => (c.Name, c.ValidationMetric, c.Kept)));
        Assert.Equal(0, TrainingTestKit.NormRelativeDifference(TrainingTestKit.Weights(restored), TrainingTestKit.Weights(finished)));
        // Resumed into another folder, the ended candidates leave their checkpoints there too.
        Assert.Equal(Directory.GetDirectories(folder.Path).Select(Path.GetFileName).Order(), Directory.GetDirectories(elsewhere.Path).Select(Path.GetFileName).Order());
        Assert.All(Directory.GetDirectories(elsewhere.Path), d => Assert.True(File.Exists(Path.Combine(d, "seq2seq-checkpoint.bin")), d));
    }

    [Fact]
    public void Folders_of_another_search_or_of_a_single_run_are_refused_by_name()
    {
        using var searchFolder = new TemporaryFolder();
        var first = Options();
        first.Search!.Families = new[] { NetworkFamily.Linear, NetworkFamily.PatchTransformer };
        first.Search.FamilySettings = first.Search.FamilySettings.Take(1).ToArray();
        first.Checkpoints = new() { Directory = searchFolder.Path };
        using (Fit(first).Model) { }

        // Another plan: the folder holds a candidate this search does not train.
        var otherFamilies = Options();
        otherFamilies.Search!.Families = new[] { NetworkFamily.Linear, NetworkFamily.SegmentRecurrent };
        otherFamilies.Search.FamilySettings = otherFamilies.Search.FamilySettings.Skip(1).ToArray();
        otherFamilies.Checkpoints = new() { ResumeFrom = searchFolder.Path };
        var error = Assert.Throws<ArgumentException>(() => Fit(otherFamilies));
        Assert.Equal("Checkpoints.ResumeFrom", error.ParamName);
        Assert.Contains("'candidate-2-PatchTransformer', a candidate this search does not plan", error.Message);

        // The same plan with another learning rate: the first candidate's checkpoint names what differs.
        var otherRate = Options();
        otherRate.Search!.Families = first.Search.Families;
        otherRate.Search.FamilySettings = first.Search.FamilySettings;
        otherRate.LearningRate = 0.0123;
        otherRate.Checkpoints = new() { ResumeFrom = searchFolder.Path };
        error = Assert.Throws<ArgumentException>(() => Fit(otherRate));
        Assert.Contains("the checkpoint of the search candidate Linear belongs to another run, LearningRate: ", error.Message);

        // One run from a search's folder, and a search from one run's folder.
        var single = Options();
        single.Search = null;
        single.Checkpoints = new() { ResumeFrom = searchFolder.Path };
        error = Assert.Throws<ArgumentException>(() => Fit(single));
        Assert.Contains("holds the checkpoints of a model search", error.Message);

        using var runFolder = new TemporaryFolder();
        var run = Options();
        run.Search = null;
        run.Checkpoints = new() { Directory = runFolder.Path };
        using (Fit(run).Model) { }
        var search = Options();
        search.Checkpoints = new() { ResumeFrom = runFolder.Path };
        error = Assert.Throws<ArgumentException>(() => Fit(search));
        Assert.Contains("holds the checkpoint of one training run, not of a model search", error.Message);
    }
}
