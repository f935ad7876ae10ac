using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using MLNetSeq2Seq.Networks;
using MLNetSeq2Seq.Training;
using TorchSharp;

namespace MLNetSeq2Seq.Selection;

/// <summary>
/// <see cref="Seq2SeqOptions.Search"/>: trains one network per (family, lookback) candidate on the session's rows, in
/// turn, abandons candidates that are clearly losing or that the time budget no longer covers, and returns the one with
/// the best validation score (the others are disposed) with every candidate's score and fit time.
/// </summary>
internal static class ModelSearch
{
    /// <summary>One trained candidate: its name, its network (null once disposed), its history and what training took;
    /// on the search's result, every candidate and the search's decision in words, as logged.</summary>
    internal sealed record Result(string Name, SequenceNetwork Network, TrainingHistory History, TimeSpan FitTime, IReadOnlyList<ModelCandidate> Candidates, string? Decision = null);

    /// <summary>Trains the candidates; the caller owns the returned network. Throws the last candidate's error when none trained.</summary>
    public static Result Run(TrainingSession session, double peakLearningRate, ITrainingObserver? observer)
    {
        Seq2SeqOptions options = session.Options;
        ModelSearchOptions search = options.Search!;
        var plan = Plan(session, search);
        var checkpoints = SearchCheckpoints.Of(options.Checkpoints, plan.Select(c => c.Name).ToList());
        // Resumed: the time the interrupted search had spent on the candidates handed out so far (their checkpoints'
        // recorded epochs) counts against the budget.
        TimeSpan spentBefore = TimeSpan.Zero;
        var stopwatch = Stopwatch.StartNew();
        TimeSpan Elapsed() => spentBefore + stopwatch.Elapsed;
        session.Host.Info($"Seq2Seq search: {plan.Count} candidates ({string.Join("; ", plan.Select(c => c.Name))}), budget {search.TimeBudget.TotalMinutes:F1} min, "
            + $"abandoning after {search.AbandonAfterEpochs} epochs any candidate {search.AbandonMargin:P0} behind the best finished one.");
        Result? best = null;
        double bestScore = double.PositiveInfinity;
        var candidates = new List<ModelCandidate>();
        Exception? lastError = null;
        try
        {
            for (int i = 0; i < plan.Count; i++)
            {
                var (name, candidateOptions, lookback) = plan[i];
                // A candidate that had started did so within the budget: it is resumed whatever the clock says now.
                if (i > 0 && Elapsed() >= search.TimeBudget && !checkpoints.HadStarted(i))
                {
                    session.Host.Info($"Seq2Seq search: the time budget is spent; {plan.Count - i} candidates not trained ({string.Join("; ", plan.Skip(i).Select(c => c.Name))}).");
                    break;
                }
                if (checkpoints.DivergedBefore(i) is TrainingDivergedException divergedBefore)
                {
                    checkpoints.MarkDiverged(i, divergedBefore); // into this run's folder too, when it is another
                    lastError = divergedBefore;
                    session.Host.Warning($"Seq2Seq search: {name} diverged in the interrupted search and is dropped again: {divergedBefore.Message}");
                    continue;
                }
                session.Host.Info($"Seq2Seq search: candidate {i + 1} of {plan.Count}, {name}.");
                checkpoints.MarkStarted(i);
                TrainingCheckpoint? resume = checkpoints.ResumeOf(i);
                spentBefore += resume?.RecordedTime ?? TimeSpan.Zero;
                // The candidate's best so far includes the epochs before an interruption, as it did in the original run.
                double reference = bestScore, candidateBest = resume?.History.Min(e => e.ValidationLoss) ?? double.PositiveInfinity;
                var trainer = new Seq2SeqTrainer(checkpoints.OptionsOf(i, candidateOptions), session.Host, session.Seed, peakLearningRate, observer)
                {
                    Candidate = name,
                    Abandon = epoch =>
                    {
                        if (epoch.ValidationLoss is double v)
                            candidateBest = Math.Min(candidateBest, v);
                        if (Elapsed() >= search.TimeBudget)
                            return "the search's time budget is spent";
                        return epoch.Epoch >= search.AbandonAfterEpochs && double.IsFinite(reference) && !(candidateBest <= reference * (1 + search.AbandonMargin))
                            ? string.Create(CultureInfo.InvariantCulture, $"abandoned, its best validation score {candidateBest:G4} is more than {search.AbandonMargin:P0} above the best finished candidate's {reference:G4}")
                            : null;
                    },
                };
                SequenceNetwork network = NetworkFactory.Create(Architecture(session, candidateOptions, lookback, session.Shapes.InputLength!.Value), session.Seed);
                network.to(session.Device);
                TrainingHistory history;
                var started = stopwatch.Elapsed;
                try
                {
                    history = trainer.Train(network, session.TrainRows, session.ValidationRows, resume);
                }
                catch (TrainingDivergedException diverged)
                {
                    network.Dispose();
                    checkpoints.MarkDiverged(i, diverged);
                    lastError = diverged;
                    session.Host.Warning($"Seq2Seq search: {name} diverged and is dropped: {diverged.Message}");
                    continue;
                }
                catch
                {
                    network.Dispose(); // cancelled, or a checkpoint of another run: nothing of this candidate is kept
                    throw;
                }
                TimeSpan fitTime = stopwatch.Elapsed - started + (resume?.RecordedTime ?? TimeSpan.Zero);
                double score = history.BestValidationLoss ?? double.PositiveInfinity;
                var scored = new ModelCandidate(name, score, Kept: false, fitTime);
                options.SelectionProgress?.Report(SelectionReport.Of(scored, candidates));
                candidates.Add(scored);
                session.Host.Info(string.Create(CultureInfo.InvariantCulture,
                    $"Seq2Seq search: {name}: validation {history.ValidationMetricName} {score:G4} (epoch {history.BestEpoch} of {history.Epochs.Count}), {fitTime.TotalSeconds:F0} s."));
                if (score < bestScore || best is null)
                {
                    best?.Network.Dispose();
                    best = new Result(name, network, history, fitTime, candidates);
                    bestScore = score;
                }
                else
                {
                    network.Dispose();
                }
            }
        }
        catch
        {
            best?.Network.Dispose();
            throw;
        }
        if (best is null)
            throw lastError ?? new InvalidOperationException("The model search trained no candidate.");
        string decision = string.Create(CultureInfo.InvariantCulture, $"search: {best.Name} has the best validation score ({bestScore:G4}) of {candidates.Count} trained candidates, in {Elapsed().TotalSeconds:F0} s.");
        session.Host.Info("Seq2Seq " + decision);
        return best with { Candidates = candidates.Select(c => c with { Kept = c.Name == best.Name }).ToArray(), Decision = decision };
    }

    /// <summary>The candidates in the order they train: for each family in the search's order, the lookbacks
    /// shortest first when the family reads the last L′ steps of a window (its weights are shaped by the lookback, or it
    /// takes one on its architecture, as the segment-recurrent family does), else once over the whole window.</summary>
    internal static List<(string Name, Seq2SeqOptions Options, int Lookback)> Plan(TrainingSession session, ModelSearchOptions search)
    {
        int window = session.Shapes.InputLength ?? throw new ArgumentException(
            $"{nameof(Seq2SeqOptions.Search)} needs windows of one length (the feature column's size): the candidates read the last L′ steps of each.", nameof(Seq2SeqOptions.Search));
        int[] lookbacks = (search.Lookbacks ?? DefaultLookbacks(window)).OrderBy(l => l).ToArray();
        if (lookbacks[^1] > window)
            throw new ArgumentOutOfRangeException($"{nameof(Seq2SeqOptions.Search)}.{nameof(ModelSearchOptions.Lookbacks)}", lookbacks[^1],
                $"{nameof(Seq2SeqOptions.Search)}.{nameof(ModelSearchOptions.Lookbacks)} holds {lookbacks[^1]} steps, but the windows hold {window}: cut the windows with the longest lookback you allow.");
        var plan = new List<(string, Seq2SeqOptions, int)>();
        foreach (NetworkFamily family in search.Families)
        {
            Seq2SeqOptions options = session.Options.Clone();
            options.Family = family;
            options.FamilyOptions = NetworkFamilies.SettingsOf(family, search.FamilySettings.Append(session.Options.FamilyOptions));
            options.Search = null;
            options.Validate();
            INetworkFamily descriptor = NetworkFamilies.Get(family);
            // Its weights are shaped by the window (it keeps a lookback), or it accepts one on its architecture.
            NetworkArchitecture wholeWindow = Architecture(session, options, window, window);
            bool readsLastSteps = wholeWindow.Lookback > 0 || descriptor.WhyInvalid(wholeWindow with { Lookback = window }) is null;
            foreach (int lookback in readsLastSteps ? lookbacks : new[] { window })
            {
                string name = Name(family, lookback, window);
                // Before anything trains: a candidate the family cannot build (a patch longer than its lookback, say).
                if (descriptor.WhyInvalid(Architecture(session, options, lookback, window)) is string invalid)
                    throw new ArgumentException($"{nameof(Seq2SeqOptions.Search)}: the candidate {name} cannot be built: {invalid}. Change {nameof(Seq2SeqOptions.Search)}.{nameof(ModelSearchOptions.Lookbacks)} or the family's settings.", nameof(Seq2SeqOptions.Search));
                plan.Add((name, options, lookback));
            }
        }
        return plan;
    }

    private static int[] DefaultLookbacks(int window)
    {
        var lookbacks = new List<int> { window };
        for (int shorter = window / 2; shorter >= 16 && lookbacks.Count < 3; shorter /= 2)
            lookbacks.Add(shorter);
        return lookbacks.ToArray();
    }

    private static string Name(NetworkFamily family, int lookback, int window) =>
        lookback != window ? string.Create(CultureInfo.InvariantCulture, $"{family}, last {lookback} steps") : family.ToString();

    // The candidate's architecture over the last `lookback` steps of `window`-step windows: a family whose weights do not
    // depend on the window length (lookback 0: it reads every step) gets the lookback on its architecture when it is
    // shorter than the window, so that it reads the last that many steps.
    private static NetworkArchitecture Architecture(TrainingSession session, Seq2SeqOptions options, int lookback, int window)
    {
        NetworkArchitecture architecture = NetworkArchitecture.From(options, session.Shapes.InputFeatureCount, session.Shapes.OutputFeatureCount, session.Shapes.Horizon,
            session.Targets.InputIndices, session.Targets.ChannelIndependent, lookback) with { FutureFeatureCount = session.Shapes.FutureFeatureCount };
        return architecture.Lookback == 0 && lookback < window ? architecture with { Lookback = lookback } : architecture;
    }
}
