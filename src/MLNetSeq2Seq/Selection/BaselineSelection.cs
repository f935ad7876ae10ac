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
/// forecaster on every validation window with the early-stopping metric, logs every score, and keeps (Select) the
/// simplest candidate whose mean is within one standard error of the best one's (the one-standard-error rule, with
/// the error of the paired per-window difference over block means, <see cref="WindowLosses"/>), or warns (Warn) when
/// that is not the network. Both baselines are built as <see cref="NetworkFamily.Linear"/> networks with subtract-last
/// normalisation and channel independence, so the one kept is a model like any other.
/// </summary>
internal static class BaselineSelection
{
    public const string Network = "network";
    public const string Persistence = "persistence";
    public const string Linear = "linear";

    /// <summary>The network to keep (<paramref name="trained"/> or a baseline; the caller owns it, and the other is
    /// disposed) and every candidate's score (empty when there was no comparison).</summary>
    public static (SequenceNetwork Kept, IReadOnlyList<ModelCandidate> Candidates) Choose(SequenceNetwork trained, TrainingSession session)
    {
        Seq2SeqOptions options = session.Options;
        BaselineComparison mode = options.BaselineComparison;
        if (mode == BaselineComparison.Off)
            return (trained, Array.Empty<ModelCandidate>());
        string? whyNot = WhyNoComparison(session);
        if (whyNot is not null)
        {
            session.Host.Info($"Seq2Seq: {nameof(Seq2SeqOptions.BaselineComparison)} = {mode}, but {whyNot}: the network is kept without comparison.");
            return (trained, Array.Empty<ModelCandidate>());
        }

        int[] targets = session.Targets.InputIndices!;
        int inputLength = session.Shapes.InputLength!.Value, horizon = session.Shapes.Horizon;
        using Tensor? solution = LinearBaselineFit.Solve(session.TrainRows, targets, inputLength, horizon, options.InferenceBatchSize);
        if (solution is null)
        {
            session.Host.Info($"Seq2Seq: {nameof(Seq2SeqOptions.BaselineComparison)} = {mode}, but the training rows differ in length: the network is kept without comparison.");
            return (trained, Array.Empty<ModelCandidate>());
        }
        var baselines = new Dictionary<string, SequenceNetwork>
        {
            [Persistence] = Baseline(session, targets, inputLength, weights: null),
            [Linear] = Baseline(session, targets, inputLength, solution),
        };
        try
        {
            PointLoss metric = PointLoss.EarlyStoppingMetricOf(options);
            double[] Losses(SequenceNetwork candidate) => WindowLosses.Of(candidate, session.ValidationRows!, options.InferenceBatchSize, metric);
            // In order of simplicity: the rule keeps the first one within one standard error of the best.
            var losses = new List<(string Name, double[] Windows)>
            {
                (Persistence, Losses(baselines[Persistence])),
                (Linear, Losses(baselines[Linear])),
                (Network, Losses(trained)),
            };
            var scores = losses.Select(l => (l.Name, Score: l.Windows.Average())).ToList();
            string kept = Decide(session, mode, losses, scores, metric.Name);
            SequenceNetwork keptNetwork = kept == Network ? trained : baselines[kept];
            if (kept != Network)
            {
                baselines.Remove(kept);
                trained.Dispose();
            }
            return (keptNetwork, scores.Select(s => new ModelCandidate(s.Name, s.Score, s.Name == kept)).ToArray());
        }
        finally
        {
            foreach (SequenceNetwork baseline in baselines.Values)
                baseline.Dispose();
        }
    }

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

    // Applies the one-standard-error rule, logs every score and the decision; returns the kept candidate's name.
    private static string Decide(TrainingSession session, BaselineComparison mode, List<(string Name, double[] Windows)> losses, List<(string Name, double Score)> scores, string metricName)
    {
        var finite = losses.Where(l => l.Windows.All(double.IsFinite)).ToList();
        if (finite.Count == 0 || !finite.Any(l => l.Name == Network))
        {
            session.Host.Warning($"Seq2Seq: the network's validation {metricName} is not finite: no comparison; the network is kept.");
            return Network;
        }
        var bestLosses = finite.OrderBy(l => l.Windows.Average()).First();
        int horizon = session.Shapes.Horizon;
        string chosen = Network, evidence = "";
        foreach (var (name, windows) in finite)
        {
            var (difference, error) = WindowLosses.Difference(windows, bestLosses.Windows, horizon);
            if (difference <= error)
            {
                chosen = name;
                evidence = name == bestLosses.Name ? $"{name} is best"
                    : string.Format(CultureInfo.InvariantCulture, "{0} is within one standard error of the best ({1}: {2} ± {3} per window), and simpler", name, bestLosses.Name, Format(difference), Format(error));
                break;
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
        string prefix = $"Seq2Seq: validation {metricName} of the candidates over {losses[0].Windows.Length} windows: {listed}; ";
        if (chosen == Network)
        {
            // The loop stops at the best candidate at the latest, so the network is kept only when it is the best.
            session.Host.Info(prefix + "the network is best and is kept.");
            return Network;
        }
        if (mode == BaselineComparison.Select && WhyBaselineCannotStandIn(session.Options) is null)
        {
            session.Host.Info(prefix + $"{evidence} ({Behind(chosen)}), so {chosen} is kept: the model is a {nameof(NetworkFamily.Linear)} network with "
                + (chosen == Persistence ? "zero weights under subtract-last (it repeats each window's last value)." : "the closed-form ridge weights under subtract-last."));
            return chosen;
        }
        string reason = mode == BaselineComparison.Select
            ? $"it cannot stand in for the network ({WhyBaselineCannotStandIn(session.Options)}), so the network is kept"
            : $"the network is kept ({nameof(Seq2SeqOptions.BaselineComparison)} = {mode}; Select would keep {chosen})";
        session.Host.Warning(prefix + $"{evidence} ({Behind(chosen)}): the one-standard-error rule prefers {chosen} to the network, but {reason}. The data may favour a simpler model: "
            + "try a longer input window, fewer epochs or a smaller network, and check on held-out windows with EvaluateSeq2SeqBaselines.");
        return Network;
    }

    private static string? WhyBaselineCannotStandIn(Seq2SeqOptions options) =>
        options.Quantiles is not null ? $"{nameof(Seq2SeqOptions.Quantiles)} asks for quantile forecasts, which the baselines do not make"
        : options.FutureFeatureColumnName is not null ? $"{nameof(Seq2SeqOptions.FutureFeatureColumnName)} gives known-future inputs, which the baselines do not read"
        : null;

    private static string Format(double score) => score.ToString("G4", CultureInfo.InvariantCulture);

    // Persistence (null weights: all zero) or the linear forecaster as a Linear network: subtract-last, channel
    // independent, head weight[h, t] = W[t, h] for t < L − 1 (the last step is 0 after subtraction), bias[h] = W[L − 1, h].
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
