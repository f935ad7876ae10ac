using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using MLNetSeq2Seq.Networks;
using MLNetSeq2Seq.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Selection;

/// <summary>
/// <see cref="Seq2SeqOptions.BaselineComparison"/>: scores the trained network, persistence and the closed-form linear
/// forecaster over the whole window and over shorter lookbacks (<see cref="Lookbacks"/>) on every validation window with the early-stopping metric, logs every score, takes the linear
/// forecaster whose lookback cross-validates best on the training windows (<see cref="LinearBaselineFit.CrossValidatedMse"/>;
/// without folds, the whole window unless a shorter lookback is better on validation by more than one standard error), and keeps (Select) the simplest kind of model (persistence, linear, network)
/// whose mean is within one standard error of the best one's (the one-standard-error rule, with
/// the error of the paired per-window difference over means of blocks of windows that share label steps,
/// <see cref="WindowLosses"/>), or warns (Warn) when that is not the network. With too few validation windows for an
/// error (fewer than four such blocks) the network's score, which early stopping already used, cannot be checked, and the
/// better baseline is kept (or named in the warning). Both baselines are built as <see cref="NetworkFamily.Linear"/> networks with subtract-last
/// normalisation and channel independence, so the one kept is a model like any other.
/// </summary>
internal static class BaselineSelection
{
    public const string Network = "network";
    public const string Persistence = "persistence";
    public const string Linear = "linear";

    /// <summary>The network to keep (<paramref name="trained"/> or a baseline; the caller owns it, and the other is
    /// disposed), every candidate's score (empty when there was no comparison) and the decision in words, as logged
    /// (null when the comparison is off). Each candidate goes to <see cref="Seq2SeqOptions.SelectionProgress"/> as it is
    /// scored, after <paramref name="searched"/> (the search's candidates, already reported; its winner is the "network"
    /// here and is not reported again).</summary>
    public static (SequenceNetwork Kept, IReadOnlyList<ModelCandidate> Candidates, string? Decision) Choose(SequenceNetwork trained, TimeSpan trainingTime, TrainingSession session,
        IReadOnlyList<ModelCandidate> searched)
    {
        Seq2SeqOptions options = session.Options;
        BaselineComparison mode = options.BaselineComparison;
        if (mode == BaselineComparison.Off)
            return (trained, Array.Empty<ModelCandidate>(), null);
        string? whyNot = WhyNoComparison(session);
        if (whyNot is not null)
            return (trained, Array.Empty<ModelCandidate>(), Log(session, $"{nameof(Seq2SeqOptions.BaselineComparison)} = {mode}, but {whyNot}: the network is kept without comparison."));

        int[] targets = session.Targets.InputIndices!;
        int inputLength = session.Shapes.InputLength!.Value, horizon = session.Shapes.Horizon;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using LinearBaselineFit? fit = LinearBaselineFit.Accumulate(session.TrainRows, targets, inputLength, horizon, options.InferenceBatchSize);
        TimeSpan pass = clock.Elapsed;
        var fitTimes = new Dictionary<string, TimeSpan> { [Persistence] = TimeSpan.Zero, [Network] = trainingTime };
        if (fit is null)
            return (trained, Array.Empty<ModelCandidate>(), Log(session, $"{nameof(Seq2SeqOptions.BaselineComparison)} = {mode}, but the training rows differ in length: the network is kept without comparison."));
        // In order of simplicity (the rule keeps the first one within one standard error of the best): persistence, the
        // linear forecaster over the last L' steps from the shortest L' up to the whole window, the network.
        var baselines = new Dictionary<string, SequenceNetwork> { [Persistence] = Baseline(session, targets, inputLength, weights: null) };
        var order = new List<string> { Persistence };
        foreach (int lookback in Lookbacks(inputLength))
        {
            clock.Restart();
            using Tensor solution = fit.Solve(lookback);
            string name = LinearName(lookback, inputLength);
            fitTimes[name] = pass + clock.Elapsed;
            baselines[name] = Baseline(session, targets, lookback, solution);
            order.Add(name);
        }
        try
        {
            PointLoss metric = PointLoss.EarlyStoppingMetricOf(options);
            var losses = new List<(string Name, double[] Windows)>();
            var reported = new List<ModelCandidate>(searched);
            void Score(string name, SequenceNetwork candidate)
            {
                double[] windows = WindowLosses.Of(candidate, session.ValidationRows!, options.InferenceBatchSize, metric);
                losses.Add((name, windows));
                if (name == Network && searched.Count > 0)
                    return;
                var scored = new ModelCandidate(name, windows.Average(), Kept: false, fitTimes[name]);
                options.SelectionProgress?.Report(SelectionReport.Of(scored, reported));
                reported.Add(scored);
            }
            foreach (string name in order)
                Score(name, baselines[name]);
            Score(Network, trained);
            var scores = losses.Select(l => (l.Name, Score: l.Windows.Average())).ToList();
            var linear = fit.CanCrossValidate ? CrossValidatedLookback(session, fit, losses, inputLength) : LinearLookback(losses, session.CorrelatedValidationWindows);
            var kinds = losses.Where(l => l.Name == Persistence).Concat(linear).Concat(losses.Where(l => l.Name == Network)).ToList();
            var (kept, decision) = Decide(session, mode, kinds, scores, losses[0].Windows.Length, metric.Name);
            SequenceNetwork keptNetwork = kept == Network ? trained : baselines[kept];
            if (kept != Network)
            {
                baselines.Remove(kept);
                trained.Dispose();
            }
            return (keptNetwork, scores.Select(s => new ModelCandidate(s.Name, s.Score, s.Name == kept, fitTimes[s.Name])).ToArray(), decision);
        }
        finally
        {
            foreach (SequenceNetwork baseline in baselines.Values)
                baseline.Dispose();
        }
    }

    /// <summary>
    /// The linear forecaster that stands for "linear" in the comparison: the lookback with the least cross-validated MSE
    /// on the training windows (<see cref="LinearBaselineFit.CrossValidatedMse"/>, every training month scored, not only
    /// the validation ones); the whole window where no fold could be scored. Logs every lookback's score.
    /// </summary>
    private static IEnumerable<(string Name, double[] Windows)> CrossValidatedLookback(TrainingSession session, LinearBaselineFit fit,
        List<(string Name, double[] Windows)> losses, int inputLength)
    {
        var scored = Lookbacks(inputLength).Select(l => (Lookback: l, Mse: fit.CrossValidatedMse(l))).Where(s => s.Mse is double m && double.IsFinite(m)).ToList();
        int chosen = scored.Count == 0 ? inputLength : scored.OrderBy(s => s.Mse).First().Lookback;
        string name = LinearName(chosen, inputLength);
        session.Host.Info($"Seq2Seq: the linear forecaster's lookback by {LinearBaselineFit.Folds}-fold cross-validation on the training windows "
            + "(folds of consecutive windows, the neighbours within H − 1 windows left out of each fit; MSE): "
            + (scored.Count == 0 ? "no fold could be scored" : string.Join(", ", scored.Select(s => $"{s.Lookback} steps {Format(s.Mse!.Value)}")))
            + $"; {name} stands for the linear forecaster.");
        return losses.Where(l => l.Name == name && l.Windows.All(double.IsFinite));
    }

    /// <summary>
    /// Without cross-validation (too few training rows, or window sums too large to keep per fold): the linear forecaster
    /// that stands for "linear" in the one-standard-error rule is the one over the user's whole window, unless
    /// the shorter lookback with the best validation mean beats it by more than one standard error. The window is the
    /// user's choice, so leaving it needs evidence. Ranking shorter lookbacks as simpler kept 52 of 104 weeks on
    /// national_illness within one error of the whole window (and lost on test); on ETTh2 the validation months favour
    /// short windows by less than their noise while the test months favour long ones (docs/benchmarks.md, --lookbacks).
    /// </summary>
    internal static IEnumerable<(string Name, double[] Windows)> LinearLookback(List<(string Name, double[] Windows)> losses, int correlatedWindows)
    {
        var linear = losses.Where(l => l.Name != Persistence && l.Name != Network && l.Windows.All(double.IsFinite)).ToList();
        var whole = linear.Where(l => l.Name == Linear).ToList();
        var best = linear.OrderBy(l => l.Windows.Average()).Take(1).ToList();
        if (whole.Count == 0 || best.Count == 0)
            return best;
        var (difference, error) = WindowLosses.Difference(whole[0].Windows, best[0].Windows, correlatedWindows);
        return difference > error ? best : whole;
    }

    /// <summary>The linear candidates' lookbacks, shortest first: the window's length L and its halvings ⌊L/2⌋,
    /// ⌊L/4⌋, … down to 8 steps.</summary>
    public static IReadOnlyList<int> Lookbacks(int inputLength)
    {
        var lookbacks = new List<int> { inputLength };
        for (int shorter = inputLength / 2; shorter >= MinimumLookback; shorter /= 2)
            lookbacks.Insert(0, shorter);
        return lookbacks;
    }

    private const int MinimumLookback = 8;

    /// <summary>"linear" over the whole window (what EvaluateSeq2SeqBaselines computes), "linear, last 48 steps" over a
    /// shorter lookback.</summary>
    public static string LinearName(int lookback, int inputLength) =>
        lookback == inputLength ? Linear : string.Create(CultureInfo.InvariantCulture, $"{Linear}, last {lookback} steps");

    private static string? WhyNoComparison(TrainingSession session)
    {
        if (session.ValidationRows is null || session.ValidationRows.Count == 0)
            return "there is no validation data (set ValidationSet or ValidationFraction)";
        if (session.Targets.InputIndices is null)
            return $"the input column of each output is not known (set {nameof(Seq2SeqOptions.TargetInputIndices)}, or build the windows with CreateSequenceWindows)";
        if (session.Shapes.InputLength is not int length || length < 2)
            return "the windows have no single input length of at least 2 steps";
        return null;
    }

    // Logs an informational message and returns it without the log's "Seq2Seq: " prefix.
    private static string Log(TrainingSession session, string message)
    {
        session.Host.Info("Seq2Seq: " + message);
        return message;
    }

    // Logs a warning and returns it without the log's "Seq2Seq: " prefix.
    private static string Warn(TrainingSession session, string message)
    {
        session.Host.Warning("Seq2Seq: " + message);
        return message;
    }

    // Applies the one-standard-error rule, logs every score and the decision; returns the kept candidate's name and the
    // logged decision (without the log's prefix).
    private static (string Kept, string Decision) Decide(TrainingSession session, BaselineComparison mode, List<(string Name, double[] Windows)> losses, List<(string Name, double Score)> scores, int windowCount, string metricName)
    {
        var finite = losses.Where(l => l.Windows.All(double.IsFinite)).ToList();
        if (finite.Count == 0 || !finite.Any(l => l.Name == Network))
        {
            return (Network, Warn(session, $"the network's validation {metricName} is not finite: no comparison; the network is kept."));
        }
        var bestLosses = finite.OrderBy(l => l.Windows.Average()).First();
        int block = session.CorrelatedValidationWindows;
        string chosen = Network, evidence = "";
        if (!WindowLosses.CanEstimateError(windowCount, block))
        {
            // No standard error: the network's score, on which early stopping chose its epoch (and a search its candidate),
            // cannot be checked against the baselines', which saw none of these windows. The better baseline is kept.
            string tooFew = $"the {windowCount} validation windows hold fewer than {WindowLosses.MinimumBlocks} blocks of {block} (windows that share label steps), too few "
                + "to check the network's score (early stopping chose its epoch on them) against the baselines'";
            if (finite.Where(l => l.Name != Network).OrderBy(l => l.Windows.Average()).FirstOrDefault() is { Name: string baseline })
            {
                chosen = baseline;
                evidence = $"{tooFew}: of the baselines, {baseline} is best";
            }
            else
            {
                return (Network, Warn(session, $"{tooFew}, and no baseline's validation {metricName} is finite: the network is kept unchecked."));
            }
        }
        else
        {
            foreach (var (name, windows) in finite)
            {
                var (difference, error) = WindowLosses.Difference(windows, bestLosses.Windows, block);
                if (difference <= error)
                {
                    chosen = name;
                    evidence = name == bestLosses.Name ? $"{name} is best"
                        : string.Format(CultureInfo.InvariantCulture, "{0} is within one standard error of the best ({1}: {2} ± {3} per window), and simpler", name, bestLosses.Name, Format(difference), Format(error));
                    break;
                }
            }
        }
        string listed = string.Join(", ", scores.Select(s => $"{s.Name} {Format(s.Score)}"));
        double network = scores.Single(s => s.Name == Network).Score;
        string Behind(string name)
        {
            if (network <= 0)
                return "the network's score is 0";
            double below = 100 * (1 - scores.Single(s => s.Name == name).Score / network);
            return string.Format(CultureInfo.InvariantCulture, "its mean {0:F1} % {1} the network's", Math.Abs(below), below >= 0 ? "below" : "above");
        }
        string prefix = $"validation {metricName} of the candidates over {windowCount} windows: {listed}; ";
        if (chosen == Network)
        {
            // The loop stops at the best candidate at the latest, so the network is kept only when it is the best.
            return (Network, Log(session, prefix + "the network is best and is kept."));
        }
        if (mode == BaselineComparison.Select && WhyBaselineCannotStandIn(session.Options) is null)
        {
            return (chosen, Log(session, prefix + $"{evidence} ({Behind(chosen)}), so {chosen} is kept: the model is a {nameof(NetworkFamily.Linear)} network with "
                + (chosen == Persistence ? "zero weights under subtract-last (it repeats each window's last value)." : "the closed-form ridge weights under subtract-last, over its lookback.")));
        }
        string reason = mode == BaselineComparison.Select
            ? $"it cannot stand in for the network ({WhyBaselineCannotStandIn(session.Options)}), so the network is kept"
            : $"the network is kept ({nameof(Seq2SeqOptions.BaselineComparison)} = {mode}; Select would keep {chosen})";
        bool estimated = WindowLosses.CanEstimateError(windowCount, block);
        string advice = estimated
            ? "The data may favour a simpler model: try a longer input window, fewer epochs or a smaller network, and check on held-out windows with EvaluateSeq2SeqBaselines."
            : $"Give at least {WindowLosses.MinimumBlocks * block} validation windows to compare them, and check on held-out windows with EvaluateSeq2SeqBaselines.";
        return (Network, Warn(session, prefix + $"{evidence} ({Behind(chosen)}): {(estimated ? "the one-standard-error rule" : "the comparison")} prefers {chosen} to the network, "
            + $"but {reason}. " + advice));
    }

    private static string? WhyBaselineCannotStandIn(Seq2SeqOptions options) =>
        options.Quantiles is not null ? $"{nameof(Seq2SeqOptions.Quantiles)} asks for quantile forecasts, which the baselines do not make"
        : options.FutureFeatureColumnName is not null ? $"{nameof(Seq2SeqOptions.FutureFeatureColumnName)} gives known-future inputs, which the baselines do not read"
        : null;

    private static string Format(double score) => score.ToString("G4", CultureInfo.InvariantCulture);

    // Persistence (null weights: all zero) or the linear forecaster over the last L' = lookback steps as a Linear
    // network: subtract-last, channel independent, head weight[h, t] = W[t, h] for t < L' − 1 (the last step is 0 after
    // subtraction), bias[h] = W[L' − 1, h].
    private static SequenceNetwork Baseline(TrainingSession session, int[] targets, int inputLength, Tensor? weights)
    {
        var shapes = session.Shapes;
        var architecture = new NetworkArchitecture(shapes.InputFeatureCount, shapes.OutputFeatureCount, shapes.Horizon, HiddenSize: 1, LayerCount: 1,
            RecurrentCellType.Gru, Bidirectional: false, AttentionKind.None, Dropout: 0, Family: NetworkFamily.Linear,
            Normalization: InstanceNormalization.SubtractLast, ChannelIndependent: true, TargetInputIndices: (int[])targets.Clone(), Lookback: inputLength);
        SequenceNetwork network = NetworkFactory.Create(architecture);
        using (var scope = torch.NewDisposeScope())
        using (torch.no_grad())
        {
            foreach (var (name, parameter) in network.named_parameters())
            {
                if (weights is null)
                    parameter.zero_();
                else if (name.EndsWith("head.weight", StringComparison.Ordinal))
                    parameter.copy_(torch.cat(new[] { weights.narrow(0, 0, inputLength - 1), torch.zeros(1, shapes.Horizon, dtype: ScalarType.Float64) }).t().to(ScalarType.Float32));
                else if (name.EndsWith("head.bias", StringComparison.Ordinal))
                    parameter.copy_(weights[inputLength - 1].to(ScalarType.Float32));
                else
                    throw new InvalidOperationException($"The linear baseline network has an unexpected parameter '{name}'.");
            }
        }
        network.to(session.Device);
        return network;
    }
}
